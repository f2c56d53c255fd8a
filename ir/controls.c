#include "controls.h"

#include "json_doc.h"
#include "loop_decay.h"
#include "text_escape.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const control_names[ADAC_CTL_COUNT] = {"rt60", "dry_wet", "pre_delay"};
static const char *const control_units[ADAC_CTL_COUNT] = {"s", "", "ms"};

/* Defaults: init at the neutral position, so adding a control changes nothing
 * until it is moved. Limits: the widest range each control makes sense over. */
static const adac_control_setting control_defaults[ADAC_CTL_COUNT] = {
    {1, 0.0, 0.0, 20.0, 0.01},
    {1, 1.0, 0.0, 1.0, 0.01},
    {1, 0.0, 0.0, 200.0, 0.1},
};
static const double control_highest[ADAC_CTL_COUNT] = {1000.0, 1.0, 10000.0};

const char *adac_control_name(adac_control_id id)
{
    return control_names[id];
}

const char *adac_control_unit(adac_control_id id)
{
    return control_units[id];
}

int adac_control_find(const char *name)
{
    for (int i = 0; i < ADAC_CTL_COUNT; i++)
        if (!strcmp(name, control_names[i])) return i;
    return -1;
}

double adac_rt60_coeff(double delay_samples, double fs)
{
    return -3.0 * delay_samples / fs;
}

double adac_rt60_gain(double coeff, double rt60, double inv_t0)
{
    return rt60 > 0 ? pow(10.0, coeff * (1.0 / fmax(rt60, 1e-9) - inv_t0)) : 1.0;
}

double adac_controls_rt60_inv_t0(const adac_controls *c, int k)
{
    double t0 = c->rt60_model_t60[k];
    return c->rt60_mode == ADAC_RT60_DECAY && isfinite(t0) ? 1.0 / t0 : 0.0;
}

const char *adac_rt60_mode_name(adac_rt60_mode mode)
{
    return mode == ADAC_RT60_HOMOGENEOUS ? "homogeneous" : "decay";
}

static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return 0;
}

static void note_omitted(adac_controls *c, const adac_node *loop)
{
    size_t used = strlen(c->omitted);
    snprintf(c->omitted + used, sizeof c->omitted - used, "%s%s", used ? ", " : "", loop->json_path);
}

/* The parallel delay leaf a loop's feedforward path starts with, reached only
 * through zero-latency nodes: its input then runs at true time in every plan,
 * so engine and FAUST apply the time-varying gain to the same samples. */
static const adac_node *loop_lines(const adac_node *ff)
{
    if (ff->type == ADAC_NODE_PARALLEL_DELAY) return ff;
    if (ff->type != ADAC_NODE_SERIES) return NULL;
    for (int i = 0; i < ff->n_children; i++) {
        const adac_node *k = ff->children[i];
        if (k->type == ADAC_NODE_PARALLEL_DELAY) return k;
        if (k->min_latency > 0) return NULL;
    }
    return NULL;
}

static int find_rt60_leaves(const adac_node *n, adac_controls *c, int *n_loops)
{
    if (n->type == ADAC_NODE_RECURSION) {
        ++*n_loops;
        const adac_node *lines = loop_lines(n->children[0]);
        if (lines) {
            const adac_node **grown = realloc(c->rt60_leaf, (c->n_rt60 + 1) * sizeof *grown);
            if (!grown) return 0;
            c->rt60_leaf = grown;
            double *t60 = realloc(c->rt60_model_t60, (c->n_rt60 + 1) * sizeof *t60);
            if (!t60) return 0;
            c->rt60_model_t60 = t60;
            /* The loop's own decay (decay mode moves it to the slider's value);
             * a loop whose response cannot be evaluated counts as lossless. */
            adac_loop_decay d = {INFINITY, -INFINITY};
            adac_loop_decay_measure(n, lines, c->fs, &d);
            t60[c->n_rt60] = d.t60;
            /* The longest rt60 that keeps x = 1/rt60 - 1/T0 at or above x_min. */
            double floor_inv = adac_controls_rt60_inv_t0(c, c->n_rt60) + d.x_min;
            if (c->rt60_mode == ADAC_RT60_DECAY && floor_inv > 0)
                c->rt60_longest = fmin(c->rt60_longest, 1.0 / floor_inv);
            c->rt60_leaf[c->n_rt60++] = lines;
        } else {
            note_omitted(c, n);
        }
    }
    for (int i = 0; i < n->n_children; i++)
        if (!find_rt60_leaves(n->children[i], c, n_loops)) return 0;
    return 1;
}

static int read_setting(const cJSON *v, adac_control_id id, adac_control_setting *s, adac_controls *c, char *err,
                        size_t len)
{
    const char *name = control_names[id];
    *s = control_defaults[id];
    if (cJSON_IsBool(v)) {
        s->enabled = cJSON_IsTrue(v);
        return 1;
    }
    if (!cJSON_IsObject(v))
        return fail(err, len, "controls.%s: expected true, false or an object of init/min/max/step", name);
    int init_given = 0;
    for (const cJSON *f = v->child; f; f = f->next) {
        if (id == ADAC_CTL_RT60 && !strcmp(f->string, "mode")) {
            if (cJSON_IsString(f) && !strcmp(f->valuestring, "decay"))
                c->rt60_mode = ADAC_RT60_DECAY;
            else if (cJSON_IsString(f) && !strcmp(f->valuestring, "homogeneous"))
                c->rt60_mode = ADAC_RT60_HOMOGENEOUS;
            else
                return fail(err, len, "controls.rt60.mode: expected \"decay\" (the slider sets the decay heard) or "
                                      "\"homogeneous\" (a homogeneous decay added to the model's)");
            continue;
        }
        if (!strcmp(f->string, "max")) c->max_given[id] = 1;
        double *slot = !strcmp(f->string, "init") ? &s->init
                       : !strcmp(f->string, "min") ? &s->min
                       : !strcmp(f->string, "max") ? &s->max
                       : !strcmp(f->string, "step") ? &s->step
                                                   : NULL;
        char shown[80];
        adac_escape_terminal(f->string, shown, sizeof shown);
        if (!slot) return fail(err, len, "controls.%s.%s: unknown setting (use init, min, max, step)", name, shown);
        if (!cJSON_IsNumber(f) || !isfinite(f->valuedouble))
            return fail(err, len, "controls.%s.%s: expected a finite number", name, shown);
        *slot = f->valuedouble;
        init_given |= slot == &s->init;
    }
    /* An init left out follows the range into which the neutral value does not fall. */
    if (!init_given && (s->init < s->min || s->init > s->max)) s->init = s->init < s->min ? s->min : s->max;
    if (s->min < 0 || s->max > control_highest[id]) /* none goes below 0 */
        return fail(err, len, "controls.%s: range [%g, %g] is outside what %s allows, [0, %g]", name, s->min,
                    s->max, name, control_highest[id]);
    if (!(s->min < s->max)) return fail(err, len, "controls.%s: min (%g) must be below max (%g)", name, s->min, s->max);
    if (s->init < s->min || s->init > s->max)
        return fail(err, len, "controls.%s.init: %g is outside [%g, %g]", name, s->init, s->min, s->max);
    if (!(s->step > 0) || s->step > s->max - s->min)
        return fail(err, len, "controls.%s.step: %g must be positive and at most max - min", name, s->step);
    return 1;
}

/* Decay mode: the slider stops where a longer decay would make some loop grow
 * (a line gain above what keeps its slowest frequency decaying), with a 2 %
 * margin. A default range is shortened to that; a range asked for beyond it is
 * refused. */
static int limit_rt60_range(adac_controls *c, char *err, size_t err_len)
{
    adac_control_setting *s = &c->ctl[ADAC_CTL_RT60];
    if (c->rt60_mode != ADAC_RT60_DECAY || !isfinite(c->rt60_longest)) return 1;
    double longest = floor(c->rt60_longest * 0.98 * 100) / 100;
    if (s->max <= longest) return 1;
    if (c->max_given[ADAC_CTL_RT60] || longest <= s->min || s->init > longest)
        return fail(err, err_len,
                    "controls.rt60.max: %g s is longer than this model can decay in decay mode: past %g s a loop "
                    "would grow where it decays slowest (set max to at most %g, or use \"mode\": \"homogeneous\")",
                    s->max, longest, longest);
    s->max = longest;
    if (s->step > s->max - s->min) s->step = (s->max - s->min) / 100;
    return 1;
}

int adac_controls_parse(const char *json, const adac_graph *g, adac_controls *c, char *err, size_t err_len)
{
    memset(c, 0, sizeof *c);
    c->fs = g->fs;
    c->fs_per_ms = g->fs / 1000.0;
    c->smooth_pole = exp(-1.0 / (ADAC_CONTROL_SMOOTH_S * g->fs));
    c->smooth_gain = 1.0 - c->smooth_pole;
    if (!json || !*json) return 1;
    char why[256];
    cJSON *doc = adac_json_parse_strict(json, strlen(json), why, sizeof why);
    if (!doc) return fail(err, err_len, "controls%s", why + 1); /* "$: ..." -> "controls: ..." */
    int ok = 1;
    if (cJSON_IsNull(doc)) goto done;
    if (!cJSON_IsObject(doc)) {
        ok = fail(err, err_len, "controls: expected an object such as {\"rt60\": true}");
        goto done;
    }
    for (const cJSON *v = doc->child; v && ok; v = v->next) {
        int id = adac_control_find(v->string);
        if (id < 0) {
            char shown[80];
            ok = fail(err, err_len, "controls.%s: unknown control (known: rt60, dry_wet, pre_delay)",
                      adac_escape_terminal(v->string, shown, sizeof shown));
            break;
        }
        ok = read_setting(v, (adac_control_id)id, &c->ctl[id], c, err, err_len);
    }
    if (!ok) goto done;
    const adac_node *root = g->root;
    if (c->ctl[ADAC_CTL_DRY_WET].enabled && root->n_in != root->n_out) {
        ok = fail(err, err_len,
                  "controls.dry_wet: the model has %d input(s) and %d output(s); a dry/wet mix needs as "
                  "many outputs as inputs (drop dry_wet, or mix outside the model)",
                  root->n_in, root->n_out);
        goto done;
    }
    if (c->ctl[ADAC_CTL_PRE_DELAY].enabled && root->n_in < 1) {
        ok = fail(err, err_len, "controls.pre_delay: the model has no inputs to delay");
        goto done;
    }
    c->pre_delay_max = (int)ceil(c->ctl[ADAC_CTL_PRE_DELAY].max * c->fs_per_ms);
    if (c->ctl[ADAC_CTL_RT60].enabled) {
        int n_loops = 0;
        c->rt60_longest = INFINITY;
        if (!find_rt60_leaves(root, c, &n_loops)) {
            ok = fail(err, err_len, "controls.rt60: out of memory");
        } else if (n_loops == 0) {
            ok = fail(err, err_len, "controls.rt60: the model has no feedback loop, so there is no decay to set "
                                    "(drop rt60)");
        } else if (c->n_rt60 == 0) {
            ok = fail(err, err_len,
                      "controls.rt60: no loop starts its feedforward path with a parallel delay (one line per "
                      "channel) for rt60 to scale: %s (drop rt60)",
                      c->omitted);
        } else {
            ok = limit_rt60_range(c, err, err_len);
        }
    }
done:
    cJSON_Delete(doc);
    if (!ok) adac_controls_free(c);
    return ok;
}

void adac_controls_free(adac_controls *c)
{
    free(c->rt60_leaf);
    free(c->rt60_model_t60);
    c->rt60_model_t60 = NULL;
    c->rt60_leaf = NULL;
    c->n_rt60 = 0;
}

int adac_controls_any(const adac_controls *c)
{
    for (int i = 0; i < ADAC_CTL_COUNT; i++)
        if (c->ctl[i].enabled) return 1;
    return 0;
}

int adac_controls_rt60_index(const adac_controls *c, const adac_node *leaf)
{
    for (int k = 0; c && k < c->n_rt60; k++)
        if (c->rt60_leaf[k] == leaf) return k;
    return -1;
}
