/* The dense mixes' arithmetic, shared by every kernel that computes one
 * (matrix_mix.c, and line_loops.c where an FDN's input and output gains run
 * inside its loop pass): each sample's sum starts at +0 and adds its products in
 * input order, each fused into the sum. Bodies for the dispatch clones of
 * simd.h, which pass the level they are compiled for. */
#ifndef ADAC_FUSED_MADD_H
#define ADAC_FUSED_MADD_H

#include "fma_exact.h"
#include "sample.h"
#include "simd.h"

/* a * b + c rounded once: the dense kernels fuse each product into its sum
 * (one instruction for both where the CPU has FMA, which is what lets them near
 * the core's peak). baseline, avx2 and avx512 give the same bits: the AVX copies
 * use the hardware's vfmadd, the baseline copy an exact emulation
 * (fma_exact.h). The nofma copy rounds twice (simd.h). */
static ADAC_BODY adac_vec fused(adac_simd_level level, adac_vec a, adac_vec b, adac_vec c)
{
    if (level == ADAC_SIMD_NOFMA) return a * b + c;
#ifndef __FP_FAST_FMA
    if (level == ADAC_SIMD_BASELINE) return adac_vec_fma_exact(a, b, c);
#endif
    return adac_vec_fma(a, b, c);
}

/* One sample (the tails), through lane 0 of the same arithmetic. Lane 0 only,
 * not a splat: the float splat (0 + x) turns -0 into +0, and the sign of a sum
 * that underflows to zero must not depend on where a block ends. */
static ADAC_BODY adac_sample fused1(adac_simd_level level, adac_sample a, adac_sample b, adac_sample c)
{
    adac_vec va = {a}, vb = {b}, vc = {c};
    return fused(level, va, vb, vc)[0];
}

/* The sum of a dense mix of one input: one product fused into +0. Kernels that
 * run such a gain inside another pass (an FDN's input gain in line loops or in
 * its loop's feedback mix) compute exactly this, so they keep the gain's bits. */
static ADAC_BODY adac_vec one_input_sum(adac_simd_level level, adac_vec g, adac_vec x)
{
    return fused(level, g, x, (adac_vec){0});
}

static ADAC_BODY adac_sample one_input_sum1(adac_simd_level level, adac_sample g, adac_sample x)
{
    return fused1(level, g, x, 0);
}

/* A gain in every lane, the way that compiles best at each level (sample.h):
 * the initialiser at nofma, where it is the fast one in SSE2 code; elsewhere the
 * shuffle, which also keeps a -0 gain's sign (the float initialiser, 0 + x,
 * does not, and a fused sum of zeros keeps the sign of its products: baseline
 * must match the AVX levels byte for byte, at the price of a slower broadcast
 * in a copy that is slow anyway). */
static ADAC_BODY adac_vec gain_vec(adac_simd_level level, adac_sample g)
{
    return level == ADAC_SIMD_NOFMA ? adac_vec_splat(g) : adac_vec_broadcast(g);
}

#endif
