#include "adac_capi.h"
#include "simd.h"
#include "coef_floor.h"

#include "bus.h"
#include "certificate.h"
#include "engine.h"
#include "faust_dsp.h"
#include "faust_isolated.h"
#include "faust_emit.h"
#include "hot_swap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int adac_capi_ir_version(void)
{
    return ADAC_IR_VERSION;
}

int adac_capi_check(const char *json, int *n_in, int *n_out, char *err, size_t err_len)
{
    adac_graph *g = adac_graph_load_string(json, err, err_len);
    if (!g) return 0;
    *n_in = g->root->n_in;
    *n_out = g->root->n_out;
    adac_graph_free(g);
    return 1;
}

char *adac_capi_to_faust(const char *json, const char *controls, char *err, size_t err_len)
{
    adac_graph *g = adac_graph_load_string(json, err, err_len);
    if (!g) return NULL;
    adac_controls c;
    char *code = NULL;
    if (adac_controls_parse(controls, g, &c, err, err_len)) {
        code = adac_faust_emit_controlled(g, &c, err, err_len);
        adac_controls_free(&c);
    }
    adac_graph_free(g);
    return code;
}

int adac_capi_render_engine(const char *json, const char *controls, const double *values, int n,
                            int block, int single_precision, double *out, char *err, size_t err_len)
{
    adac_graph *g = adac_graph_load_string(json, err, err_len);
    if (!g) return 0;
    adac_controls c;
    if (!adac_controls_parse(controls, g, &c, err, err_len)) {
        adac_graph_free(g);
        return 0;
    }
    adac_engine *e = adac_engine_create_controlled(g, &c, single_precision ? ADAC_PRECISION_SINGLE : ADAC_PRECISION_DOUBLE);
    int ok = e && adac_engine_prepare(e, block > 0 ? block : 256);
    if (!ok) snprintf(err, err_len, "engine: out of memory");
    for (int id = 0; ok && values && id < ADAC_CTL_COUNT; id++) {
        if (isnan(values[id])) continue;
        if (isnan(adac_engine_set_control(e, (adac_control_id)id, values[id]))) {
            snprintf(err, err_len, "control '%s' is not enabled: add it to controls", adac_control_name(id));
            ok = 0;
        }
    }
    if (ok && !(ok = adac_engine_render_paths(e, n, out))) snprintf(err, err_len, "engine: out of memory");
    adac_engine_free(e);
    adac_controls_free(&c);
    adac_graph_free(g);
    return ok;
}

int adac_capi_render_faust(const char *code, int fs, int n, int double_precision, int n_params,
                           const char *const *labels, const double *values, int max_paths, double *out,
                           int *n_in, int *n_out, char *err, size_t err_len)
{
    adac_faust_job job = {code, double_precision, fs, n, n_params, labels, values, max_paths, 0, 0};
    return adac_faust_render_isolated(&job, out, n_in, n_out, err, err_len);
}

double adac_capi_coefficient_floor_db(const char *json, int n)
{
    return adac_coefficient_floor_db(json, n);
}

const char *adac_capi_simd_level(void)
{
    return adac_simd_level_name(adac_simd_level_in_use());
}

const char *adac_capi_control_name(int id)
{
    return id >= 0 && id < ADAC_CTL_COUNT ? adac_control_name((adac_control_id)id) : NULL;
}

char *adac_capi_certify(const char *json, const char *controls, int single_precision, char *err, size_t err_len)
{
    adac_graph *g = adac_graph_load_string(json, err, err_len);
    if (!g) return NULL;
    adac_controls c;
    char *text = NULL;
    if (adac_controls_parse(controls, g, &c, err, err_len)) {
        adac_certify_options o;
        adac_certify_defaults(&o);
        o.single_precision = single_precision;
        cJSON *doc = adac_certify(g, &c, &o);
        text = doc ? cJSON_Print(doc) : NULL;
        if (!text) snprintf(err, err_len, "certificate: out of memory");
        cJSON_Delete(doc);
        adac_controls_free(&c);
    }
    adac_graph_free(g);
    return text;
}

char *adac_capi_controls_describe(const char *json, const char *controls, char *err, size_t err_len)
{
    adac_graph *g = adac_graph_load_string(json, err, err_len);
    if (!g) return NULL;
    adac_controls c;
    char *text = NULL;
    if (adac_controls_parse(controls, g, &c, err, err_len)) {
        cJSON *list = cJSON_CreateArray();
        for (int id = 0; list && id < ADAC_CTL_COUNT; id++) {
            const adac_control_setting *st = &c.ctl[id];
            if (!st->enabled) continue;
            cJSON *item = cJSON_CreateObject();
            cJSON_AddItemToArray(list, item);
            cJSON_AddStringToObject(item, "name", adac_control_name((adac_control_id)id));
            cJSON_AddStringToObject(item, "unit", adac_control_unit((adac_control_id)id));
            cJSON_AddNumberToObject(item, "init", st->init);
            cJSON_AddNumberToObject(item, "min", st->min);
            cJSON_AddNumberToObject(item, "max", st->max);
            cJSON_AddNumberToObject(item, "step", st->step);
            cJSON_AddNumberToObject(item, "smooth_s", ADAC_CONTROL_SMOOTH_S);
        }
        text = list ? cJSON_PrintUnformatted(list) : NULL;
        if (!text) snprintf(err, err_len, "controls: out of memory");
        cJSON_Delete(list);
        adac_controls_free(&c);
    }
    adac_graph_free(g);
    return text;
}

/* A streaming engine for Python: a hot-swappable engine and the planar buffers
 * between the caller's interleaved arrays and it. Python calls process and load
 * from one thread at a time; ctypes releases the GIL around each call. */
struct adac_capi_stream {
    adac_hot_engine hot;
    int block, n_in, n_out;
    double **in, **out;
};

adac_capi_stream *adac_capi_stream_new(const char *json, const char *controls, int block, int fade_samples,
                                       int single_precision, char *err, size_t err_len)
{
    if (block < 1 || block > (1 << 20)) {
        snprintf(err, err_len, "block must be 1 to 1048576 samples");
        return NULL;
    }
    adac_engine *e = adac_engine_from_json(json, controls, block,
                                           single_precision ? ADAC_PRECISION_SINGLE : ADAC_PRECISION_DOUBLE, err,
                                           err_len);
    if (!e) return NULL;
    adac_capi_stream *s = calloc(1, sizeof *s);
    if (!s || !adac_hot_init(&s->hot, e, block, fade_samples)) {
        if (s) adac_hot_free(&s->hot);
        else adac_engine_free(e);
        free(s);
        snprintf(err, err_len, "engine: out of memory");
        return NULL;
    }
    s->block = block;
    s->n_in = adac_engine_num_inputs(e);
    s->n_out = adac_engine_num_outputs(e);
    s->in = adac_bus_alloc(s->n_in, block);
    s->out = adac_bus_alloc(s->n_out, block);
    if (!s->in || !s->out) {
        adac_capi_stream_free(s);
        snprintf(err, err_len, "engine: out of memory");
        return NULL;
    }
    return s;
}

void adac_capi_stream_channels(const adac_capi_stream *s, int *n_in, int *n_out)
{
    *n_in = s->n_in;
    *n_out = s->n_out;
}

void adac_capi_stream_process(adac_capi_stream *s, const double *in, double *out, long n)
{
    for (long off = 0; off < n; off += s->block) {
        int m = (int)(n - off < s->block ? n - off : s->block);
        for (int t = 0; t < m; t++)
            for (int c = 0; c < s->n_in; c++) s->in[c][t] = in[(off + t) * s->n_in + c];
        adac_hot_process(&s->hot, (const double *const *)s->in, s->out, m);
        for (int t = 0; t < m; t++)
            for (int c = 0; c < s->n_out; c++) out[(off + t) * s->n_out + c] = s->out[c][t];
    }
    adac_hot_collect(&s->hot);
}

double adac_capi_stream_set(adac_capi_stream *s, int control_id, double value)
{
    if (control_id < 0 || control_id >= ADAC_CTL_COUNT) return NAN;
    return adac_engine_set_control(adac_hot_current(&s->hot), (adac_control_id)control_id, value);
}

int adac_capi_stream_load(adac_capi_stream *s, const char *json, const char *controls, char *err, size_t err_len)
{
    /* A reload keeps the precision the stream was opened with. */
    adac_engine *e = adac_engine_from_json(json, controls, s->block, adac_engine_precision(adac_hot_current(&s->hot)),
                                           err, err_len);
    if (!e) return 0;
    if (adac_engine_num_inputs(e) != s->n_in || adac_engine_num_outputs(e) != s->n_out) {
        snprintf(err, err_len, "the new model has %d inputs and %d outputs, the playing one %d and %d: "
                 "a reload keeps the channel counts", adac_engine_num_inputs(e), adac_engine_num_outputs(e),
                 s->n_in, s->n_out);
        adac_engine_free(e);
        return 0;
    }
    /* The caller's thread also processes: reading the playing engine is safe here. */
    int kind = adac_engine_same_shape(e, adac_hot_current(&s->hot)) ? 1 : 2;
    adac_hot_offer(&s->hot, e);
    return kind;
}

void adac_capi_stream_reset(adac_capi_stream *s)
{
    adac_hot_reset(&s->hot);
}

void adac_capi_stream_free(adac_capi_stream *s)
{
    if (!s) return;
    adac_hot_free(&s->hot);
    adac_bus_free(s->in);
    adac_bus_free(s->out);
    free(s);
}

void adac_capi_free(void *p)
{
    free(p);
}
