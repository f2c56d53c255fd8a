/* A proven count of a loop's unstable closed-loop poles (the Nyquist criterion).
 *
 * With every element of the loop stable, D(z) = det(I - L(z)) is analytic for
 * |z| >= 1 and D(inf) = 1, so the number of its zeros outside the unit circle is
 * minus the number of times D(e^jw) winds around 0 as w goes round the circle.
 * Sampling D cannot prove that count by itself: D could turn between samples.
 * Here every step from w to w + h is covered by a bound:
 *   D(w') / D(w) = det(I + X),  X = -A(w)^-1 (L(w') - L(w)),  A = I - L,
 * X's eigenvalues mu_i have |mu_i| <= ||X||_2 and sum |mu_i| <= ||X||_* (the
 * nuclear norm). With ||X||_2 < 1 for every w' in the step det(I + X) never
 * vanishes, and its phase, sum arg(1 + mu_i), stays within sum asin|mu_i| <=
 * (pi/2) ||X||_* of 0: below pi when ||X||_* < 2. The phase change over the step
 * is then the principal value of arg D(w + h) / D(w): the sum of these over
 * 0..pi is the winding (the lower half circle mirrors it).
 *
 * ||X||_* is bounded element by element around the loop L = T_n ... T_1:
 *   L(w') - L(w) = sum_j R_j(w') (T_j(w') - T_j(w)) S_j(w),
 *   R_j = T_n ... T_j+1, S_j = T_j-1 ... T_1,
 * with A(w)^-1 R_j(w) and S_j(w) computed exactly at w (a diagonal T_j, a bank
 * of delay lines or filters, adds sum_i |dT_j,ii| |col_i(A^-1 R_j)| |row_i(S_j)|
 * to the nuclear bound and ||A^-1 R_j|| max_i |dT_j,ii| ||S_j|| to the spectral one,
 * which sees through non-normal matrices where ||A^-1|| ||L'|| cannot), and
 * R_j(w') - R_j(w) bounded by the interval machinery of loop_model.h (a term of
 * second order in the step). Matrix 2-norms are bounded by min(Frobenius,
 * sqrt(||.||_1 ||.||_inf)). Rounding in the LU factorisation is not bounded (it
 * is relative 1e-15 of quantities the margin exceeds by many orders). */
#ifndef ADAC_NYQUIST_H
#define ADAC_NYQUIST_H

#include "loop_model.h"

typedef struct {
    int proven;         /* the count below is proven */
    int winding;        /* around the full circle */
    int unstable_poles; /* -winding; at least this many when real_pole */
    int real_pole;      /* 1 or -1: proven by det(I - L) < 0 at z = 1 or z = -1 (a real pole beyond it) */
    long steps;
    double min_abs_det;     /* smallest |D| at a step */
    double min_abs_det_w;   /* where (radians per sample) */
    double min_abs_det_lower; /* a lower bound on |D| over the whole circle */
    double seconds;
    char why[200]; /* why it is not proven */
} adac_nyquist;

/* The loop's elements in signal order (any rotation: the determinant is the
 * same); every one must be stable. At most max_steps steps. */
adac_nyquist adac_nyquist_count(const cnode *const *items, int n, long max_steps);

#endif
