/* A bank of independent biquad cascades, one per channel (a parallel_sos leaf),
 * run across channels: eight channels share each vector step, so the recursive
 * dependency of one channel no longer serialises the whole bank. Same direct
 * form I arithmetic as sos_cascade.h. Life cycle: prepare (allocates), process
 * (no allocation), reset, free. */
#ifndef ADAC_SOS_BANK_H
#define ADAC_SOS_BANK_H

typedef struct {
    int channels, sections, lanes; /* lanes: channels rounded up to a multiple of 8 */
    double *coef;                  /* [section][b0 b1 b2 a1 a2][lanes] */
    double *state;                 /* [section][x1 x2 y1 y2][lanes] */
    double *zeros, *sink;          /* max_block samples: what padding lanes read and write */
} adac_sos_bank;

/* sos: channels * sections * 6 values, [b0 b1 b2 1 a1 a2] per section. */
int adac_sos_bank_prepare(adac_sos_bank *b, int channels, int sections, const double *sos, int max_block);
void adac_sos_bank_process(adac_sos_bank *b, const double *const *in, double *const *out, int n);
void adac_sos_bank_reset(adac_sos_bank *b);
void adac_sos_bank_free(adac_sos_bank *b);

#endif
