#include "peak_flops.h"
#include "bench_clock.h"

#include "simd.h"

#include <stdio.h>
#include <time.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef double adac_v4d __attribute__((vector_size(32), aligned(8)));
typedef float adac_v8f __attribute__((vector_size(32), aligned(4)));

enum { chains = 12 }; /* in flight: FMA latency (4-5 cycles) x 2 pipes, rounded up */

/* acc = acc * a + b in every lane of every chain (one fused multiply-add where
 * the level has them: this file, unlike the engine, lets the compiler contract);
 * the sum it leaves cannot be dropped. a just below 1 and b tiny keep the values
 * normal. */
static ADAC_BODY void run_double_body(long iterations, double seed, double *result)
{
    adac_v4d acc[chains], a = (adac_v4d){0} + 0.9999999, b = (adac_v4d){0} + 1e-9;
    for (int j = 0; j < chains; j++) acc[j] = (adac_v4d){0} + (seed + j);
    for (long i = 0; i < iterations; i++)
        for (int j = 0; j < chains; j++) acc[j] = acc[j] * a + b;
    double s = 0;
    for (int j = 0; j < chains; j++) s += acc[j][0] + acc[j][1] + acc[j][2] + acc[j][3];
    *result = s;
}
ADAC_DISPATCH(static, run_double, (long iterations, double seed, double *result), (iterations, seed, result))

static ADAC_BODY void run_single_body(long iterations, float seed, double *result)
{
    adac_v8f acc[chains], a, b;
    for (int l = 0; l < 8; l++) a[l] = 0.9999999f, b[l] = 1e-9f;
    for (int j = 0; j < chains; j++)
        for (int l = 0; l < 8; l++) acc[j][l] = seed + j;
    for (long i = 0; i < iterations; i++)
        for (int j = 0; j < chains; j++) acc[j] = acc[j] * a + b;
    double s = 0;
    for (int j = 0; j < chains; j++)
        for (int l = 0; l < 8; l++) s += acc[j][l];
    *result = s;
}
ADAC_DISPATCH(static, run_single, (long iterations, float seed, double *result), (iterations, seed, result))

static volatile double sink;

static double run(int single, long n, double seed)
{
    double r;
    if (single)
        run_single(n, (float)seed, &r);
    else
        run_double(n, seed, &r);
    return r;
}

static double measure(int single, double seconds)
{
    long n = 1 << 16;
    double best = 0, lanes = single ? 8 : 4;
    /* Grow the run to a tenth of the budget, then keep the fastest of five. */
    for (;;) {
        double t0 = adac_bench_now_s();
        sink = run(single, n, 1.0);
        double t = adac_bench_now_s() - t0;
        if (t > seconds / 10 || n > (1L << 40)) break;
        n *= 2;
    }
    for (int r = 0; r < 9; r++) {
        double t0 = adac_bench_now_s();
        sink = run(single, n, 1.0 + r);
        double t = adac_bench_now_s() - t0;
        double gflops = 2.0 * lanes * chains * (double)n / t * 1e-9;
        if (gflops > best) best = gflops;
    }
    return best;
}

/* The engine's own name for the level (simd.h), and what it means. */
const char *adac_dispatch_level(void)
{
    static char text[64];
    static const char *const meaning[] = {"x86-64: SSE2, multiply-adds rounded twice", "x86-64: SSE2, FMA emulated",
                                          "x86-64-v3: AVX2, FMA", "x86-64-v4: AVX-512"};
    adac_simd_level level = adac_simd_level_in_use();
    snprintf(text, sizeof text, "%s (%s)", adac_simd_level_name(level), meaning[level]);
    return text;
}

adac_peak adac_peak_measure(double seconds)
{
    adac_peak p;
    p.double_gflops = measure(0, seconds);
    p.single_gflops = measure(1, seconds);
    p.dispatch = adac_dispatch_level();
    return p;
}
