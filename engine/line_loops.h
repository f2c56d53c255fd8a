/* An FDN whose lines do not mix, group by group of its filter bank's lines
 * (8 in double, 16 in single) instead of node by node: the graph would make
 * five passes over every line's samples, each through a bus of all the lines
 * (input mix, filter bank, per-line gains and the loop's input, output mix).
 * Here the bank's pass fills a group's filter outputs, which stay in L1, and
 * two short passes take them: each line's next input u = g y + x into its
 * delay line, and the group's terms of every output (one pass for both where
 * the FDN has one input and one output). The shape is
 *
 *     series(gain, recursion(series(parallel_delay, parallel_sos),
 *                            parallel_gain), gain)
 *
 * with dense gains, and the pass gives the bits of those nodes run one after
 * the other: the mixes' sums in the same order with the same fused
 * multiply-adds (fused_madd.h), the bank's own pass, the same product and sum
 * for the feedback. The filters' coefficients and states stay in the
 * parallel_sos leaf's bank, so resetting or handing over state is the bank's.
 * Life cycle: prepare (allocates), process (no allocation), free. */
#ifndef ADAC_LINE_LOOPS_H
#define ADAC_LINE_LOOPS_H

#include "graph.h"
#include "matrix_mix.h"
#include "sample.h"
#include "sos_bank.h"

#define adac_line_loops_fit ADAC_SAMPLE_NAME(adac_line_loops_fit)
#define adac_line_loops_prepare ADAC_SAMPLE_NAME(adac_line_loops_prepare)
#define adac_line_loops_process ADAC_SAMPLE_NAME(adac_line_loops_process)
#define adac_line_loops_free ADAC_SAMPLE_NAME(adac_line_loops_free)

typedef struct {
    int lines, inputs, outputs;
    adac_sos_bank *bank; /* the parallel_sos leaf's */
    adac_sample **y;     /* one group of the bank's output */
    const adac_sample *in_gain;  /* lines x inputs: the input gain's mixer's */
    const adac_sample *out_gain; /* outputs x lines: the output gain's mixer's */
    adac_vec *feedback;    /* per line, in every lane (sign and all) */
} adac_line_loops;

/* Whether the graph's nodes have the shape above with plain dense gains: the
 * caller checks what lies outside the nodes (no post-delays, no macro-control
 * that scales the loop). */
int adac_line_loops_fit(const adac_node *in_gain, const adac_node *loop, const adac_node *out_gain);
/* The gains are the mixers' own (dense, row-major, in the sample type) and the
 * filters the bank's: both must outlive the loops. */
int adac_line_loops_prepare(adac_line_loops *ll, const adac_matrix_mixer *in_gain, const adac_node *loop,
                            const adac_matrix_mixer *out_gain, adac_sos_bank *bank, int max_block);
/* n samples: in (inputs channels), each line's delay output in read (lines;
 * padding is the bank's), the loop's next input to write (lines), out
 * (outputs). write must not share memory with read; out with nothing. */
void adac_line_loops_process(const adac_line_loops *ll, const adac_sample *const *in, const adac_sample *const *read,
                             adac_sample *const *write, adac_sample *const *out, int n);
void adac_line_loops_free(adac_line_loops *ll);

#endif
