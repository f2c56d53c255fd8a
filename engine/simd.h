/* Portable short vectors (GCC/Clang vector extensions) and the clone attribute
 * that compiles a hot loop twice, for AVX2+FMA machines and for any x86-64 (or
 * just once elsewhere), chosen at load time. No intrinsics: the same source
 * serves every target. */
#ifndef ADAC_SIMD_H
#define ADAC_SIMD_H

/* The helpers below pass vectors by value but are static inline, so no call ever
 * crosses an ABI boundary: GCC's note that AVX changes the vector ABI is moot. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* Four doubles; aligned(8) makes loads and stores through a pointer unaligned. */
typedef double adac_v4d __attribute__((vector_size(32), aligned(8)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define ADAC_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define ADAC_HOT
#endif

static inline adac_v4d adac_v4d_splat(double x)
{
    return (adac_v4d){x, x, x, x};
}

#endif
