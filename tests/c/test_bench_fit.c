/* adac-bench's fit of cost against N^2: where it breaks, and what it leaves out
 * as noise. The costs are made up here from a known a + b N^2. */
#include "bench_fit.h"

#include <criterion/criterion.h>
#include <math.h>

static const double sizes[] = {4, 6, 8, 12, 16, 24, 32, 48, 64};
#define N_SIZES ((int)(sizeof sizes / sizeof *sizes))

static void exact_costs(double a, double b, double *cost)
{
    for (int i = 0; i < N_SIZES; i++) cost[i] = a + b * sizes[i] * sizes[i];
}

Test(bench_fit, recovers_an_exact_quadratic_and_holds)
{
    double cost[N_SIZES];
    exact_costs(10, 0.5, cost);
    adac_bench_fit fit;
    adac_bench_fit_n2(sizes, cost, N_SIZES, &fit);
    cr_assert_float_eq(fit.a, 10, 1e-9);
    cr_assert_float_eq(fit.b, 0.5, 1e-12);
    cr_assert_float_eq(fit.r2, 1, 1e-12);
    cr_assert_eq(fit.break_lines, 0);
    cr_assert_eq(fit.outliers, 0);
    cr_assert_eq(fit.last_fitted, 64);
}

Test(bench_fit, a_lasting_step_breaks_the_fit_where_it_starts)
{
    double cost[N_SIZES];
    exact_costs(10, 0.5, cost);
    for (int i = 7; i < N_SIZES; i++) cost[i] *= 1.6; /* N = 48 and 64 outgrow a cache */
    adac_bench_fit fit;
    adac_bench_fit_n2(sizes, cost, N_SIZES, &fit);
    cr_assert_eq(fit.break_lines, 48);
    cr_assert_float_eq(fit.break_excess, 0.6, 1e-9);
    cr_assert_eq(fit.last_fitted, 32);
    cr_assert_eq(fit.outliers, 0);
}

Test(bench_fit, a_lone_slow_size_is_noise_not_a_break)
{
    double cost[N_SIZES];
    exact_costs(10, 0.5, cost);
    cost[3] *= 1.5; /* N = 12 measured slow once; 16 and up are back on the fit */
    adac_bench_fit fit;
    adac_bench_fit_n2(sizes, cost, N_SIZES, &fit);
    cr_assert_eq(fit.break_lines, 0);
    cr_assert_eq(fit.outliers, 1);
    cr_assert_eq(fit.outlier_lines[0], 12);
    /* left out, so the fit is the exact one */
    cr_assert_float_eq(fit.b, 0.5, 1e-12);
    cr_assert_eq(fit.points, N_SIZES - 1);
}

Test(bench_fit, a_step_breaks_the_fit_even_if_a_larger_size_measures_fast)
{
    double cost[N_SIZES];
    exact_costs(10, 0.5, cost);
    for (int i = 5; i < N_SIZES; i++) cost[i] *= 1.5; /* from N = 24 on */
    cost[N_SIZES - 1] /= 1.5;                        /* but N = 64 ran fast once */
    adac_bench_fit fit;
    adac_bench_fit_n2(sizes, cost, N_SIZES, &fit);
    cr_assert_eq(fit.break_lines, 24);
    cr_assert_eq(fit.outliers, 0);
}
