/* Portable short vectors (GCC/Clang vector extensions) and run-time dispatch of
 * the hot loops: each is compiled several times from one body - for AVX-512
 * (x86-64-v4), AVX2 with FMA (x86-64-v3) and any x86-64 - and the level is
 * chosen once, when the library loads: the best the CPU has, or another where
 * the environment variable ADAC_SIMD (nofma, baseline, avx2, avx512) asks for
 * it. The engine is compiled without contraction of multiply-adds; the kernels
 * that fuse one do so explicitly (adac_vec_fma); and every sum runs in the same
 * order at every level. So baseline, avx2 and avx512 give each precision's path
 * the same bits: one oracle.
 *
 * baseline reaches those bits without FMA hardware by emulating the fused
 * multiply-adds exactly (fma_exact.h), about ten times the cost of a multiply
 * and an add. A CPU without AVX2 and FMA therefore runs nofma by default: the
 * baseline code with each of those multiply-adds rounded twice, as fast as the
 * engine ran before it fused them, within rounding of the oracle but not its
 * bits. */
#ifndef ADAC_SIMD_H
#define ADAC_SIMD_H

typedef enum { ADAC_SIMD_NOFMA, ADAC_SIMD_BASELINE, ADAC_SIMD_AVX2, ADAC_SIMD_AVX512 } adac_simd_level;

/* The level the hot loops run at in this process (fixed at load). */
adac_simd_level adac_simd_level_in_use(void);
/* The level this CPU runs by default, whatever ADAC_SIMD says. */
adac_simd_level adac_simd_level_supported(void);
const char *adac_simd_level_name(adac_simd_level level);

/* A hot loop's body: `static ADAC_BODY void name_body(params)`, then
 * ADAC_DISPATCH(linkage, name, (params), (args)) defines `name` with the body
 * compiled for each level (nofma runs the baseline copy). ADAC_DISPATCH_LEVEL
 * does the same for a body that takes the level it is compiled for first,
 * `name_body(adac_simd_level level, params)`: a constant in each copy, for loops
 * whose best shape differs between SSE2's sixteen 128-bit registers and AVX's
 * 256-bit ones, or that fuse multiply-adds (a copy of its own for nofma). */
#define ADAC_BODY inline __attribute__((always_inline))
#define ADAC_UNPAREN(...) __VA_ARGS__

/* How a copy calls its body: as written, or with the level first. The body's
 * name is pasted in ADAC_DISPATCH itself, before `name` (often a macro that
 * adds the sample type) is expanded. */
#define ADAC_CALL_PLAIN(body, level, args) body args
#define ADAC_CALL_LEVEL(body, level, args) body(level, ADAC_UNPAREN args)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define ADAC_DISPATCH_CLONES(call, name, body, params, args)                                                  \
    __attribute__((target("arch=x86-64-v4"))) static void name##_avx512 params                                \
    {                                                                                                         \
        call(body, ADAC_SIMD_AVX512, args);                                                                   \
    }                                                                                                         \
    __attribute__((target("arch=x86-64-v3"))) static void name##_avx2 params                                  \
    {                                                                                                         \
        call(body, ADAC_SIMD_AVX2, args);                                                                     \
    }                                                                                                         \
    static void name##_baseline params { call(body, ADAC_SIMD_BASELINE, args); }
/* nofma_copy: the copy that runs at nofma (name##_baseline or name##_nofma). */
#define ADAC_DISPATCH_SWITCH(linkage, name, params, args, nofma_copy)                                         \
    linkage void name params                                                                                  \
    {                                                                                                         \
        switch (adac_simd_level_in_use()) {                                                                   \
        case ADAC_SIMD_AVX512: name##_avx512 args; return;                                                    \
        case ADAC_SIMD_AVX2: name##_avx2 args; return;                                                        \
        case ADAC_SIMD_NOFMA: nofma_copy args; return;                                                        \
        default: name##_baseline args; return;                                                                \
        }                                                                                                     \
    }
#define ADAC_DISPATCH_WITH(call, linkage, name, body, params, args) \
    ADAC_DISPATCH_CLONES(call, name, body, params, args)            \
    ADAC_DISPATCH_SWITCH(linkage, name, params, args, name##_baseline)
#define ADAC_DISPATCH_WITH_NOFMA(call, linkage, name, body, params, args)              \
    ADAC_DISPATCH_CLONES(call, name, body, params, args)                               \
    static void name##_nofma params { call(body, ADAC_SIMD_NOFMA, args); }             \
    ADAC_DISPATCH_SWITCH(linkage, name, params, args, name##_nofma)
#else
/* One copy, at the level the compiler targets: fused multiply-adds where it has
 * them in hardware (__FP_FAST_FMA), else rounded twice. */
#ifdef __FP_FAST_FMA
#define ADAC_SIMD_ONLY ADAC_SIMD_BASELINE
#else
#define ADAC_SIMD_ONLY ADAC_SIMD_NOFMA
#endif
#define ADAC_DISPATCH_WITH(call, linkage, name, body, params, args) \
    linkage void name params { call(body, ADAC_SIMD_ONLY, args); }
#define ADAC_DISPATCH_WITH_NOFMA ADAC_DISPATCH_WITH
#endif
#define ADAC_DISPATCH(linkage, name, params, args) \
    ADAC_DISPATCH_WITH(ADAC_CALL_PLAIN, linkage, name, name##_body, params, args)
#define ADAC_DISPATCH_LEVEL(linkage, name, params, args) \
    ADAC_DISPATCH_WITH_NOFMA(ADAC_CALL_LEVEL, linkage, name, name##_body, params, args)

#endif
