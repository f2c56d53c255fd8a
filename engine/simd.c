#include "simd.h"

#include <stdlib.h>
#include <string.h>

/* Written once, before anything else in the library runs, and only read after. */
static adac_simd_level chosen = ADAC_SIMD_NOFMA, best = ADAC_SIMD_NOFMA;

adac_simd_level adac_simd_level_supported(void)
{
    return best;
}

adac_simd_level adac_simd_level_in_use(void)
{
    return chosen;
}

const char *adac_simd_level_name(adac_simd_level level)
{
    switch (level) {
    case ADAC_SIMD_AVX512: return "avx512";
    case ADAC_SIMD_AVX2: return "avx2";
    case ADAC_SIMD_BASELINE: return "baseline";
    default: return "nofma";
    }
}

__attribute__((constructor)) static void choose_level(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2"))
        best = ADAC_SIMD_AVX2;
    if (best == ADAC_SIMD_AVX2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512cd"))
        best = ADAC_SIMD_AVX512;
    /* Every x86-64 runs nofma and baseline (the exact emulation, slow but the
     * oracle's bits); the AVX levels where the CPU has them. */
    adac_simd_level highest = best > ADAC_SIMD_BASELINE ? best : ADAC_SIMD_BASELINE;
    chosen = best;
    const char *want = getenv("ADAC_SIMD");
    for (int l = ADAC_SIMD_NOFMA; want && l <= (int)highest; l++)
        if (!strcmp(want, adac_simd_level_name((adac_simd_level)l))) chosen = (adac_simd_level)l;
#else
    chosen = best = ADAC_SIMD_ONLY; /* one copy of each loop (simd.h) */
#endif
}
