/* The engine's processing core, compiled once per sample type (sample.h): the
 * processor tree that mirrors the graph, the macro-controls around it and the
 * slicing of the caller's block. engine.h wraps the two builds behind one
 * adac_engine; nothing else calls the core. Life cycle as engine.h's. */
#ifndef ADAC_ENGINE_CORE_H
#define ADAC_ENGINE_CORE_H

#include "controls.h"
#include "graph.h"

#define ADAC_CORE_DECLARE(suffix, sample)                                                                    \
    typedef struct adac_core_##suffix adac_core_##suffix;                                                    \
    /* Plans g (the longest-loop plan) and builds the processors; g must outlive the core. */               \
    adac_core_##suffix *adac_core_create_##suffix(adac_graph *g, const adac_controls *controls);             \
    int adac_core_prepare_##suffix(adac_core_##suffix *c, int max_block);                                    \
    const adac_controls *adac_core_controls_##suffix(const adac_core_##suffix *c);                           \
    double adac_core_set_control_##suffix(adac_core_##suffix *c, adac_control_id id, double value);          \
    double adac_core_control_target_##suffix(const adac_core_##suffix *c, adac_control_id id);               \
    void adac_core_process_##suffix(adac_core_##suffix *c, const sample *const *in, sample *const *out,     \
                                    int n);                                                                  \
    void adac_core_reset_##suffix(adac_core_##suffix *c);                                                    \
    int adac_core_same_shape_##suffix(const adac_core_##suffix *a, const adac_core_##suffix *b);             \
    void adac_core_take_state_##suffix(adac_core_##suffix *dst, const adac_core_##suffix *src);              \
    unsigned long long adac_core_non_finite_inputs_##suffix(const adac_core_##suffix *c);                    \
    void adac_core_free_##suffix(adac_core_##suffix *c);

ADAC_CORE_DECLARE(f64, double)
ADAC_CORE_DECLARE(f32, float)

#endif
