/* The engine's sample type. Every engine module is compiled twice from one
 * source: in double precision (the reference oracle) and, with
 * ADAC_SAMPLE_SINGLE defined, in single precision (what plugins ship), with
 * twice the lanes in each vector. A module's header renames its functions with
 * ADAC_SAMPLE_NAME, so the two builds link side by side and each translation
 * unit sees the one it was compiled for; engine.h is the only interface that
 * offers both (adac_precision). */
#ifndef ADAC_SAMPLE_H
#define ADAC_SAMPLE_H

#ifdef ADAC_SAMPLE_SINGLE
typedef float adac_sample;
#define ADAC_SAMPLE_NAME(name) name##_f32
#define ADAC_LANES 8
#else
typedef double adac_sample;
#define ADAC_SAMPLE_NAME(name) name##_f64
#define ADAC_LANES 4
#endif

/* The helpers below pass vectors by value but are static inline, so no call ever
 * crosses an ABI boundary: GCC's note that AVX changes the vector ABI is moot. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* One 256-bit vector of samples (4 doubles or 8 floats); aligned to one sample,
 * so loads and stores through a pointer may be unaligned. */
typedef adac_sample adac_vec __attribute__((vector_size(32), aligned(sizeof(adac_sample))));

/* For local arrays of vectors that a hot loop may spill to the stack: aligned
 * to a whole vector, which adac_vec's own alignment does not ask for, so that
 * no spilled vector straddles two cache lines (the one-section biquad pass in
 * single precision ran 5 % faster for it). */
#define ADAC_VEC_LOCAL __attribute__((aligned(32)))

/* Every lane x, in two ways, because GCC 12 compiles them differently inside
 * the dispatch clones (simd.h), and each is the fast one somewhere.
 * adac_vec_splat, an initialiser list: for doubles two halves joined by a
 * shuffle in AVX code (vmovddup, vinsertf128); for floats 0 + x, since
 * {x, ..., x} became eight inserts (the price is one scalar add; -0 becomes
 * +0, which changes the sign of a fused sum of zeros, so only code that does not
 * fuse may splat a -0). In SSE2 code it is the fast one. adac_vec_broadcast, a shuffle of lane 0: one vbroadcastsd or
 * vbroadcastss from memory in AVX code, but lowered lane by lane in SSE2 code
 * (the dense mix at baseline ran 4x slower with it). */
static inline __attribute__((always_inline)) adac_vec adac_vec_splat(adac_sample x)
{
#ifdef ADAC_SAMPLE_SINGLE
    return (adac_vec){0} + x;
#else
    return (adac_vec){x, x, x, x};
#endif
}

static inline __attribute__((always_inline)) adac_vec adac_vec_broadcast(adac_sample x)
{
    adac_vec first = {x};
#ifdef ADAC_SAMPLE_SINGLE
    return __builtin_shufflevector(first, first, 0, 0, 0, 0, 0, 0, 0, 0);
#else
    return __builtin_shufflevector(first, first, 0, 0, 0, 0);
#endif
}

/* a * b + c rounded once: a fused multiply-add, which C defines exactly, so it
 * gives the same bits wherever it runs. The engine is compiled without
 * contraction (no level fuses a multiply-add of its own accord); a kernel that
 * fuses one says so with these. Per lane, the AVX copies compile adac_vec_fma to
 * one vfmadd per vector; in code built without FMA each lane is a call to the C
 * library's fma, which is why the baseline copies use fma_exact.h instead and
 * call this only for the lanes that emulation cannot take. */
static inline __attribute__((always_inline)) adac_sample adac_fma(adac_sample a, adac_sample b, adac_sample c)
{
#ifdef ADAC_SAMPLE_SINGLE
    return __builtin_fmaf(a, b, c);
#else
    return __builtin_fma(a, b, c);
#endif
}

static inline __attribute__((always_inline)) adac_vec adac_vec_fma(adac_vec a, adac_vec b, adac_vec c)
{
    adac_vec r;
    for (int l = 0; l < ADAC_LANES; l++) r[l] = adac_fma(a[l], b[l], c[l]);
    return r;
}

static inline __attribute__((always_inline)) adac_vec adac_vec_load(const adac_sample *p)
{
    return *(const adac_vec *)p;
}

static inline __attribute__((always_inline)) void adac_vec_store(adac_sample *p, adac_vec v)
{
    *(adac_vec *)p = v;
}

#endif
