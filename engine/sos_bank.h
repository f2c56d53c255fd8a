/* A bank of independent biquad cascades, one per channel (a parallel_sos leaf),
 * run across channels: up to ADAC_SOS_BANK_CHAINS vectors of channels (4 or 8
 * channels each, double or single) share each step as independent recursions,
 * so the recursive dependency of one channel no longer serialises the whole
 * bank. With two sections or more, a group's inputs are turned into time steps
 * (one vector of channels per sample) once, every section runs on them in
 * place, and they turn back once; one section runs in one pass, two vectors at
 * a time.
 * The same arithmetic as sos_cascade.h, in the leaf's section form
 * (section_step.h). Life cycle: prepare (allocates), process (no allocation),
 * reset, free. */
#ifndef ADAC_SOS_BANK_H
#define ADAC_SOS_BANK_H

#include "sample.h"
#include "section_form.h"

#define adac_sos_bank_prepare ADAC_SAMPLE_NAME(adac_sos_bank_prepare)
#define adac_sos_bank_process ADAC_SAMPLE_NAME(adac_sos_bank_process)
#define adac_sos_bank_process_group ADAC_SAMPLE_NAME(adac_sos_bank_process_group)
#define adac_sos_bank_reset ADAC_SAMPLE_NAME(adac_sos_bank_reset)
#define adac_sos_bank_free ADAC_SAMPLE_NAME(adac_sos_bank_free)

#define ADAC_SOS_BANK_CHAINS 4

typedef struct {
    int channels, sections, lanes; /* lanes: channels rounded up to a whole number of passes */
    int chains;                    /* vectors per group: 1 to ADAC_SOS_BANK_CHAINS */
    adac_section_form form;        /* of every section */
    adac_sample *coef;             /* [section][ADAC_SECTION_COEFS][lanes] */
    adac_sample *state;            /* [section][ADAC_SECTION_STATES][lanes] */
    adac_sample *zeros, *sink;     /* max_block samples: what padding lanes read and write */
    adac_vec *steps;               /* max_block x chains: one group's time steps (two sections or more) */
} adac_sos_bank;

/* coef: channels * sections * 6 values in `form` (the graph node's sos for
 * DF1, its svf for SVF; section_form.h). */
int adac_sos_bank_prepare(adac_sos_bank *b, int channels, int sections, adac_section_form form,
                          const double *coef, int max_block);
void adac_sos_bank_process(adac_sos_bank *b, const adac_sample *const *in, adac_sample *const *out, int n);
/* One group: channels lane0 .. lane0 + chains * ADAC_LANES - 1 (those that
 * exist), in[k] and out[k] being channel lane0 + k; lane0 a multiple of that
 * group size. The whole bank is its groups in turn. */
void adac_sos_bank_process_group(adac_sos_bank *b, int lane0, const adac_sample *const *in, adac_sample *const *out,
                                 int n);
void adac_sos_bank_reset(adac_sos_bank *b);
void adac_sos_bank_free(adac_sos_bank *b);

#endif
