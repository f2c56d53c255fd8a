#include "adac_capi.h"

#include "certificate.h"
#include "engine.h"
#include "faust_dsp.h"
#include "faust_isolated.h"
#include "faust_emit.h"

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
                            int block, double *out, char *err, size_t err_len)
{
    adac_graph *g = adac_graph_load_string(json, err, err_len);
    if (!g) return 0;
    adac_controls c;
    if (!adac_controls_parse(controls, g, &c, err, err_len)) {
        adac_graph_free(g);
        return 0;
    }
    adac_engine *e = adac_engine_create_controlled(g, &c);
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

void adac_capi_free(void *p)
{
    free(p);
}
