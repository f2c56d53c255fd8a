/* The delay-independent, diagonally scaled small-gain bound of a loop.
 *
 * When every element of a loop is a gain matrix, a diagonal gain, a delay, FIR
 * or filter leaf, the loop's response is bounded elementwise at every frequency
 * by one non-negative matrix M: |L(w)| <= |E_k| ... |E_1|, a delay tap
 * contributing its gain's magnitude whatever its length and a filter its peak
 * magnitude over all frequencies (a rigorous bound, cnode_entry_peak). If rho(M) < 1, then v = (I - M)^-1 1 is
 * positive (>= 1) and M v = v - 1, so with S = diag(v)
 *   || S^-1 L(w) S ||_inf <= max_i (M v)_i / v_i = max_i (1 - 1 / v_i) < 1
 * at every frequency: the loop is stable for any delay lengths (the Perron-root
 * test). The bound is recomputed from M and v as solved, so an inaccurate solve
 * can only fail to certify, never certify wrongly (up to the caller's slack). */
#ifndef ADAC_SCALED_GAIN_H
#define ADAC_SCALED_GAIN_H

#include "loop_model.h"

typedef struct {
    int applies;       /* every element is of a kind the test takes */
    double bound;      /* max_i (M v)_i / v_i, or INFINITY when v is not positive */
    double perron_hint; /* rho(M) from its eigenvalues, for reports */
    char not_applicable[160]; /* why it does not apply, when it does not */
} adac_scaled_gain;

/* items: the loop's elements in signal order (ch channels around the loop). */
adac_scaled_gain adac_scaled_gain_bound(const cnode *const *items, int n, int ch);

#endif
