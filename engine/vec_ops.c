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

static ADAC_BODY void adac_vec_scale_add_body(adac_sample *restrict out, const adac_sample *restrict in, adac_sample gain,
                                              const adac_sample *restrict add, int n)
{
    for (int t = 0; t < n; t++) out[t] = gain * in[t] + add[t];
}
ADAC_DISPATCH(, adac_vec_scale_add,
              (adac_sample *restrict out, const adac_sample *restrict in, adac_sample gain, const adac_sample *restrict add, int n),
              (out, in, gain, add, n))

static ADAC_BODY void all_finite_body(const adac_sample *in, int n, int *finite)
{
    adac_vec acc0 = {0}, acc1 = {0}, zero = {0};
    int t = 0;
    for (; t + 2 * ADAC_LANES <= n; t += 2 * ADAC_LANES) {
        acc0 += adac_vec_load(in + t) * zero;
        acc1 += adac_vec_load(in + t + ADAC_LANES) * zero;
    }
    acc0 += acc1;
    adac_sample probe = 0;
    for (int l = 0; l < ADAC_LANES; l++) probe += acc0[l];
    for (; t < n; t++) probe += in[t] * (adac_sample)0;
    *finite = probe == probe;
}
ADAC_DISPATCH(static, all_finite, (const adac_sample *in, int n, int *finite), (in, n, finite))

int adac_vec_all_finite(const adac_sample *in, int n)
{
    int finite;
    all_finite(in, n, &finite);
    return finite;
}
