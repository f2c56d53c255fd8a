#include "sos_cascade.h"

#include "section_step.h"

#include <stdlib.h>
#include <string.h>

int adac_sos_cascade_prepare(adac_sos_cascade *f, int n_sections, adac_section_form form, const double *coef)
{
    f->n_sections = n_sections;
    f->form = form;
    f->coef = malloc((size_t)n_sections * ADAC_SECTION_COEFS * sizeof *f->coef);
    f->state = calloc((size_t)n_sections * ADAC_SECTION_STATES, sizeof *f->state);
    if (!f->coef || !f->state) return 0;
    for (int s = 0; s < n_sections; s++) adac_section_coefs(form, coef + 6 * s, f->coef + ADAC_SECTION_COEFS * s, 1);
    return 1;
}

void adac_sos_cascade_process(adac_sos_cascade *f, const adac_sample *in, adac_sample *out, int n)
{
    if (out != in) memcpy(out, in, (size_t)n * sizeof *out);
    for (int s = 0; s < f->n_sections; s++) {
        const adac_sample *c = f->coef + ADAC_SECTION_COEFS * s;
        adac_sample st[ADAC_SECTION_STATES];
        memcpy(st, f->state + ADAC_SECTION_STATES * s, sizeof st);
        if (f->form == ADAC_SECTIONS_SVF)
            for (int t = 0; t < n; t++) ADAC_SVF_STEP(c, st, out[t], out[t]);
        else
            for (int t = 0; t < n; t++) ADAC_DF1_STEP(c, st, out[t], out[t]);
        memcpy(f->state + ADAC_SECTION_STATES * s, st, sizeof st);
    }
}

void adac_sos_cascade_reset(adac_sos_cascade *f)
{
    memset(f->state, 0, (size_t)f->n_sections * ADAC_SECTION_STATES * sizeof *f->state);
}

void adac_sos_cascade_free(adac_sos_cascade *f)
{
    free(f->coef);
    free(f->state);
    f->coef = NULL;
    f->state = NULL;
}
