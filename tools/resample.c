#include "resample.h"

#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>

struct adac_resampler {
    soxr_t soxr;
    double ratio;
};

adac_resampler *adac_resampler_create(double in_rate, double out_rate, int channels, char *err, size_t err_len)
{
    adac_resampler *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    soxr_error_t e = NULL;
    r->soxr = soxr_create(in_rate, out_rate, (unsigned)channels, &e, NULL, NULL, NULL);
    if (!r->soxr || e) {
        snprintf(err, err_len, "resampler from %g to %g Hz: %s", in_rate, out_rate, soxr_strerror(e));
        free(r);
        return NULL;
    }
    r->ratio = out_rate / in_rate;
    return r;
}

size_t adac_resampler_process(adac_resampler *r, const float *in, size_t in_frames, size_t *used, float *out,
                              size_t out_cap)
{
    size_t idone = 0, odone = 0;
    soxr_process(r->soxr, in, in ? in_frames : 0, &idone, out, out_cap, &odone);
    if (used) *used = idone;
    return odone;
}

double adac_resampler_ratio(const adac_resampler *r)
{
    return r->ratio;
}

void adac_resampler_free(adac_resampler *r)
{
    if (!r) return;
    soxr_delete(r->soxr);
    free(r);
}
