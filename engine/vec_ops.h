/* Element-wise passes over one channel of a bus, compiled for each dispatch
 * level (simd.h): the engine's glue between nodes. */
#ifndef ADAC_VEC_OPS_H
#define ADAC_VEC_OPS_H

#include "sample.h"

#define adac_vec_scale ADAC_SAMPLE_NAME(adac_vec_scale)
#define adac_vec_add ADAC_SAMPLE_NAME(adac_vec_add)
#define adac_vec_scale_add ADAC_SAMPLE_NAME(adac_vec_scale_add)
#define adac_vec_all_finite ADAC_SAMPLE_NAME(adac_vec_all_finite)

void adac_vec_scale(adac_sample *out, const adac_sample *in, adac_sample gain, int n); /* out = gain * in */
void adac_vec_add(adac_sample *acc, const adac_sample *in, int n);                     /* acc += in */
/* out = gain * in + add: the bits of adac_vec_scale then adac_vec_add, in one pass. */
void adac_vec_scale_add(adac_sample *out, const adac_sample *in, adac_sample gain, const adac_sample *add, int n);
/* 1 when no sample is NaN or infinite: x * 0 summed, in vectors (the order of a
 * sum of zeros and NaNs does not change whether it is NaN). */
int adac_vec_all_finite(const adac_sample *in, int n);

#endif
