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

static int above_tolerance(const adac_bench_fit *fit, double n, double cost)
{
    double predicted = fit->a + fit->b * n * n;
    return predicted > 0 && cost > (1 + ADAC_BENCH_FIT_TOLERANCE) * predicted;
}

void adac_bench_fit_n2(const double *n, const double *cost, int count, adac_bench_fit *fit)
{
    memset(fit, 0, sizeof *fit);
    if (count < 2) {
        fit->points = count;
        return;
    }
    /* the points fitted so far, outliers left out */
    double fit_n[count], fit_cost[count];
    int used = count < 3 ? count : 3;
    memcpy(fit_n, n, used * sizeof *n);
    memcpy(fit_cost, cost, used * sizeof *cost);
    least_squares(fit_n, fit_cost, used, fit);
    for (int next = used; next < count; next++) {
        if (above_tolerance(fit, n[next], cost[next])) {
            /* the largest size has no later one to contradict it */
            if (next + 1 == count || above_tolerance(fit, n[next + 1], cost[next + 1])) {
                fit->break_lines = (int)n[next];
                fit->break_excess = cost[next] / (fit->a + fit->b * n[next] * n[next]) - 1;
                return;
            }
            if (fit->outliers < ADAC_BENCH_FIT_MAX_OUTLIERS)
                fit->outlier_lines[fit->outliers] = (int)n[next];
            fit->outliers++;
            continue;
        }
        fit_n[used] = n[next];
        fit_cost[used] = cost[next];
        least_squares(fit_n, fit_cost, ++used, fit);
    }
}
