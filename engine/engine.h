/* The time-domain engine: runs a validated graph block by block, in double
 * precision. It is the reference oracle the FAUST output is verified against.
 * Life cycle: create (plans the graph and builds state), prepare (allocates for a
 * maximum block size), process (no allocation, no locks, no printing), reset,
 * free. */
#ifndef ADAC_ENGINE_H
#define ADAC_ENGINE_H

#include "graph.h"

typedef struct adac_engine adac_engine;

adac_engine *adac_engine_create(adac_graph *g);
int adac_engine_prepare(adac_engine *e, int max_block);
/* in: n_inputs channel pointers, out: n_outputs channel pointers, n <= max_block.
 * in and out must not share memory. */
void adac_engine_process(adac_engine *e, const double *const *in, double *const *out, int n);
void adac_engine_reset(adac_engine *e);
void adac_engine_free(adac_engine *e);
int adac_engine_num_inputs(const adac_engine *e);
int adac_engine_num_outputs(const adac_engine *e);

/* Convenience: impulse responses of every input->output path, n_samples long,
 * laid out as out[(o * n_in + i) * n_samples + t]. Returns 0 on allocation failure. */
int adac_engine_render_impulse(adac_graph *g, int n_samples, int max_block, double *out);

#endif
