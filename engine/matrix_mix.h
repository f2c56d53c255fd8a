/* Mixing matrices over a block: y = M x for a gain leaf, in the form its IR
 * declares: dense (register-blocked over tiles of six rows by two vectors), Householder in
 * O(N) per sample, Hadamard as a butterfly network in O(N log N). Life cycle:
 * prepare (copies the leaf's gains in the sample type), process (x and y must
 * not share memory), free. */
#ifndef ADAC_MATRIX_MIX_H
#define ADAC_MATRIX_MIX_H

#include "graph.h"
#include "sample.h"

#define adac_matrix_mix_prepare ADAC_SAMPLE_NAME(adac_matrix_mix_prepare)
#define adac_matrix_mix ADAC_SAMPLE_NAME(adac_matrix_mix)
#define adac_matrix_mix_add ADAC_SAMPLE_NAME(adac_matrix_mix_add)
#define adac_matrix_mix_add_column ADAC_SAMPLE_NAME(adac_matrix_mix_add_column)
#define adac_matrix_mix_free ADAC_SAMPLE_NAME(adac_matrix_mix_free)

typedef struct {
    adac_matrix_structure structure;
    int n_in, n_out;
    adac_sample *gain;  /* dense: n_out x n_in, row-major */
    adac_sample *tiled; /* dense: the same gains in the register tiles' order */
    adac_sample *u;     /* householder: n_in */
    adac_sample scale;  /* householder, hadamard */
} adac_matrix_mixer;

int adac_matrix_mix_prepare(adac_matrix_mixer *m, const adac_node *gain_leaf);
void adac_matrix_mix(const adac_matrix_mixer *m, const adac_sample *const *x, adac_sample *const *y, int n);
/* y = M x + add in one pass (a loop's input joining its feedback), with the
 * bits of adac_matrix_mix followed by y += add. add must not share memory with y. */
void adac_matrix_mix_add(const adac_matrix_mixer *m, const adac_sample *const *x, const adac_sample *const *add,
                         adac_sample *const *y, int n);
/* y = M x + the mix of a one-input dense gain (n_out x 1 gains `column`) of
 * `input`, in one pass: the bits of that gain's adac_matrix_mix into a bus and
 * then adac_matrix_mix_add with that bus, without the bus. An FDN's input gain
 * runs so inside its loop's feedback mix. Dense mixers of two outputs or more
 * only. */
void adac_matrix_mix_add_column(const adac_matrix_mixer *m, const adac_sample *const *x, const adac_sample *column,
                                const adac_sample *input, adac_sample *const *y, int n);
void adac_matrix_mix_free(adac_matrix_mixer *m);

#endif
