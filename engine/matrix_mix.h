/* Mixing matrices over a block: y = M x for a gain leaf, in the form its IR
 * declares: dense (register-blocked over 16-sample tiles), Householder in O(N)
 * per sample, Hadamard as a butterfly network in O(N log N). Stateless; x and y
 * must not share memory. */
#ifndef ADAC_MATRIX_MIX_H
#define ADAC_MATRIX_MIX_H

#include "graph.h"

void adac_matrix_mix(const adac_node *gain_leaf, const double *const *x, double *const *y, int n);

#endif
