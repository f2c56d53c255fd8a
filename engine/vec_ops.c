#include "vec_ops.h"

#include "simd.h"

ADAC_HOT void adac_vec_scale(double *out, const double *in, double gain, int n)
{
    for (int t = 0; t < n; t++) out[t] = gain * in[t];
}

ADAC_HOT void adac_vec_add(double *restrict acc, const double *restrict in, int n)
{
    for (int t = 0; t < n; t++) acc[t] += in[t];
}
