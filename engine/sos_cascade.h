/* A cascade of K second-order sections in direct form I, the same arithmetic the
 * FAUST emitter writes: y = b0 x + b1 x' + b2 x'' - a1 y' - a2 y'' (a0 = 1). */
#ifndef ADAC_SOS_CASCADE_H
#define ADAC_SOS_CASCADE_H

#include "sample.h"

#define adac_sos_cascade_prepare ADAC_SAMPLE_NAME(adac_sos_cascade_prepare)
#define adac_sos_cascade_process ADAC_SAMPLE_NAME(adac_sos_cascade_process)
#define adac_sos_cascade_reset ADAC_SAMPLE_NAME(adac_sos_cascade_reset)
#define adac_sos_cascade_free ADAC_SAMPLE_NAME(adac_sos_cascade_free)

typedef struct {
    int n_sections;
    adac_sample *coef;  /* n_sections * 5: b0 b1 b2 a1 a2, in the sample type */
    adac_sample *state; /* n_sections * 4: x1 x2 y1 y2 */
} adac_sos_cascade;

/* coef: n_sections * 6, [b0 b1 b2 1 a1 a2] (copied, rounded to the sample type). */
int adac_sos_cascade_prepare(adac_sos_cascade *f, int n_sections, const double *coef);
void adac_sos_cascade_process(adac_sos_cascade *f, const adac_sample *in, adac_sample *out, int n);
void adac_sos_cascade_reset(adac_sos_cascade *f);
void adac_sos_cascade_free(adac_sos_cascade *f);

#endif
