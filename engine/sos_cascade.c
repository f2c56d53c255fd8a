#include "sos_cascade.h"

#include <stdlib.h>
#include <string.h>

int adac_sos_cascade_prepare(adac_sos_cascade *f, int n_sections, const double *coef)
{
    f->n_sections = n_sections;
    f->coef = malloc((size_t)n_sections * 5 * sizeof *f->coef);
    f->state = calloc((size_t)n_sections * 4, sizeof *f->state);
    if (!f->coef || !f->state) return 0;
    static const int which[5] = {0, 1, 2, 4, 5};
    for (int s = 0; s < n_sections; s++)
        for (int m = 0; m < 5; m++) f->coef[5 * s + m] = (adac_sample)coef[6 * s + which[m]];
    return 1;
}

void adac_sos_cascade_process(adac_sos_cascade *f, const adac_sample *in, adac_sample *out, int n)
{
    if (out != in) memcpy(out, in, (size_t)n * sizeof *out);
    for (int s = 0; s < f->n_sections; s++) {
        const adac_sample *c = f->coef + 5 * s;
        adac_sample *st = f->state + 4 * s;
        adac_sample b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[3], a2 = c[4];
        adac_sample x1 = st[0], x2 = st[1], y1 = st[2], y2 = st[3];
        for (int t = 0; t < n; t++) {
            adac_sample x = out[t];
            adac_sample y = (b0 * x + b1 * x1 + b2 * x2) + (-a1 * y1 - a2 * y2);
            x2 = x1;
            x1 = x;
            y2 = y1;
            y1 = y;
            out[t] = y;
        }
        st[0] = x1;
        st[1] = x2;
        st[2] = y1;
        st[3] = y2;
    }
}

void adac_sos_cascade_reset(adac_sos_cascade *f)
{
    memset(f->state, 0, (size_t)f->n_sections * 4 * sizeof *f->state);
}

void adac_sos_cascade_free(adac_sos_cascade *f)
{
    free(f->coef);
    free(f->state);
    f->coef = NULL;
    f->state = NULL;
}
