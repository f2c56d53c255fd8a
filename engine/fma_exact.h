/* A fused multiply-add, a * b + c rounded once, exactly as C's fma defines it,
 * for vector code on CPUs without FMA hardware (the baseline dispatch level).
 * The AVX levels compute the dense mix with vfmadd; the baseline must give the
 * same bits (simd.h), and the C library's fma, exact too, takes a slow software
 * route there (about 140 ns a call when glibc finds no FMA), so this one does it
 * in ordinary SIMD arithmetic:
 *
 *  - doubles, after Boldo and Melquiond ("Emulation of FMA and correctly rounded
 *    sums: proved algorithms using rounding to odd", IEEE TC 2008): a * b = uh +
 *    ul exactly (Dekker's product on Veltkamp's split), c + uh = th + tl exactly
 *    (Knuth's two-sum), v = tl + ul rounded to odd, result th + v rounded to
 *    nearest. Exact while nothing overflows and the product's low part does not
 *    underflow; lanes outside that range (|a|, |b| >= 2^995, a product or c
 *    below 2^-900, non-finite values) go to the C library's fma.
 *  - floats, through doubles: a * b is exact in a double, the sum with c is
 *    rounded to odd in double, and rounding that to float is the correctly
 *    rounded result (53 >= 24 + 2 bits). Non-finite lanes go to fmaf.
 *
 * Compiled without contraction (like the whole engine), so every product and
 * sum below is the one written. */
#ifndef ADAC_FMA_EXACT_H
#define ADAC_FMA_EXACT_H

#include "sample.h"

/* Two lanes at a time: SSE2's own width, so that every compare is one
 * instruction (GCC splits wider vectors' compares into scalar code). */
typedef double adac_fma_d2 __attribute__((vector_size(16)));
typedef long long adac_fma_i2 __attribute__((vector_size(16)));
/* Bits as unsigned where they are stepped: the pattern of -0 minus one wraps by
 * definition (in a signed type it would overflow). */
typedef unsigned long long adac_fma_u2 __attribute__((vector_size(16)));

/* The error of s = a + b (Knuth): a + b - s, exactly. */
static inline __attribute__((always_inline)) adac_fma_d2 adac_fma_two_sum_error(adac_fma_d2 a, adac_fma_d2 b, adac_fma_d2 s)
{
    adac_fma_d2 b_part = s - a, a_part = s - b_part;
    return (a - a_part) + (b - b_part);
}

/* s + e rounded to odd, where s = RN(s + e) and e is its exact error: s, or
 * where e is not zero and s is even, its neighbour towards e (s is not zero
 * there). Only bitwise operations and double compares: SSE2 has no 64-bit
 * integer compare. */
static inline __attribute__((always_inline)) adac_fma_d2 adac_fma_round_odd(adac_fma_d2 s, adac_fma_d2 e)
{
    adac_fma_u2 bits = (adac_fma_u2)s;
    adac_fma_u2 away = bits | 1, towards_zero = (bits - 1) | 1; /* s if odd, else a neighbour */
    adac_fma_u2 inexact = (adac_fma_u2)(e != 0), same_sign = ~(adac_fma_u2)((s > 0) ^ (e > 0));
    adac_fma_u2 odd = (same_sign & away) | (~same_sign & towards_zero);
    return (adac_fma_d2)((inexact & odd) | (~inexact & bits));
}

#ifdef ADAC_SAMPLE_SINGLE
typedef float adac_fma_f2 __attribute__((vector_size(8)));
typedef float adac_fma_f4 __attribute__((vector_size(16)));
typedef int adac_fma_m4 __attribute__((vector_size(16)));

/* Two floats, widened: a * b exact, + c rounded to odd, narrowed once. */
static inline __attribute__((always_inline)) adac_fma_f2 adac_fma_pair(adac_fma_f2 a, adac_fma_f2 b, adac_fma_f2 c)
{
    adac_fma_d2 wa = __builtin_convertvector(a, adac_fma_d2), wb = __builtin_convertvector(b, adac_fma_d2);
    adac_fma_d2 wc = __builtin_convertvector(c, adac_fma_d2);
    adac_fma_d2 p = wa * wb, s = p + wc;
    return __builtin_convertvector(adac_fma_round_odd(s, adac_fma_two_sum_error(p, wc, s)), adac_fma_f2);
}

static inline __attribute__((always_inline)) adac_fma_f4 adac_fma_quad(adac_fma_f4 a, adac_fma_f4 b, adac_fma_f4 c)
{
    adac_fma_f2 lo = adac_fma_pair(__builtin_shufflevector(a, a, 0, 1), __builtin_shufflevector(b, b, 0, 1),
                                   __builtin_shufflevector(c, c, 0, 1));
    adac_fma_f2 hi = adac_fma_pair(__builtin_shufflevector(a, a, 2, 3), __builtin_shufflevector(b, b, 2, 3),
                                   __builtin_shufflevector(c, c, 2, 3));
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3);
}

static inline __attribute__((always_inline)) adac_vec adac_vec_fma_exact(adac_vec a, adac_vec b, adac_vec c)
{
    adac_fma_f4 a0 = __builtin_shufflevector(a, a, 0, 1, 2, 3), a1 = __builtin_shufflevector(a, a, 4, 5, 6, 7);
    adac_fma_f4 b0 = __builtin_shufflevector(b, b, 0, 1, 2, 3), b1 = __builtin_shufflevector(b, b, 4, 5, 6, 7);
    adac_fma_f4 c0 = __builtin_shufflevector(c, c, 0, 1, 2, 3), c1 = __builtin_shufflevector(c, c, 4, 5, 6, 7);
    /* x - x is NaN for an infinity or a NaN: those lanes go to the C library */
    adac_fma_m4 finite = ((a0 - a0) + (b0 - b0) + (c0 - c0) == 0) & ((a1 - a1) + (b1 - b1) + (c1 - c1) == 0);
    if (!(finite[0] & finite[1] & finite[2] & finite[3])) return adac_vec_fma(a, b, c); /* the C library's, per lane */
    adac_fma_f4 r0 = adac_fma_quad(a0, b0, c0), r1 = adac_fma_quad(a1, b1, c1);
    return __builtin_shufflevector(r0, r1, 0, 1, 2, 3, 4, 5, 6, 7);
}
#else
/* Veltkamp: x = hi + lo, each with at most 26 significant bits. */
static inline __attribute__((always_inline)) void adac_fma_split(adac_fma_d2 x, adac_fma_d2 *hi, adac_fma_d2 *lo)
{
    adac_fma_d2 t = x * 134217729.0; /* 2^27 + 1 */
    *hi = t - (t - x);
    *lo = x - *hi;
}

/* Whether Dekker's product and the sums below are exact in both lanes. */
static inline __attribute__((always_inline)) adac_fma_i2 adac_fma_in_range(adac_fma_d2 a, adac_fma_d2 b, adac_fma_d2 c, adac_fma_d2 uh)
{
    const double big = 0x1p995, tiny = 0x1p-900, huge = 0x1p1000;
    return (a < big) & (a > -big) & (b < big) & (b > -big) & (c < huge) & (c > -huge) & (uh < huge) & (uh > -huge) &
           ((uh >= tiny) | (uh <= -tiny) | (a == 0) | (b == 0)) & ((c >= tiny) | (c <= -tiny) | (c == 0));
}

static inline __attribute__((always_inline)) adac_fma_d2 adac_fma_pair(adac_fma_d2 a, adac_fma_d2 b, adac_fma_d2 c, adac_fma_d2 uh)
{
    adac_fma_d2 ah, al, bh, bl;
    adac_fma_split(a, &ah, &al);
    adac_fma_split(b, &bh, &bl);
    adac_fma_d2 ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl; /* Dekker: a * b - uh */
    adac_fma_d2 th = c + uh, tl = adac_fma_two_sum_error(c, uh, th);
    adac_fma_d2 v = tl + ul;
    adac_fma_i2 sum = (adac_fma_i2)(th + adac_fma_round_odd(v, adac_fma_two_sum_error(tl, ul, v)));
    /* A zero product (a or b zero) makes the result c + uh, exactly, with the
     * sign IEEE gives a sum of zeros (-0 + -0 is -0); the steps above would
     * add a +0 to th and lose a -0. */
    adac_fma_i2 zero_product = uh == 0;
    return (adac_fma_d2)((zero_product & (adac_fma_i2)(c + uh)) | (~zero_product & sum));
}

static inline __attribute__((always_inline)) adac_vec adac_vec_fma_exact(adac_vec a, adac_vec b, adac_vec c)
{
    adac_fma_d2 a0 = __builtin_shufflevector(a, a, 0, 1), a1 = __builtin_shufflevector(a, a, 2, 3);
    adac_fma_d2 b0 = __builtin_shufflevector(b, b, 0, 1), b1 = __builtin_shufflevector(b, b, 2, 3);
    adac_fma_d2 c0 = __builtin_shufflevector(c, c, 0, 1), c1 = __builtin_shufflevector(c, c, 2, 3);
    adac_fma_d2 u0 = a0 * b0, u1 = a1 * b1;
    adac_fma_i2 ok = adac_fma_in_range(a0, b0, c0, u0) & adac_fma_in_range(a1, b1, c1, u1);
    if (!(ok[0] & ok[1])) return adac_vec_fma(a, b, c); /* the C library's, per lane */
    adac_fma_d2 r0 = adac_fma_pair(a0, b0, c0, u0), r1 = adac_fma_pair(a1, b1, c1, u1);
    return __builtin_shufflevector(r0, r1, 0, 1, 2, 3);
}
#endif

#endif
