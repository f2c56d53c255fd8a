#include "sample_convert.h"

#include "simd.h"

static ADAC_BODY void adac_float_to_double_body(double *restrict out, const float *restrict in, int n)
{
    for (int t = 0; t < n; t++) out[t] = in[t];
}
ADAC_DISPATCH(, adac_float_to_double, (double *restrict out, const float *restrict in, int n), (out, in, n))

static ADAC_BODY void adac_double_to_float_body(float *restrict out, const double *restrict in, int n)
{
    for (int t = 0; t < n; t++) out[t] = (float)in[t];
}
ADAC_DISPATCH(, adac_double_to_float, (float *restrict out, const double *restrict in, int n), (out, in, n))
