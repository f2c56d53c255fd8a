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

/* Every lane x, as a shuffle of a vector that holds x in lane 0. Inside the
 * dispatch clones GCC 12 builds an initialiser list {x, x, x, x} from two
 * halves (vmovddup, vinsertf128: one shuffle-port operation per broadcast) and
 * {x, ..., x} for floats from eight inserts; the shuffle becomes one
 * vbroadcastsd/vbroadcastss from memory, which dense mixing does per gain (1.3x
 * faster there). */
static inline __attribute__((always_inline)) adac_vec adac_vec_splat(adac_sample x)
{
    adac_vec first = {x};
#ifdef ADAC_SAMPLE_SINGLE
    return __builtin_shufflevector(first, first, 0, 0, 0, 0, 0, 0, 0, 0);
#else
    return __builtin_shufflevector(first, first, 0, 0, 0, 0);
#endif
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
