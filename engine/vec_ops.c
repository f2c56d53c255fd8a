#include "vec_ops.h"

#include "simd.h"

static ADAC_BODY void adac_vec_scale_body(double *out, const double *in, double gain, int n)
{
    for (int t = 0; t < n; t++) out[t] = gain * in[t];
}
ADAC_DISPATCH(, adac_vec_scale, (double *out, const double *in, double gain, int n), (out, in, gain, n))

static ADAC_BODY void adac_vec_add_body(double *restrict acc, const double *restrict in, int n)
{
    for (int t = 0; t < n; t++) acc[t] += in[t];
}
ADAC_DISPATCH(, adac_vec_add, (double *restrict acc, const double *restrict in, int n), (acc, in, n))
