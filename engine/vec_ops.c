#include "vec_ops.h"

#include "simd.h"

static ADAC_BODY void adac_vec_scale_body(adac_sample *out, const adac_sample *in, adac_sample gain, int n)
{
    for (int t = 0; t < n; t++) out[t] = gain * in[t];
}
ADAC_DISPATCH(, adac_vec_scale, (adac_sample *out, const adac_sample *in, adac_sample gain, int n),
              (out, in, gain, n))

static ADAC_BODY void adac_vec_add_body(adac_sample *restrict acc, const adac_sample *restrict in, int n)
{
    for (int t = 0; t < n; t++) acc[t] += in[t];
}
ADAC_DISPATCH(, adac_vec_add, (adac_sample *restrict acc, const adac_sample *restrict in, int n), (acc, in, n))
