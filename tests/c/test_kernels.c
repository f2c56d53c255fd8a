/* The engine's kernels against plain references written out here, in the
 * sample type this file is compiled for: it is built twice, as test_kernels
 * (double) and test_kernels_single (ADAC_SAMPLE_SINGLE, the build plugins run).
 * The baseline level's fused multiply-add against C's fma, register-blocked and
 * structured mixing against the dense product, the fused loop-input add against
 * mix then add, and the cross-channel SOS bank against one cascade per channel
 * and across block splits. */
#include "fma_exact.h"
#include "matrix_mix.h"
#include "simd.h"
#include "section_form.h"
#include "sos_bank.h"
#include "sos_cascade.h"

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

/* Products that underflow: inputs a few steps above the smallest subnormal, so
 * that sums pass through signed zeros. Every tile and every one-sample tail
 * must keep the sign the definition gives (bytes, not ==): a -0 turned +0 in
 * one path made a model's output depend on where its blocks ended. */
Test(matrix_mix, sums_through_signed_zeros_equal_the_definition_in_every_path)
{
#ifdef ADAC_SAMPLE_SINGLE
    const adac_sample tiny = 0x1p-149f;
#else
    const adac_sample tiny = 0x1p-1074;
#endif
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
                for (int t = 0; t < n; t++) x[i][t] = (adac_sample)((int)(rnd(&s) * 3) * tiny); /* -2..2 steps */
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
 * channels of K sections each. */
static void check_bank(adac_section_form form, int C, int K)
{
    enum { B = 50 };
    unsigned s = 11;
    double *sos = calloc((size_t)C * K * 6, sizeof *sos), *svf = calloc((size_t)C * K * 6, sizeof *svf);
    for (int c = 0; c < C; c++)
        for (int k = 0; k < K; k++) {
            double *q = sos + (c * K + k) * 6;
            double r = 0.5 + 0.4 * fabs(rnd(&s)), th = 3.0 * fabs(rnd(&s));
            q[0] = rnd(&s), q[1] = rnd(&s), q[2] = rnd(&s), q[3] = 1;
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
                for (int t = 0; t < n; t++) x[c][t] = rnd(&s);
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
    cr_assert_gt(peak, 0.1);
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
