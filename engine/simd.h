/* Portable short vectors (GCC/Clang vector extensions) and run-time dispatch of
 * the hot loops: each is compiled three times from one body - for AVX-512
 * (x86-64-v4), AVX2 (x86-64-v3) and any x86-64 - and the level is chosen once,
 * when the library loads: the best the CPU has, or lower where the environment
 * variable ADAC_SIMD (baseline, avx2, avx512) asks for it. The engine is
 * compiled without contraction of multiply-adds; the kernels that fuse one do
 * so explicitly and exactly at every level (adac_vec_fma, fma_exact.h); and
 * every sum runs in the same order at every level: so each precision's path
 * gives the same bits at each. */
#ifndef ADAC_SIMD_H
#define ADAC_SIMD_H

typedef enum { ADAC_SIMD_BASELINE, ADAC_SIMD_AVX2, ADAC_SIMD_AVX512 } adac_simd_level;

/* The level the hot loops run at in this process (fixed at load). */
adac_simd_level adac_simd_level_in_use(void);
/* The best level this CPU has, whatever ADAC_SIMD says. */
adac_simd_level adac_simd_level_supported(void);
const char *adac_simd_level_name(adac_simd_level level);

/* A hot loop's body: `static ADAC_BODY void name_body(params)`, then
 * ADAC_DISPATCH(linkage, name, (params), (args)) defines `name` with the body
 * compiled for each level. ADAC_DISPATCH_LEVEL does the same for a body that
 * takes the level it is compiled for first, `name_body(adac_simd_level level,
 * params)`: a constant in each copy, for loops whose best shape differs between
 * SSE2's sixteen 128-bit registers and AVX's 256-bit ones. */
#define ADAC_BODY inline __attribute__((always_inline))
#define ADAC_UNPAREN(...) __VA_ARGS__

/* How a copy calls its body: as written, or with the level first. The body's
 * name is pasted in ADAC_DISPATCH itself, before `name` (often a macro that
 * adds the sample type) is expanded. */
#define ADAC_CALL_PLAIN(body, level, args) body args
#define ADAC_CALL_LEVEL(body, level, args) body(level, ADAC_UNPAREN args)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define ADAC_DISPATCH_WITH(call, linkage, name, body, params, args)                                           \
    __attribute__((target("arch=x86-64-v4"))) static void name##_avx512 params                                \
    {                                                                                                         \
        call(body, ADAC_SIMD_AVX512, args);                                                                   \
    }                                                                                                         \
    __attribute__((target("arch=x86-64-v3"))) static void name##_avx2 params                                  \
    {                                                                                                         \
        call(body, ADAC_SIMD_AVX2, args);                                                                     \
    }                                                                                                         \
    static void name##_baseline params { call(body, ADAC_SIMD_BASELINE, args); }                              \
    linkage void name params                                                                                  \
    {                                                                                                         \
        switch (adac_simd_level_in_use()) {                                                                   \
        case ADAC_SIMD_AVX512: name##_avx512 args; return;                                                    \
        case ADAC_SIMD_AVX2: name##_avx2 args; return;                                                        \
        default: name##_baseline args; return;                                                                \
        }                                                                                                     \
    }
#else
#define ADAC_DISPATCH_WITH(call, linkage, name, body, params, args) \
    linkage void name params { call(body, ADAC_SIMD_BASELINE, args); }
#endif
#define ADAC_DISPATCH(linkage, name, params, args) \
    ADAC_DISPATCH_WITH(ADAC_CALL_PLAIN, linkage, name, name##_body, params, args)
#define ADAC_DISPATCH_LEVEL(linkage, name, params, args) \
    ADAC_DISPATCH_WITH(ADAC_CALL_LEVEL, linkage, name, name##_body, params, args)

#endif
