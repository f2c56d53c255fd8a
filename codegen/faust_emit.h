/* IR -> FAUST: readable, deterministic .dsp text for a validated graph. Loops are
 * realised with `~` (one sample of implicit delay) after the graph is planned
 * with ADAC_PLAN_UNIT_LOOP, so arrival times match the engine exactly. */
#ifndef ADAC_FAUST_EMIT_H
#define ADAC_FAUST_EMIT_H

#include "controls.h"
#include "graph.h"

#include <stddef.h>

/* Returns malloc'd FAUST source, or NULL with a message in err. */
char *adac_faust_emit(adac_graph *g, char *err, size_t err_len);
/* With macro-controls (controls.h, parsed against the same graph; NULL for none):
 * sliders smoothed exactly as the engine smooths them. */
char *adac_faust_emit_controlled(adac_graph *g, const adac_controls *controls, char *err, size_t err_len);

#endif
