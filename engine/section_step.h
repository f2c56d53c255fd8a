/* One step of one second-order section in either form of ir/section_form.h,
 * written once for the scalar cascade (sos_cascade.c) and the vector bank
 * (sos_bank.c): the macros work on adac_sample and on adac_vec alike. The order
 * of every operation is the one section_form.h documents and the FAUST emitter
 * writes; the build does not contract multiply-adds, so it is also the order
 * the hardware computes. */
#ifndef ADAC_SECTION_STEP_H
#define ADAC_SECTION_STEP_H

#include "sample.h"
#include "section_form.h"

#include <stddef.h>

#define ADAC_SECTION_COEFS 6  /* per section: DF1 b0 b1 b2 a1 a2 (and a zero); SVF e1 k2 k3 d c1 c2 */
#define ADAC_SECTION_STATES 4 /* per section: DF1 x1 x2 y1 y2; SVF s1 s2 (and two unused) */

/* c: coefficients, st: states (arrays of the sample or vector type); x in, y out
 * (y may be x). */
#define ADAC_DF1_STEP(c, st, x, y)                                                               \
    do {                                                                                         \
        __typeof__(y) df1_x_ = (x);                                                              \
        (y) = ((c)[0] * df1_x_ + (c)[1] * (st)[0] + (c)[2] * (st)[1]) + (-(c)[3] * (st)[2] - (c)[4] * (st)[3]); \
        (st)[1] = (st)[0], (st)[0] = df1_x_, (st)[3] = (st)[2], (st)[2] = (y);                   \
    } while (0)

#define ADAC_SVF_STEP(c, st, x, y)                                                               \
    do {                                                                                         \
        __typeof__(y) svf_x_ = (x);                                                              \
        __typeof__(y) svf_v_ = svf_x_ - (st)[1];                                                 \
        __typeof__(y) svf_s1_ = (st)[0] + ((c)[0] * (st)[0] + (c)[1] * svf_v_);                  \
        __typeof__(y) svf_s2_ = (st)[1] + ((c)[1] * (st)[0] + (c)[2] * svf_v_);                  \
        (y) = ((c)[3] * svf_x_ + (c)[4] * (st)[0]) + (c)[5] * (st)[1];                           \
        (st)[0] = svf_s1_, (st)[1] = svf_s2_;                                                    \
    } while (0)

/* The ADAC_SECTION_COEFS numbers of one section in the sample type, from the
 * graph's six (sos [b0 b1 b2 1 a1 a2] for DF1, svf for SVF), to dst[m * stride]. */
static inline void adac_section_coefs(adac_section_form form, const double *src, adac_sample *dst, size_t stride)
{
    static const int df1[ADAC_SECTION_COEFS] = {0, 1, 2, 4, 5, -1};
    for (int m = 0; m < ADAC_SECTION_COEFS; m++) {
        int from = form == ADAC_SECTIONS_SVF ? m : df1[m];
        dst[(size_t)m * stride] = from < 0 ? 0 : (adac_sample)src[from];
    }
}

#endif
