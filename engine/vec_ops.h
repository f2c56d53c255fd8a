/* Element-wise passes over one channel of a bus, compiled for AVX2 where the
 * machine has it (simd.h): the engine's glue between nodes. */
#ifndef ADAC_VEC_OPS_H
#define ADAC_VEC_OPS_H

void adac_vec_scale(double *out, const double *in, double gain, int n); /* out = gain * in */
void adac_vec_add(double *acc, const double *in, int n);                /* acc += in */

#endif
