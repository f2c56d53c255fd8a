/* Least-squares fit of cost per sample against N^2, and where it stops holding. */
#ifndef ADAC_BENCH_FIT_H
#define ADAC_BENCH_FIT_H

/* A size breaks the fit when its cost lands this far above the fit of the
 * smaller sizes (typically where the state stops fitting a cache level). */
#define ADAC_BENCH_FIT_TOLERANCE 0.25
#define ADAC_BENCH_FIT_MAX_OUTLIERS 8

typedef struct {
    double a, b;      /* cost ~ a + b N^2 */
    double r2;        /* over the fitted points */
    int points;       /* points fitted */
    int last_fitted;  /* largest N in the fit */
    int break_lines;  /* first N above tolerance, 0 if none */
    double break_excess; /* measured / predicted - 1 at that N */
    int outliers;     /* sizes left out: above tolerance, but the next size is not */
    int outlier_lines[ADAC_BENCH_FIT_MAX_OUTLIERS]; /* the first of them */
} adac_bench_fit;

/* n ascending, cost[i] at n[i]. Fits the first three points, then grows the fit
 * one size at a time while each new size lies within tolerance of the
 * prediction. A size above tolerance breaks the fit only if the next size is
 * above it too (a cache level, once outgrown, stays outgrown); one that the next
 * size contradicts is a noisy measurement, left out of the fit and listed. */
void adac_bench_fit_n2(const double *n, const double *cost, int count, adac_bench_fit *fit);

#endif
