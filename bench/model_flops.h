/* The arithmetic a model needs per sample: floating-point operations (a multiply
 * and an add count two), counted from the validated graph as the best direct
 * realisation of each node needs them - not as any implementation happens to
 * spend them. adac-bench divides the measured rate by the core's peak. */
#ifndef ADAC_MODEL_FLOPS_H
#define ADAC_MODEL_FLOPS_H

#include "graph.h"

double adac_model_flops_per_sample(const adac_graph *g);

#endif
