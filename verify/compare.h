/* Sample-by-sample comparison of impulse-response sets. */
#ifndef ADAC_COMPARE_H
#define ADAC_COMPARE_H

typedef struct {
    int out, in;
    double peak;     /* peak |reference| on this path */
    double max_err;  /* peak |test - reference| */
    double err_db;   /* 20 log10(max_err / peak), relative to the path's peak, or to the
                        largest peak of all paths where this one is silent */
    int worst_sample;
} adac_path_error;

/* ref, test: [(o * n_in + i) * n + t]. results: n_out * n_in entries. Returns the
 * worst err_db. An all-zero reference everywhere is compared in absolute terms. */
double adac_compare_paths(const double *ref, const double *test, int n_out, int n_in, int n,
                          adac_path_error *results);

#endif
