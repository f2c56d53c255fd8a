#include "bench_fit.h"

#include <string.h>

static void least_squares(const double *n, const double *cost, int count, adac_bench_fit *fit)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < count; i++) {
        double x = n[i] * n[i];
        sx += x;
        sy += cost[i];
        sxx += x * x;
        sxy += x * cost[i];
    }
    double det = count * sxx - sx * sx;
    fit->b = det != 0 ? (count * sxy - sx * sy) / det : 0;
    fit->a = (sy - fit->b * sx) / count;
    double mean = sy / count, ss_tot = 0, ss_res = 0;
    for (int i = 0; i < count; i++) {
        double r = cost[i] - (fit->a + fit->b * n[i] * n[i]);
        ss_res += r * r;
        ss_tot += (cost[i] - mean) * (cost[i] - mean);
    }
    fit->r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
    fit->points = count;
    fit->last_fitted = count ? (int)n[count - 1] : 0;
}

void adac_bench_fit_n2(const double *n, const double *cost, int count, adac_bench_fit *fit)
{
    memset(fit, 0, sizeof *fit);
    if (count < 2) {
        fit->points = count;
        return;
    }
    int used = count < 3 ? count : 3;
    least_squares(n, cost, used, fit);
    while (used < count) {
        double predicted = fit->a + fit->b * n[used] * n[used];
        if (predicted > 0 && cost[used] > (1 + ADAC_BENCH_FIT_TOLERANCE) * predicted) {
            fit->break_lines = (int)n[used];
            fit->break_excess = cost[used] / predicted - 1;
            return;
        }
        least_squares(n, cost, ++used, fit);
    }
}
