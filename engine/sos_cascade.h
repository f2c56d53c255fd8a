/* A cascade of K second-order sections in direct form I, the same arithmetic the
 * FAUST emitter writes: y = b0 x + b1 x' + b2 x'' - a1 y' - a2 y'' (a0 = 1). */
#ifndef ADAC_SOS_CASCADE_H
#define ADAC_SOS_CASCADE_H

typedef struct {
    int n_sections;
    const double *coef; /* n_sections * 6, [b0 b1 b2 1 a1 a2]; owned by the graph */
    double *state;      /* n_sections * 4: x1 x2 y1 y2 */
} adac_sos_cascade;

int adac_sos_cascade_prepare(adac_sos_cascade *f, int n_sections, const double *coef);
void adac_sos_cascade_process(adac_sos_cascade *f, const double *in, double *out, int n);
void adac_sos_cascade_reset(adac_sos_cascade *f);
void adac_sos_cascade_free(adac_sos_cascade *f);

#endif
