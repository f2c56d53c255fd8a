/* A cascade of K second-order sections in one section form (ir/section_form.h),
 * the same arithmetic the FAUST emitter writes (section_step.h). */
#ifndef ADAC_SOS_CASCADE_H
#define ADAC_SOS_CASCADE_H

#include "sample.h"
#include "section_form.h"

#define adac_sos_cascade_prepare ADAC_SAMPLE_NAME(adac_sos_cascade_prepare)
#define adac_sos_cascade_process ADAC_SAMPLE_NAME(adac_sos_cascade_process)
#define adac_sos_cascade_reset ADAC_SAMPLE_NAME(adac_sos_cascade_reset)
#define adac_sos_cascade_free ADAC_SAMPLE_NAME(adac_sos_cascade_free)

typedef struct {
    int n_sections;
    adac_section_form form;
    adac_sample *coef;  /* n_sections * ADAC_SECTION_COEFS, in the sample type */
    adac_sample *state; /* n_sections * ADAC_SECTION_STATES */
} adac_sos_cascade;

/* coef: n_sections * 6 in `form` (the node's sos for DF1, its svf for SVF),
 * copied and rounded to the sample type. */
int adac_sos_cascade_prepare(adac_sos_cascade *f, int n_sections, adac_section_form form, const double *coef);
void adac_sos_cascade_process(adac_sos_cascade *f, const adac_sample *in, adac_sample *out, int n);
void adac_sos_cascade_reset(adac_sos_cascade *f);
void adac_sos_cascade_free(adac_sos_cascade *f);

#endif
