#include "compare.h"

#include <math.h>

double adac_compare_paths(const double *ref, const double *test, int n_out, int n_in, int n,
                          adac_path_error *results)
{
    double global_peak = 0;
    int paths = n_out * n_in;
    for (int p = 0; p < paths; p++) {
        adac_path_error *r = &results[p];
        r->out = p / n_in;
        r->in = p % n_in;
        r->peak = r->max_err = 0;
        r->worst_sample = 0;
        const double *a = ref + (long)p * n, *b = test + (long)p * n;
        for (int t = 0; t < n; t++) {
            double e = fabs(b[t] - a[t]);
            if (!(e <= r->max_err)) { /* also catches NaN */
                r->max_err = isnan(e) ? INFINITY : e;
                r->worst_sample = t;
            }
            if (fabs(a[t]) > r->peak) r->peak = fabs(a[t]);
        }
        if (r->peak > global_peak) global_peak = r->peak;
    }
    double worst = -INFINITY;
    for (int p = 0; p < paths; p++) {
        adac_path_error *r = &results[p];
        double scale = r->peak > 0 ? r->peak : (global_peak > 0 ? global_peak : 1.0);
        r->err_db = r->max_err > 0 ? 20 * log10(r->max_err / scale) : -INFINITY;
        if (r->err_db > worst) worst = r->err_db;
    }
    return worst;
}
