/* Conversions at the engine's edge, between the caller's buffers and an engine of
 * the other precision (compiled for each dispatch level, simd.h). */
#ifndef ADAC_SAMPLE_CONVERT_H
#define ADAC_SAMPLE_CONVERT_H

void adac_float_to_double(double *out, const float *in, int n);
void adac_double_to_float(float *out, const double *in, int n); /* rounded to nearest */

#endif
