/* The engine's kernels against plain references written out here, in the
 * sample type this file is compiled for: it is built twice, as test_kernels
 * (double) and test_kernels_single (ADAC_SAMPLE_SINGLE, the build plugins run).
 * The baseline level's fused multiply-add against C's fma, register-blocked and
 * structured mixing against the dense product, the fused loop-input add against
 * mix then add, the cross-channel SOS bank against one cascade per channel
 * and across block splits, and delay lines used in place across their ends. */
#include "bus.h"
#include "delay_line.h"
#include "engine.h"
#include "fma_exact.h"
#include "line_loops.h"
#include "matrix_mix.h"
#include "plan.h"
#include "simd.h"
#include "section_form.h"
#include "section_step.h"
#include "sos_bank.h"
#include "sos_cascade.h"
#include "vec_ops.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The structured forms (Householder, Hadamard) sum in another order than the
 * dense product: they agree within the sample type's rounding. */
#ifdef ADAC_SAMPLE_SINGLE
#define STRUCTURED_TOLERANCE 5e-5
#else
#define STRUCTURED_TOLERANCE 1e-12
#endif

static double rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xFFFF) / 32768.0 - 1.0;
}

#ifdef ADAC_SAMPLE_SINGLE
#define C_FMA fmaf
#else
#define C_FMA fma
#endif

static uint64_t fma_rng = 88172645463325252ull;

static uint64_t next_bits(void)
{
    fma_rng ^= fma_rng << 13, fma_rng ^= fma_rng >> 7, fma_rng ^= fma_rng << 17;
    return fma_rng;
}

/* A full random significand times 2^[lo, hi], either sign. */
static double random_double(int lo, int hi)
{
    double m = 1.0 + (double)(next_bits() >> 11) * 0x1p-53;
    return (next_bits() & 1 ? -1 : 1) * ldexp(m, lo + (int)(next_bits() % (uint64_t)(hi - lo + 1)));
}

/* One lane's operands, of a kind chosen to reach every branch of the
 * emulation: plain sums, cancellation, signed zeros, sums just off a rounding boundary,
 * double-rounding traps (where rounding the low part to nearest instead of to
 * odd turns a sum that is not a tie into one), wide and out-of-range exponents. */
static void fma_operands(adac_sample *a, adac_sample *b, adac_sample *c)
{
    int kind = (int)(next_bits() % 10);
    *a = (adac_sample)random_double(-20, 20), *b = (adac_sample)random_double(-20, 20);
    adac_sample p = *a * *b;
    switch (kind) {
    case 0: *c = (adac_sample)random_double(-60, 60); break;
    case 1: *c = -p; break;
    case 2: *c = (adac_sample)(-p * (1 + ldexp(1, -(int)(next_bits() % 60)))); break;
    case 3: *c = (adac_sample)ldexp(next_bits() & 1 ? 1 : -1, (int)(next_bits() % 80) - 40); break;
    case 4: /* signed zeros: a zero c, and half the time a zero product */
        *c = next_bits() & 1 ? -0.0 : 0.0;
        if (next_bits() & 1) *b = next_bits() & 1 ? -0.0 : 0.0;
        break;
    case 5: { /* the product cut to k bits below 1: the sum is short, near a tie */
        int k = 1 + (int)(next_bits() % 50);
        *c = (adac_sample)-ldexp(round(ldexp(p, k)), -k);
        break;
    }
    case 6:
    case 7: {
#ifdef ADAC_SAMPLE_SINGLE
        /* a b = 1 - 2^-2k exactly, c = 2^24 + an odd multiple of 2: the sum rounded
         * to double is a float tie, the exact sum is below it */
        int k = 15 + (int)(next_bits() % 9), scale = (int)(next_bits() % 40) - 20;
        float sign = next_bits() & 1 ? 1 : -1;
        *a = ldexpf(1 + ldexpf(1, -k), scale), *b = sign * (1 - ldexpf(1, -k));
        *c = sign * ldexpf(16777216.0f + 2 * (float)(1 + 2 * (next_bits() % 1000)), scale);
#else
        /* a b within 2^-53 of 1: uh = 1 and ul holds the rest; c + 1 is a tie at
         * c's precision (2^53 + an even step), which only ul breaks */
        int scale = (int)(next_bits() % 200) - 100;
        double x = random_double(-3, 3);
        *a = ldexp(x, scale), *b = 1.0 / x;
        *c = (next_bits() & 1 ? 1 : -1) * ldexp(0x1p53 + 2.0 * (double)(1 + next_bits() % 1000000), scale);
#endif
        break;
    }
    case 8: /* special values, to the C library */
        *c = (adac_sample)(next_bits() & 1 ? INFINITY : NAN);
        break;
    default:
#ifdef ADAC_SAMPLE_SINGLE
        *a = (adac_sample)random_double(-140, 120), *b = (adac_sample)random_double(-140, 120);
        *c = (adac_sample)random_double(-149, 126);
#else
        *a = random_double(-1000, 980), *b = random_double(-1000, 980), *c = random_double(-1074, 1000);
#endif
        break;
    }
}

/* The baseline level has no FMA instruction; its emulation must give C's
 * fma (correct rounding of a b + c) bit for bit, as the AVX levels' vfmadd does. */
Test(fma, baseline_emulation_equals_c_fma)
{
    long differ = 0, lanes = 0, specials = 0;
    for (long round = 0; round < 300000; round++) {
        adac_sample a[ADAC_LANES], b[ADAC_LANES], c[ADAC_LANES];
        for (int l = 0; l < ADAC_LANES; l++) fma_operands(&a[l], &b[l], &c[l]);
        adac_vec va, vb, vc;
        memcpy(&va, a, sizeof va), memcpy(&vb, b, sizeof vb), memcpy(&vc, c, sizeof vc);
        adac_vec got = adac_vec_fma_exact(va, vb, vc);
        for (int l = 0; l < ADAC_LANES; l++, lanes++) {
            adac_sample want = C_FMA(a[l], b[l], c[l]), lane = got[l];
            if (want != want) {
                specials++;
                cr_assert(lane != lane, "a=%a b=%a c=%a: fma is NaN, the emulation %a", (double)a[l], (double)b[l], (double)c[l], (double)lane);
                continue;
            }
            if (memcmp(&want, &lane, sizeof want) && differ++ < 5)
                cr_log_error("a=%a b=%a c=%a: fma %a, the emulation %a", (double)a[l], (double)b[l], (double)c[l], (double)want, (double)lane);
        }
    }
    cr_assert_eq(differ, 0, "%ld of %ld lanes differ from C's fma", differ, lanes);
    cr_assert_gt(specials, 0);
}

/* y = M x by the definition, in the sample type, for the reference: each
 * product joins the sum in one fused multiply-add (C's fma), in input order;
 * at the nofma level (simd.h) rounded, then added. */
static void naive_mix(const adac_sample *m, int N, adac_sample *const *x, adac_sample *y, int n, int o)
{
    int unfused = adac_simd_level_in_use() == ADAC_SIMD_NOFMA;
    for (int t = 0; t < n; t++) {
        adac_sample acc = 0;
        for (int i = 0; i < N; i++) acc = unfused ? acc + m[o * N + i] * x[i][t] : C_FMA(m[o * N + i], x[i][t], acc);
        y[t] = acc;
    }
}

/* The mixer against the definition: the same bits for a dense matrix (every
 * tile shape fuses each sample's products into its sum in input order, from
 * zero), within
 * STRUCTURED_TOLERANCE for the structured forms. The fused y = M x + add must give exactly
 * the bits of the mix followed by the addition. */
static void check_mix(adac_node *node, int n)
{
    int N = node->n_in, n_out = node->n_out;
    unsigned s = 7;
    adac_sample *xb = calloc((size_t)N * n, sizeof *xb), *yb = calloc((size_t)n_out * n, sizeof *yb);
    adac_sample *ab = calloc((size_t)n_out * n, sizeof *ab), *fb = calloc((size_t)n_out * n, sizeof *fb);
    adac_sample **x = calloc(N, sizeof *x), **y = calloc(n_out, sizeof *y), *ref = calloc(n, sizeof *ref);
    adac_sample **add = calloc(n_out, sizeof *add), **fused = calloc(n_out, sizeof *fused);
    adac_sample *gains = calloc((size_t)n_out * N, sizeof *gains); /* as the mixer holds them */
    for (size_t k = 0; k < (size_t)n_out * N; k++) gains[k] = (adac_sample)node->gain[k];
    for (int i = 0; i < N; i++) {
        x[i] = xb + (size_t)i * n;
        for (int t = 0; t < n; t++) x[i][t] = rnd(&s) / 3.0; /* every bit set: sums round, so order shows */
    }
    for (int o = 0; o < n_out; o++) {
        y[o] = yb + (size_t)o * n;
        add[o] = ab + (size_t)o * n;
        fused[o] = fb + (size_t)o * n;
        for (int t = 0; t < n; t++) add[o][t] = rnd(&s) / 7.0;
    }
    adac_matrix_mixer mixer;
    cr_assert(adac_matrix_mix_prepare(&mixer, node));
    adac_matrix_mix(&mixer, (const adac_sample *const *)x, y, n);
    adac_matrix_mix_add(&mixer, (const adac_sample *const *)x, (const adac_sample *const *)add, fused, n);
    adac_matrix_mix_free(&mixer);
    for (int o = 0; o < n_out; o++) {
        naive_mix(gains, N, x, ref, n, o);
        for (int t = 0; t < n; t++) {
            if (node->structure == ADAC_MATRIX_DENSE)
                cr_assert(y[o][t] == ref[t], "%dx%d out %d t=%d: %.17g, by definition %.17g", n_out, N, o, t, y[o][t], ref[t]);
            else
                cr_assert_float_eq(y[o][t], ref[t], STRUCTURED_TOLERANCE, "N=%d structure=%d out %d t=%d", N, node->structure, o, t);
            cr_assert(fused[o][t] == (adac_sample)(y[o][t] + add[o][t]), "%dx%d structure=%d out %d t=%d: fused %.17g, mix + add %.17g",
                      n_out, N, node->structure, o, t, fused[o][t], y[o][t] + add[o][t]);
        }
    }
    free(xb), free(yb), free(ab), free(fb), free(x), free(y), free(ref), free(add), free(fused), free(gains);
}

/* A loop's way of using a line: read the run `delay` behind through peek and
 * write the next one through next and commit, in place, with runs of every
 * length up to the block that cross the ring's end at every offset. What comes
 * back must be what went in, delayed exactly, and the copying read must agree.
 * Both ring sizes: a plain line's (delay + block) and a loop head's (its delay
 * only, where the run written overlaps the run just read). */
static void check_runs_in_place(int (*prepare)(adac_delay_line *, size_t, size_t))
{
    enum { BLOCK = 16, DELAY = 29 };
    adac_delay_line dl;
    cr_assert(prepare(&dl, DELAY, BLOCK));
    adac_sample copy[BLOCK];
    long t = 0, crossed = 0;
    for (int step = 0; step < 400; step++) {
        int n = 1 + (step * 7) % BLOCK;
        const adac_sample *old = adac_delay_line_peek(&dl, n, (size_t)(DELAY - n)); /* lag n: read before writing */
        adac_sample *next = adac_delay_line_next(&dl, n);
        cr_assert(old && next, "runs of up to the block are always in place");
        adac_delay_line_read(&dl, copy, n, (size_t)(DELAY - n));
        crossed += dl.write_pos + n > dl.size;
        for (int i = 0; i < n; i++) {
            adac_sample want = t + i - DELAY >= 0 ? (adac_sample)(t + i - DELAY + 1) : 0;
            cr_assert_eq(old[i], want, "t=%ld: in place %g, want %g", t + i, (double)old[i], (double)want);
            cr_assert_eq(copy[i], want, "t=%ld: copied %g, want %g", t + i, (double)copy[i], (double)want);
        }
        for (int i = 0; i < n; i++) next[i] = (adac_sample)(t + i + 1);
        adac_delay_line_commit(&dl, n);
        t += n;
    }
    cr_assert_gt(crossed, 20, "the runs crossed the ring's end");
    adac_delay_line_free(&dl);
}

Test(delay_line, runs_in_place_across_the_ring_end)
{
    check_runs_in_place(adac_delay_line_prepare);
    check_runs_in_place(adac_delay_line_prepare_loop);
}

Test(matrix_mix, one_row_and_one_column_equal_the_product)
{
    const int lengths[] = {1, 15, 16, 31, 32, 37, 64};
    unsigned s = 5;
    double m[33];
    for (int i = 0; i < 33; i++) m[i] = rnd(&s);
    adac_node row = {.type = ADAC_NODE_GAIN, .n_in = 33, .n_out = 1, .gain = m};
    adac_node column = {.type = ADAC_NODE_GAIN, .n_in = 1, .n_out = 33, .gain = m};
    for (size_t b = 0; b < sizeof lengths / sizeof *lengths; b++) {
        check_mix(&row, lengths[b]);
        check_mix(&column, lengths[b]);
    }
}

/* Every remainder of the six-row tiles (rows 1..13) and of the two-vector
 * columns (lengths around multiples of four and eight). */
Test(matrix_mix, rectangular_dense_matrices_of_every_tile_remainder)
{
    const int lengths[] = {1, 3, 4, 5, 8, 9, 12, 17, 64};
    unsigned s = 11;
    double m[13 * 7];
    for (int i = 0; i < 13 * 7; i++) m[i] = rnd(&s) / 5.0;
    for (int rows = 1; rows <= 13; rows++)
        for (int cols = 1; cols <= 7; cols += 3) {
            adac_node node = {.type = ADAC_NODE_GAIN, .n_in = cols, .n_out = rows, .gain = m};
            for (size_t b = 0; b < sizeof lengths / sizeof *lengths; b++) check_mix(&node, lengths[b]);
        }
}

/* -2..2 steps of the smallest subnormal: products of such inputs with gains
 * below 1 underflow to zero or to a neighbour, with either sign. */
static adac_sample near_zero(unsigned *s)
{
#ifdef ADAC_SAMPLE_SINGLE
    const adac_sample tiny = 0x1p-149f;
#else
    const adac_sample tiny = 0x1p-1074;
#endif
    return (adac_sample)((int)(rnd(s) * 3) * tiny);
}

/* Products that underflow: inputs a few steps above the smallest subnormal, so
 * that sums pass through signed zeros. Every tile and every one-sample tail
 * must keep the sign the definition gives (bytes, not ==): a -0 turned +0 in
 * one path made a model's output depend on where its blocks ended. */
Test(matrix_mix, sums_through_signed_zeros_equal_the_definition_in_every_path)
{
    const int shapes[][2] = {{1, 4}, {4, 1}, {7, 5}, {32, 32}};
    const int lengths[] = {1, 5, 37};
    unsigned s = 3;
    int negative_zeros = 0;
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        int n_out = shapes[k][0], N = shapes[k][1];
        double *m = calloc((size_t)n_out * N, sizeof *m);
        /* |g| < 1: g x rounds to 0 or x's neighbours; every fifth gain -0 */
        for (int i = 0; i < n_out * N; i++) m[i] = i % 5 == 2 ? -0.0 : rnd(&s) * 0.5;
        adac_node node = {.type = ADAC_NODE_GAIN, .n_in = N, .n_out = n_out, .gain = m, .structure = ADAC_MATRIX_DENSE};
        adac_sample *gains = calloc((size_t)n_out * N, sizeof *gains);
        for (int i = 0; i < n_out * N; i++) gains[i] = (adac_sample)m[i];
        for (size_t b = 0; b < sizeof lengths / sizeof *lengths; b++) {
            int n = lengths[b];
            adac_sample *xb = calloc((size_t)N * n, sizeof *xb), *yb = calloc((size_t)n_out * n, sizeof *yb), *ref = calloc(n, sizeof *ref);
            adac_sample **x = calloc(N, sizeof *x), **y = calloc(n_out, sizeof *y);
            for (int i = 0; i < N; i++) {
                x[i] = xb + (size_t)i * n;
                for (int t = 0; t < n; t++) x[i][t] = near_zero(&s);
            }
            for (int o = 0; o < n_out; o++) y[o] = yb + (size_t)o * n;
            adac_matrix_mixer mixer;
            cr_assert(adac_matrix_mix_prepare(&mixer, &node));
            adac_matrix_mix(&mixer, (const adac_sample *const *)x, y, n);
            adac_matrix_mix_free(&mixer);
            for (int o = 0; o < n_out; o++) {
                naive_mix(gains, N, x, ref, n, o);
                for (int t = 0; t < n; t++) {
                    cr_assert(!memcmp(&y[o][t], &ref[t], sizeof ref[t]), "%dx%d, %d samples, out %d t=%d: %a, by definition %a",
                              n_out, N, n, o, t, (double)y[o][t], (double)ref[t]);
                    negative_zeros += ref[t] == 0 && signbit(ref[t]);
                }
            }
            free(xb), free(yb), free(ref), free(x), free(y);
        }
        free(m), free(gains);
    }
    /* Rounded twice (nofma), a sum from +0 never ends as -0; fused, some do. */
    if (adac_simd_level_in_use() != ADAC_SIMD_NOFMA)
        cr_assert_gt(negative_zeros, 0, "no sum ended as -0: the test would not see a lost sign");
}

/* y = M x + a one-input gain's mix of u, in one pass, against the two steps it
 * replaces (the column gain's mix into a bus, then the mix with that bus
 * added), byte for byte: every tile shape and tail, -0 gains in the column, and
 * inputs near the subnormal edge where a product's sign decides a zero's. */
Test(matrix_mix, add_column_gives_the_bits_of_the_column_mix_then_the_add)
{
    const int shapes[][2] = {{2, 1}, {3, 4}, {5, 2}, {7, 7}, {8, 3}, {9, 1}, {13, 5}, {32, 32}};
    const int lengths[] = {1, 3, 4, 5, 8, 9, 12, 17, 37, 64};
    unsigned s = 17;
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++)
        for (size_t b = 0; b < sizeof lengths / sizeof *lengths; b++)
            for (int edge = 0; edge <= 1; edge++) {
                int n_out = shapes[k][0], N = shapes[k][1], n = lengths[b];
                double *m = calloc((size_t)n_out * N, sizeof *m), *col = calloc(n_out, sizeof *col);
                for (int i = 0; i < n_out * N; i++) m[i] = rnd(&s) * 0.5;
                for (int o = 0; o < n_out; o++) col[o] = o % 5 == 2 ? -0.0 : rnd(&s) * 0.5;
                adac_node mix_node = {.type = ADAC_NODE_GAIN, .n_in = N, .n_out = n_out, .gain = m, .structure = ADAC_MATRIX_DENSE};
                adac_node col_node = {.type = ADAC_NODE_GAIN, .n_in = 1, .n_out = n_out, .gain = col, .structure = ADAC_MATRIX_DENSE};
                adac_sample **x = adac_bus_alloc(N, n), **bus = adac_bus_alloc(n_out, n), **two = adac_bus_alloc(n_out, n);
                adac_sample **one = adac_bus_alloc(n_out, n), *u = calloc(n, sizeof *u);
                for (int t = 0; t < n; t++) u[t] = edge ? near_zero(&s) : (adac_sample)(rnd(&s) / 3.0);
                for (int i = 0; i < N; i++)
                    for (int t = 0; t < n; t++) x[i][t] = edge ? near_zero(&s) : (adac_sample)(rnd(&s) / 3.0);
                adac_matrix_mixer mix, column;
                cr_assert(adac_matrix_mix_prepare(&mix, &mix_node) && adac_matrix_mix_prepare(&column, &col_node));
                const adac_sample *in[1] = {u};
                adac_matrix_mix(&column, in, bus, n);
                adac_matrix_mix_add(&mix, (const adac_sample *const *)x, (const adac_sample *const *)bus, two, n);
                adac_matrix_mix_add_column(&mix, (const adac_sample *const *)x, column.gain, u, one, n);
                for (int o = 0; o < n_out; o++)
                    for (int t = 0; t < n; t++)
                        cr_assert(!memcmp(&one[o][t], &two[o][t], sizeof one[o][t]),
                                  "%dx%d, %d samples%s, out %d t=%d: one pass %a, column mix then add %a", n_out, N, n,
                                  edge ? " at the subnormal edge" : "", o, t, (double)one[o][t], (double)two[o][t]);
                adac_matrix_mix_free(&mix), adac_matrix_mix_free(&column);
                adac_bus_free(x), adac_bus_free(bus), adac_bus_free(two), adac_bus_free(one);
                free(u), free(m), free(col);
            }
}

Test(matrix_mix, dense_householder_and_hadamard_equal_the_product)
{
    const int sizes[] = {1, 2, 3, 4, 8, 16, 32, 64};
    const int lengths[] = {1, 15, 16, 37, 64};
    unsigned s = 3;
    for (size_t a = 0; a < sizeof sizes / sizeof *sizes; a++) {
        int N = sizes[a];
        double *m = calloc((size_t)N * N, sizeof *m), *u = calloc(N, sizeof *u), norm = 0;
        adac_node node = {.type = ADAC_NODE_GAIN, .n_in = N, .n_out = N, .gain = m};
        for (int i = 0; i < N * N; i++) m[i] = rnd(&s);
        for (size_t b = 0; b < sizeof lengths / sizeof *lengths; b++) check_mix(&node, lengths[b]);

        for (int i = 0; i < N; i++) {
            u[i] = rnd(&s) + 2.0;
            norm += u[i] * u[i];
        }
        for (int i = 0; i < N; i++) u[i] /= sqrt(norm);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) m[i * N + j] = 0.9 * ((i == j) - 2 * u[i] * u[j]);
        node.structure = ADAC_MATRIX_HOUSEHOLDER;
        node.structure_u = u;
        node.structure_scale = 0.9;
        for (size_t b = 0; b < sizeof lengths / sizeof *lengths; b++) check_mix(&node, lengths[b]);

        if ((N & (N - 1)) == 0) {
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++) {
                    int parity = 0;
                    for (int k = i & j; k; k >>= 1) parity ^= k & 1;
                    m[i * N + j] = parity ? -0.3 : 0.3;
                }
            node.structure = ADAC_MATRIX_HADAMARD;
            node.structure_scale = 0.3;
            for (size_t b = 0; b < sizeof lengths / sizeof *lengths; b++) check_mix(&node, lengths[b]);
        }
        free(m), free(u);
    }
}

/* The bank and one cascade per channel, in the given section form, for C
 * channels of K sections each. Numerators and inputs are rnd / 3, numbers with
 * every bit of the mantissa: on rnd's 16-bit values alone a direct-form sum of
 * products is exact in double, whatever its order, and could not tell one
 * order from another. */
static void check_bank(adac_section_form form, int C, int K)
{
    enum { B = 50 };
    unsigned s = 11;
    double *sos = calloc((size_t)C * K * 6, sizeof *sos), *svf = calloc((size_t)C * K * 6, sizeof *svf);
    for (int c = 0; c < C; c++)
        for (int k = 0; k < K; k++) {
            double *q = sos + (c * K + k) * 6;
            double r = 0.5 + 0.4 * fabs(rnd(&s)), th = 3.0 * fabs(rnd(&s));
            q[0] = rnd(&s) / 3, q[1] = rnd(&s) / 3, q[2] = rnd(&s) / 3, q[3] = 1;
            q[4] = -2 * r * cos(th), q[5] = r * r; /* poles inside the circle */
        }
    for (int i = 0; i < C * K; i++) cr_assert(adac_section_to_svf(sos + 6 * i, svf + 6 * i));
    const double *coef = form == ADAC_SECTIONS_SVF ? svf : sos;
    adac_sos_bank bank;
    adac_sos_cascade *cas = calloc(C, sizeof *cas);
    cr_assert(adac_sos_bank_prepare(&bank, C, K, form, coef, B));
    for (int c = 0; c < C; c++) cr_assert(adac_sos_cascade_prepare(&cas[c], K, form, coef + c * K * 6));
    adac_sample *xb = calloc((size_t)C * B, sizeof *xb), *yb = calloc((size_t)C * B, sizeof *yb), ref[B];
    adac_sample **x = calloc(C, sizeof *x), **y = calloc(C, sizeof *y);
    for (int c = 0; c < C; c++) x[c] = xb + c * B, y[c] = yb + c * B;
    const int blocks[] = {50, 1, 33, 7};
    double peak = 0;
    for (int round = 0; round < 2; round++) {
        for (size_t b = 0; b < 4; b++) {
            int n = blocks[b];
            for (int c = 0; c < C; c++)
                for (int t = 0; t < n; t++) x[c][t] = rnd(&s) / 3;
            adac_sos_bank_process(&bank, (const adac_sample *const *)x, y, n);
            for (int c = 0; c < C; c++) {
                adac_sos_cascade_process(&cas[c], x[c], ref, n);
                for (int t = 0; t < n; t++) {
                    cr_assert_eq(y[c][t], ref[t], "form %d, %d channels x %d sections: channel %d t=%d", form, C, K, c, t);
                    peak = fmax(peak, fabs(ref[t]));
                }
            }
        }
        adac_sos_bank_reset(&bank);
        for (int c = 0; c < C; c++) adac_sos_cascade_reset(&cas[c]);
    }
    cr_assert_gt(peak, 0.01); /* not silence: the numerators and inputs are a third of rnd's */
    adac_sos_bank_free(&bank);
    for (int c = 0; c < C; c++) adac_sos_cascade_free(&cas[c]);
    free(sos), free(svf), free(cas), free(xb), free(yb), free(x), free(y);
}

/* Banks of one section (one pass per pair of vectors) and of more (time steps,
 * groups of up to four vectors), each shape once: one vector, pairs, uneven
 * groups with padding lanes. */
static void check_bank_shapes(adac_section_form form)
{
    const int shapes[][2] = {{3, 1}, {11, 1}, {37, 1}, {3, 2}, {11, 2}, {37, 3}, {20, 4}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) check_bank(form, shapes[i][0], shapes[i][1]);
}

/* Bit for bit: the bank's vector steps and the cascade's scalar ones are one
 * arithmetic (section_step.h), across block boundaries and after a reset. */
Test(sos_bank, equals_one_cascade_per_channel_in_direct_form)
{
    check_bank_shapes(ADAC_SECTIONS_DF1);
}

Test(sos_bank, equals_one_cascade_per_channel_as_state_variable_filters)
{
    check_bank_shapes(ADAC_SECTIONS_SVF);
}

/* The bank takes whole rows of four samples and single samples by different code:
 * the two must give the same bits, or a model's output would depend on where its
 * blocks end. */
Test(sos_bank, same_bits_whatever_the_block_split)
{
    enum { C = 11, K_MOST = 2, B = 64 };
    unsigned s = 5;
    double sos[C * K_MOST * 6];
    for (int e = 0; e < C * K_MOST; e++) {
        double *q = sos + e * 6;
        q[0] = rnd(&s), q[1] = rnd(&s), q[2] = rnd(&s), q[3] = 1, q[4] = -0.9, q[5] = 0.3;
    }
    double svf[C * K_MOST * 6];
    for (int e = 0; e < C * K_MOST; e++) cr_assert(adac_section_to_svf(sos + 6 * e, svf + 6 * e));
    /* one section (the fused pass) and two (time steps) */
    for (int K = 1; K <= K_MOST; K++) {
        for (int form = ADAC_SECTIONS_DF1; form <= ADAC_SECTIONS_SVF; form++) {
            adac_sos_bank whole, split;
            cr_assert(adac_sos_bank_prepare(&whole, C, K, form, form == ADAC_SECTIONS_SVF ? svf : sos, B));
            cr_assert(adac_sos_bank_prepare(&split, C, K, form, form == ADAC_SECTIONS_SVF ? svf : sos, B));
            adac_sample xb[C][B], yw[C][B], ys[C][B];
            for (int round = 0; round < 20; round++) {
                const adac_sample *x[C], *xt[C];
                adac_sample *y[C], *yt[C];
                for (int c = 0; c < C; c++) {
                    for (int t = 0; t < B; t++) xb[c][t] = rnd(&s);
                    x[c] = xb[c], y[c] = yw[c];
                }
                adac_sos_bank_process(&whole, x, y, B);
                for (int t = 0; t < B; t++) {
                    for (int c = 0; c < C; c++) xt[c] = xb[c] + t, yt[c] = ys[c] + t;
                    adac_sos_bank_process(&split, xt, yt, 1);
                }
                for (int c = 0; c < C; c++)
                    for (int t = 0; t < B; t++)
                        cr_assert(yw[c][t] == ys[c][t], "%d sections, form %d round %d channel %d t=%d: %.17g vs %.17g", K, form, round, c, t, yw[c][t],
                                  ys[c][t]);
            }
            adac_sos_bank_free(&whole);
            adac_sos_bank_free(&split);
        }
    }
}

/* How fdn_json's filters come to run (ir/section_form.h): as state-variable
 * filters (one section's poles near z = 1), in direct form I because one
 * section has no state-variable form (a pole at z = -1, cancelled by a zero),
 * or in direct form I because every pole is well inside the circle. */
enum { FDN_SVF, FDN_DF1_UNMAPPED, FDN_DF1_QUIET };

/* An FDN as the engine fuses it: `lines` lines of the given delays, `inputs`
 * inputs and `outputs` outputs, K sections per line in the given FDN_ form.
 * Per-line feedback gains (line_loops.h), or a dense
 * feedback mix with dense_feedback (a one-input gain then runs inside the
 * loop: matrix_mix.h's column). shell wraps the input gain, which keeps the
 * engine from fusing: the same model run node by node. */
static char *fdn_json(int lines, int inputs, int outputs, int K, int form, const int *delays, int shell, unsigned seed,
                      int dense_feedback)
{
    size_t cap = 65536, len = 0;
    char *j = malloc(cap);
    unsigned s = seed;
#define PUT(...) (len += (size_t)snprintf(j + len, cap - len, __VA_ARGS__))
    PUT("{\"format\":\"adac-ir\",\"version\":1,\"name\":\"loops\",\"fs\":48000,\"graph\":{\"type\":\"series\",\"children\":[");
    PUT("%s{\"type\":\"gain\",\"params\":{\"matrix\":[", shell ? "{\"type\":\"shell\",\"core\":" : "");
    for (int l = 0; l < lines; l++) {
        PUT("%s[", l ? "," : "");
        for (int m = 0; m < inputs; m++) PUT("%s%.17g", m ? "," : "", rnd(&s) / 3.0);
        PUT("]");
    }
    PUT("]}}%s,{\"type\":\"recursion\",\"fF\":{\"type\":\"series\",\"children\":[", shell ? "}" : "");
    PUT("{\"type\":\"parallel_delay\",\"params\":{\"samples\":[");
    for (int l = 0; l < lines; l++) PUT("%s%d", l ? "," : "", delays[l]);
    PUT("]}},{\"type\":\"parallel_sos\",\"params\":{\"sections\":[");
    for (int l = 0; l < lines; l++) {
        PUT("%s[", l ? "," : "");
        for (int k = 0; k < K; k++) {
            if (form == FDN_DF1_UNMAPPED && l == 0 && k == 0) {
                PUT("%s[0.5,0.5,0,1,1,0]", k ? "," : "");
                continue;
            }
            double r = 0.5 + 0.4 * fabs(rnd(&s)), th = 3.0 * fabs(rnd(&s));
            if (form == FDN_DF1_QUIET) r = 0.3 + 0.3 * fabs(rnd(&s));
            if (form == FDN_SVF && l == 0 && k == 0) r = 0.995, th = 0.02;
            PUT("%s[%.17g,%.17g,%.17g,1,%.17g,%.17g]", k ? "," : "", rnd(&s) / 2, rnd(&s) / 2, rnd(&s) / 2, -2 * r * cos(th), r * r);
        }
        PUT("]");
    }
    if (dense_feedback) {
        PUT("]}}]},\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":[");
        for (int o = 0; o < lines; o++) {
            PUT("%s[", o ? "," : "");
            for (int l = 0; l < lines; l++) PUT("%s%.17g", l ? "," : "", 0.9 * rnd(&s) / sqrt(lines));
            PUT("]");
        }
    } else {
        PUT("]}}]},\"fB\":{\"type\":\"parallel_gain\",\"params\":{\"gains\":[");
        for (int l = 0; l < lines; l++) PUT("%s%.17g", l ? "," : "", 0.6 * rnd(&s));
    }
    PUT("]}}},{\"type\":\"gain\",\"params\":{\"matrix\":[");
    for (int o = 0; o < outputs; o++) {
        PUT("%s[", o ? "," : "");
        for (int l = 0; l < lines; l++) PUT("%s%.17g", l ? "," : "", rnd(&s) / 3.0);
        PUT("]");
    }
    PUT("]}}]}}");
#undef PUT
    cr_assert_lt(len, cap);
    return j;
}

#ifdef ADAC_SAMPLE_SINGLE
#define THIS_PRECISION ADAC_PRECISION_SINGLE
#define ENGINE_PROCESS adac_engine_process_float
#else
#define THIS_PRECISION ADAC_PRECISION_DOUBLE
#define ENGINE_PROCESS adac_engine_process
#endif

/* The pass against the nodes it stands for, run as the engine runs them one by
 * one: the input gain's mix, the bank, the per-line gain and the add, the
 * output gain's mix. Chunks of every remainder, states carried across them;
 * the bits of the loop's next input, of every output and of the filters'
 * states must agree. */
static void check_line_loops(int lines, int inputs, int outputs, int K, int form)
{
    enum { B = 70 };
    int delays[40];
    for (int l = 0; l < lines; l++) delays[l] = 100 + l;
    char err[ADAC_ERR_LEN], *json = fdn_json(lines, inputs, outputs, K, form, delays, 0, 3u + (unsigned)lines, 0);
    adac_graph *g = adac_graph_load_string(json, err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    adac_plan(g, ADAC_PLAN_LONGEST_LOOP);
    const adac_node *gin = g->root->children[0], *loop = g->root->children[1], *gout = g->root->children[2];
    const adac_node *filters = loop->children[0]->children[1], *feedback = loop->children[1];
    cr_assert(adac_line_loops_fit(gin, loop, gout));
    cr_assert_eq(filters->section_form, form == FDN_SVF ? ADAC_SECTIONS_SVF : ADAC_SECTIONS_DF1);
    adac_sos_bank ref_bank, bank;
    adac_matrix_mixer mix_in, mix_out;
    adac_line_loops ll;
    const double *numbers = adac_node_section_numbers(filters);
    cr_assert(adac_sos_bank_prepare(&ref_bank, lines, K, filters->section_form, numbers, B));
    cr_assert(adac_sos_bank_prepare(&bank, lines, K, filters->section_form, numbers, B));
    cr_assert(adac_matrix_mix_prepare(&mix_in, gin) && adac_matrix_mix_prepare(&mix_out, gout));
    cr_assert(adac_line_loops_prepare(&ll, &mix_in, loop, &mix_out, &bank, B));
    adac_sample **in = adac_bus_alloc(inputs, B), **read = adac_bus_alloc(lines, B);
    adac_sample **x = adac_bus_alloc(lines, B), **y = adac_bus_alloc(lines, B), **u = adac_bus_alloc(lines, B);
    adac_sample **out = adac_bus_alloc(outputs, B), **want_u = adac_bus_alloc(lines, B), **want_out = adac_bus_alloc(outputs, B);
    unsigned s = 9;
    const int chunks[] = {70, 1, 37, 8, 3, 64, 5, 16, 69};
    double peak = 0;
    for (size_t b = 0; b < sizeof chunks / sizeof *chunks; b++) {
        int n = chunks[b];
        for (int m = 0; m < inputs; m++)
            for (int t = 0; t < n; t++) in[m][t] = rnd(&s) / 3.0;
        for (int l = 0; l < lines; l++)
            for (int t = 0; t < n; t++) read[l][t] = rnd(&s) / 3.0;
        adac_matrix_mix(&mix_in, (const adac_sample *const *)in, x, n);
        adac_sos_bank_process(&ref_bank, (const adac_sample *const *)read, y, n);
        for (int l = 0; l < lines; l++) adac_vec_scale_add(want_u[l], y[l], (adac_sample)feedback->gain[l], x[l], n);
        adac_matrix_mix(&mix_out, (const adac_sample *const *)y, want_out, n);
        adac_line_loops_process(&ll, (const adac_sample *const *)in, (const adac_sample *const *)read, u, out, n);
        for (int l = 0; l < lines; l++)
            for (int t = 0; t < n; t++)
                cr_assert(!memcmp(&u[l][t], &want_u[l][t], sizeof u[l][t]), "%d lines %d in %d out %d sections form %d, chunk %zu: line %d t=%d: %a, node by node %a",
                          lines, inputs, outputs, K, filters->section_form, b, l, t, u[l][t], want_u[l][t]);
        for (int o = 0; o < outputs; o++)
            for (int t = 0; t < n; t++) {
                cr_assert(!memcmp(&out[o][t], &want_out[o][t], sizeof out[o][t]), "%d lines %d in %d out %d sections form %d, chunk %zu: out %d t=%d: %a, node by node %a",
                          lines, inputs, outputs, K, filters->section_form, b, o, t, out[o][t], want_out[o][t]);
                peak = fmax(peak, fabs(want_out[o][t]));
            }
    }
    size_t states = (size_t)K * ADAC_SECTION_STATES * bank.lanes * sizeof *bank.state;
    cr_assert(!memcmp(bank.state, ref_bank.state, states), "%d lines: the filters' states differ", lines);
    cr_assert_gt(peak, 1e-3, "%d lines: the outputs are not silent", lines);
    adac_line_loops_free(&ll);
    adac_sos_bank_free(&ref_bank), adac_sos_bank_free(&bank);
    adac_matrix_mix_free(&mix_in), adac_matrix_mix_free(&mix_out);
    adac_bus_free(in), adac_bus_free(read), adac_bus_free(x), adac_bus_free(y), adac_bus_free(u);
    adac_bus_free(out), adac_bus_free(want_u), adac_bus_free(want_out);
    adac_graph_free(g);
    free(json);
}

/* One line, one vector, pairs of vectors with and without padding, 32 lines;
 * one and two inputs and outputs; one section and two; both forms, direct
 * form I for both reasons. */
Test(line_loops, equal_the_nodes_they_fuse_bit_for_bit)
{
    const int shapes[][5] = {{1, 1, 1, 1, FDN_SVF},          {3, 2, 1, 1, FDN_DF1_QUIET},    {5, 1, 2, 1, FDN_DF1_UNMAPPED},
                             {8, 1, 1, 2, FDN_SVF},          {11, 2, 3, 1, FDN_SVF},         {13, 1, 1, 2, FDN_DF1_UNMAPPED},
                             {32, 1, 1, 1, FDN_SVF},         {32, 2, 2, 1, FDN_DF1_UNMAPPED}, {32, 1, 1, 1, FDN_DF1_QUIET},
                             {13, 2, 1, 2, FDN_DF1_QUIET}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
        check_line_loops(shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][3], shapes[i][4]);
}

/* The engine's fused loops against the same model run node by node (its input
 * gain in a shell, which the engine does not fuse), byte for byte: delays
 * shorter than the block (several chunks per block), rings that wrap in the
 * middle of a run, blocks that end mid-vector. */
/* An FDN run fused (the engine's choice for this graph) against the same FDN
 * with its input gain inside a shell, which the engine runs node by node: the
 * bytes of every output sample, for blocks that split chunks and runs that
 * cross ring ends. */
static void check_fused_fdn(const int (*shapes)[5], size_t n_shapes, int dense_feedback)
{
    const int blocks[] = {1, 37, 256};
    for (size_t i = 0; i < n_shapes; i++) {
        int lines = shapes[i][0], inputs = shapes[i][1], outputs = shapes[i][2], delays[40];
        unsigned s = 21;
        for (int l = 0; l < lines; l++) delays[l] = 23 + (int)(fabs(rnd(&s)) * 300);
        char *fused_json = fdn_json(lines, inputs, outputs, shapes[i][3], shapes[i][4], delays, 0, 5, dense_feedback);
        char *nodes_json = fdn_json(lines, inputs, outputs, shapes[i][3], shapes[i][4], delays, 1, 5, dense_feedback);
        for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
            enum { T = 3000 };
            int n = blocks[b];
            char err[ADAC_ERR_LEN];
            adac_engine *fe = adac_engine_from_json(fused_json, NULL, n, THIS_PRECISION, err, sizeof err);
            cr_assert_not_null(fe, "%s", err);
            adac_engine *ne = adac_engine_from_json(nodes_json, NULL, n, THIS_PRECISION, err, sizeof err);
            cr_assert_not_null(ne, "%s", err);
            adac_sample **in = adac_bus_alloc(inputs, n), **fo = adac_bus_alloc(outputs, n), **no = adac_bus_alloc(outputs, n);
            double peak = 0;
            for (int off = 0; off + n <= T; off += n) {
                for (int m = 0; m < inputs; m++)
                    for (int t = 0; t < n; t++) in[m][t] = off + t < 400 ? rnd(&s) / 3.0 : 0;
                ENGINE_PROCESS(fe, (const adac_sample *const *)in, fo, n);
                ENGINE_PROCESS(ne, (const adac_sample *const *)in, no, n);
                for (int o = 0; o < outputs; o++)
                    for (int t = 0; t < n; t++) {
                        cr_assert(!memcmp(&fo[o][t], &no[o][t], sizeof fo[o][t]), "%d lines, block %d: out %d t=%d: fused %a, node by node %a",
                                  lines, n, o, off + t, fo[o][t], no[o][t]);
                        if (off + t > 2000) peak = fmax(peak, fabs(no[o][t]));
                    }
            }
            cr_assert_gt(peak, 1e-6, "%d lines: the loops still ring after 2000 samples", lines);
            adac_engine_free(fe), adac_engine_free(ne);
            adac_bus_free(in), adac_bus_free(fo), adac_bus_free(no);
        }
        free(fused_json), free(nodes_json);
    }
}

Test(line_loops, the_engine_gives_the_bits_of_the_unfused_graph)
{
    const int shapes[][5] = {{3, 1, 1, 1, FDN_SVF},  {9, 2, 2, 1, FDN_DF1_UNMAPPED}, {32, 1, 1, 1, FDN_SVF},
                             {12, 1, 2, 2, FDN_SVF}, {32, 1, 1, 1, FDN_DF1_QUIET}};
    check_fused_fdn(shapes, sizeof shapes / sizeof *shapes, 0);
}

/* A dense feedback mix: a one-input gain runs inside the loop (its column added
 * in the mix's pass); with two inputs it does not, and the engine must give
 * the same bytes either way. */
Test(column_gain, the_engine_gives_the_bits_of_the_unfused_graph)
{
    const int shapes[][5] = {{2, 1, 1, 1, FDN_SVF},  {7, 1, 2, 1, FDN_SVF},         {13, 1, 1, 2, FDN_DF1_UNMAPPED},
                             {32, 1, 1, 1, FDN_SVF}, {9, 2, 1, 1, FDN_SVF},         {32, 1, 1, 1, FDN_DF1_QUIET}};
    check_fused_fdn(shapes, sizeof shapes / sizeof *shapes, 1);
}
