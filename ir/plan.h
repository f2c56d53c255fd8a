/* Loop-latency planning shared by the engine and the FAUST emitter.
 *
 * A recursion y = fF(x + fB(y)) is only computable if its loop holds delay. The
 * planner moves that delay out of the leaves into one explicit loop buffer:
 * with fF advanced by a samples and fB by b (a <= minlat(fF), b <= minlat(fB)),
 * v = z^a y obeys v = fF'(x + z^-(a+b) fB'(v)), and y is v delayed by a.
 * Advances are realised by shortening delay lines; negative advances become
 * extra delay. The engine wants the longest loop buffer (it may then process a
 * whole block per pass); FAUST's `~` holds exactly one sample.
 *
 * The engine also skips the loop buffer altogether where fF begins with a delay
 * leaf (the usual FDN) and nothing outside asks the loop to run early: that
 * leaf's lines already hold the loop's history (see adac_node.delay_headed). */
#ifndef ADAC_PLAN_H
#define ADAC_PLAN_H

#include "graph.h"

typedef enum {
    ADAC_PLAN_LONGEST_LOOP, /* engine: loop_len = minlat(fF) + minlat(fB) */
    ADAC_PLAN_UNIT_LOOP     /* FAUST: loop_len = 1, as `~` provides */
} adac_plan_policy;

/* Fills advance, post_delay and loop_len on every node. Cannot fail on a
 * validated graph (the loader already rejected delay-free loops). */
void adac_plan(adac_graph *g, adac_plan_policy policy);

#endif
