/* Sample-rate conversion of interleaved float frames, streamed, with libsoxr
 * (its default high quality: passband to 91 % of the lower Nyquist frequency,
 * 125 dB stop-band attenuation, linear phase, the filter's delay taken out).
 * adac-run uses it to bring a file at another rate to the model's rate and the
 * output back, since the model's delays and filters are defined at its rate. */
#ifndef ADAC_RESAMPLE_H
#define ADAC_RESAMPLE_H

#include <stddef.h>

typedef struct adac_resampler adac_resampler;

adac_resampler *adac_resampler_create(double in_rate, double out_rate, int channels, char *err, size_t err_len);
/* Converts up to in_frames frames of in (NULL: end of input, flush what is left)
 * into at most out_cap frames of out. Returns frames written; *used gets the
 * input frames consumed. */
size_t adac_resampler_process(adac_resampler *r, const float *in, size_t in_frames, size_t *used, float *out,
                              size_t out_cap);
/* Output frames per input frame. */
double adac_resampler_ratio(const adac_resampler *r);
void adac_resampler_free(adac_resampler *r);

#endif
