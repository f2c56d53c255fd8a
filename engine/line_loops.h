/* An FDN whose lines do not mix, in one pass per group of lines: the input
 * gains, each line's delay output through its filter, the output gains, and
 * the feedback u = g y + x written back into the line, where the graph would
 * run five passes over the block (input mix, filter bank, feedback gains,
 * the loop's input, output mix), each streaming every line's samples through
 * memory. This is the shape
 *
 *     series(gain, recursion(series(parallel_delay, parallel_sos of one
 *            section), parallel_gain), gain)
 *
 * and the pass gives the bits of those nodes run one after the other: the
 * mixes' sums in the same order with the same fused multiply-adds
 * (fused_madd.h), the same section step (section_step.h), the same product
 * and sum for the feedback. The filters' coefficients and states stay in the
 * parallel_sos leaf's bank, so resetting or handing over state is the bank's.
 * Life cycle: prepare (allocates), process (no allocation), free. */
#ifndef ADAC_LINE_LOOPS_H
#define ADAC_LINE_LOOPS_H

#include "graph.h"
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
    adac_sample *in_gain;  /* lines x inputs */
    adac_sample *out_gain; /* outputs x lines */
    adac_vec *feedback;    /* per line, in every lane (sign and all) */
} adac_line_loops;

/* Whether the graph's nodes have the shape above with plain dense gains: the
 * caller checks what lies outside the nodes (no post-delays, no macro-control
 * that scales the loop). */
int adac_line_loops_fit(const adac_node *in_gain, const adac_node *loop, const adac_node *out_gain);
int adac_line_loops_prepare(adac_line_loops *ll, const adac_node *in_gain, const adac_node *loop,
                            const adac_node *out_gain, adac_sos_bank *bank, int max_block);
/* n samples: in (inputs channels), each line's delay output in read (lines;
 * padding is the bank's), the loop's next input to write (lines), out
 * (outputs). write must not share memory with read; out with nothing. */
void adac_line_loops_process(const adac_line_loops *ll, const adac_sample *const *in, const adac_sample *const *read,
                             adac_sample *const *write, adac_sample *const *out, int n);
void adac_line_loops_free(adac_line_loops *ll);

#endif
