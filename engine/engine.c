/* The public engine: one of the two builds of the core (engine_core.h), chosen by
 * precision at creation, and the conversions for callers whose buffers are of the
 * other sample type. */
#include "engine.h"

#include "bus.h"
#include "engine_core.h"
#include "sample_convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct adac_engine {
    adac_core_f64 *f64; /* exactly one of the two: the engine's precision */
    adac_core_f32 *f32;
    adac_graph *graph;
    int owns_graph; /* adac_engine_adopt_graph: freed with the engine */
    int max_block;
    /* Buffers of the engine's own type for a caller with the other one. */
    float **in_f32, **out_f32;
    double **in_f64, **out_f64;
};

/* The same call on whichever core the engine holds. */
#define ON_CORE(e, fn, ...) \
    ((e)->f32 ? adac_core_##fn##_f32((e)->f32, __VA_ARGS__) : adac_core_##fn##_f64((e)->f64, __VA_ARGS__))
#define ON_CORE0(e, fn) ((e)->f32 ? adac_core_##fn##_f32((e)->f32) : adac_core_##fn##_f64((e)->f64))

adac_engine *adac_engine_create(adac_graph *g)
{
    return adac_engine_create_controlled(g, NULL, ADAC_PRECISION_DOUBLE);
}

adac_engine *adac_engine_create_controlled(adac_graph *g, const adac_controls *controls, adac_precision precision)
{
    adac_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->graph = g;
    if (precision == ADAC_PRECISION_SINGLE)
        e->f32 = adac_core_create_f32(g, controls);
    else
        e->f64 = adac_core_create_f64(g, controls);
    if (!e->f32 && !e->f64) {
        free(e);
        return NULL;
    }
    return e;
}

adac_precision adac_engine_precision(const adac_engine *e)
{
    return e->f32 ? ADAC_PRECISION_SINGLE : ADAC_PRECISION_DOUBLE;
}

int adac_precision_parse(const char *name)
{
    if (name && !strcmp(name, "double")) return ADAC_PRECISION_DOUBLE;
    if (name && !strcmp(name, "single")) return ADAC_PRECISION_SINGLE;
    return -1;
}

adac_engine *adac_engine_from_json(const char *json, const char *controls_json, int max_block,
                                   adac_precision precision, char *err, size_t err_len)
{
    adac_graph *g = adac_graph_load_string(json, err, err_len);
    if (!g) return NULL;
    adac_controls c;
    if (!adac_controls_parse(controls_json, g, &c, err, err_len)) {
        adac_graph_free(g);
        return NULL;
    }
    adac_engine *e = adac_engine_create_controlled(g, &c, precision);
    adac_controls_free(&c);
    if (!e) {
        adac_graph_free(g);
        snprintf(err, err_len, "engine: out of memory");
        return NULL;
    }
    adac_engine_adopt_graph(e);
    if (!adac_engine_prepare(e, max_block)) {
        adac_engine_free(e);
        snprintf(err, err_len, "engine: out of memory");
        return NULL;
    }
    return e;
}

const adac_controls *adac_engine_controls(const adac_engine *e)
{
    return ON_CORE0(e, controls);
}

void adac_engine_adopt_graph(adac_engine *e)
{
    e->owns_graph = 1;
}

static void free_edge_buffers(adac_engine *e)
{
    adac_bus_free_f32(e->in_f32);
    adac_bus_free_f32(e->out_f32);
    adac_bus_free_f64(e->in_f64);
    adac_bus_free_f64(e->out_f64);
    e->in_f32 = e->out_f32 = NULL;
    e->in_f64 = e->out_f64 = NULL;
}

int adac_engine_prepare(adac_engine *e, int max_block)
{
    if (max_block < 1) return 0;
    e->max_block = max_block;
    int ni = e->graph->root->n_in, no = e->graph->root->n_out;
    free_edge_buffers(e);
    if (e->f32 ? !(e->in_f32 = adac_bus_alloc_f32(ni, max_block)) || !(e->out_f32 = adac_bus_alloc_f32(no, max_block))
               : !(e->in_f64 = adac_bus_alloc_f64(ni, max_block)) || !(e->out_f64 = adac_bus_alloc_f64(no, max_block)))
        return 0;
    return ON_CORE(e, prepare, max_block);
}

double adac_engine_set_control(adac_engine *e, adac_control_id id, double value)
{
    return ON_CORE(e, set_control, id, value);
}

void adac_engine_process(adac_engine *e, const double *const *in, double *const *out, int n)
{
    if (e->f64) {
        adac_core_process_f64(e->f64, in, out, n);
        return;
    }
    int ni = e->graph->root->n_in, no = e->graph->root->n_out;
    for (int c = 0; c < ni; c++) adac_double_to_float(e->in_f32[c], in[c], n);
    adac_core_process_f32(e->f32, (const float *const *)e->in_f32, e->out_f32, n);
    for (int c = 0; c < no; c++) adac_float_to_double(out[c], e->out_f32[c], n);
}

void adac_engine_process_float(adac_engine *e, const float *const *in, float *const *out, int n)
{
    if (e->f32) {
        adac_core_process_f32(e->f32, in, out, n);
        return;
    }
    int ni = e->graph->root->n_in, no = e->graph->root->n_out;
    for (int c = 0; c < ni; c++) adac_float_to_double(e->in_f64[c], in[c], n);
    adac_core_process_f64(e->f64, (const double *const *)e->in_f64, e->out_f64, n);
    for (int c = 0; c < no; c++) adac_double_to_float(out[c], e->out_f64[c], n);
}

void adac_engine_reset(adac_engine *e)
{
    ON_CORE0(e, reset);
}

int adac_engine_same_shape(const adac_engine *a, const adac_engine *b)
{
    if (adac_engine_precision(a) != adac_engine_precision(b)) return 0;
    return a->f32 ? adac_core_same_shape_f32(a->f32, b->f32) : adac_core_same_shape_f64(a->f64, b->f64);
}

void adac_engine_take_state(adac_engine *dst, const adac_engine *src)
{
    if (dst->f32)
        adac_core_take_state_f32(dst->f32, src->f32);
    else
        adac_core_take_state_f64(dst->f64, src->f64);
}

/* Control values are doubles in both builds: dst's sliders move to src's targets
 * through dst's own setter (clamped to dst's ranges, skipped where dst lacks the
 * control), whatever the two precisions. */
void adac_engine_take_controls(adac_engine *dst, const adac_engine *src)
{
    const adac_controls *from = adac_engine_controls(src);
    for (int id = 0; id < ADAC_CTL_COUNT; id++)
        if (from->ctl[id].enabled)
            adac_engine_set_control(dst, (adac_control_id)id, ON_CORE(src, control_target, (adac_control_id)id));
}

unsigned long long adac_engine_non_finite_inputs(const adac_engine *e)
{
    return ON_CORE0(e, non_finite_inputs);
}

void adac_engine_free(adac_engine *e)
{
    if (!e) return;
    adac_core_free_f32(e->f32);
    adac_core_free_f64(e->f64);
    free_edge_buffers(e);
    if (e->owns_graph) adac_graph_free(e->graph);
    free(e);
}

int adac_engine_num_inputs(const adac_engine *e)
{
    return e->graph->root->n_in;
}

int adac_engine_num_outputs(const adac_engine *e)
{
    return e->graph->root->n_out;
}

double adac_engine_sample_rate(const adac_engine *e)
{
    return e->graph->fs;
}

int adac_engine_render_impulse(adac_graph *g, int n_samples, int max_block, double *out)
{
    adac_engine *e = adac_engine_create(g);
    int ok = e && adac_engine_prepare(e, max_block) && adac_engine_render_paths(e, n_samples, out);
    adac_engine_free(e);
    return ok;
}

int adac_engine_render_paths(adac_engine *e, int n_samples, double *out)
{
    int max_block = e->max_block;
    int ni = e->graph->root->n_in, no = e->graph->root->n_out;
    double **x = adac_bus_alloc_f64(ni, max_block), **y = adac_bus_alloc_f64(no, max_block);
    if (!x || !y) {
        adac_bus_free_f64(x);
        adac_bus_free_f64(y);
        return 0;
    }
    for (int i = 0; i < ni; i++) {
        adac_engine_reset(e);
        for (int off = 0; off < n_samples; off += max_block) {
            int n = n_samples - off < max_block ? n_samples - off : max_block;
            for (int c = 0; c < ni; c++) memset(x[c], 0, (size_t)n * sizeof(double));
            if (off == 0) x[i][0] = 1.0;
            adac_engine_process(e, (const double *const *)x, y, n);
            for (int o = 0; o < no; o++)
                memcpy(out + ((size_t)(o * ni + i)) * n_samples + off, y[o], (size_t)n * sizeof(double));
        }
    }
    adac_bus_free_f64(x);
    adac_bus_free_f64(y);
    return 1;
}
