#include "macro_controls.h"

#include "bus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline double smoother_step(adac_smoother *s, double gain, double pole)
{
    s->state = s->diff * gain + s->state * pole;
    return s->state + s->init;
}

/* Where the next target leaves the smoothers. */
static void retarget(adac_macro *m, adac_control_id id, double t)
{
    const adac_controls *c = &m->spec;
    switch (id) {
    case ADAC_CTL_RT60:
        for (int k = 0; k < c->n_rt60; k++)
            for (int i = 0; i < m->rt60[k].n; i++)
                m->rt60[k].line[i].diff =
                    adac_rt60_gain(m->rt60[k].coeff[i], t, m->rt60[k].inv_t0) - m->rt60[k].line[i].init;
        break;
    case ADAC_CTL_DRY_WET:
        m->dry_wet.diff = t - m->dry_wet.init;
        break;
    case ADAC_CTL_PRE_DELAY:
        m->pre_delay.diff = t * c->fs_per_ms - m->pre_delay.init;
        break;
    default:
        break;
    }
}

int adac_macro_init(adac_macro *m, const adac_controls *spec, int n_in, int slice)
{
    memset(m, 0, sizeof *m);
    m->spec = *spec;
    m->spec.rt60_leaf = NULL;
    m->spec.rt60_model_t60 = NULL; /* the controls' own; what the engine needs is in m->rt60 */
    m->spec.n_rt60 = 0;
    m->n_in = n_in;
    for (int id = 0; id < ADAC_CTL_COUNT; id++) {
        m->applied[id] = spec->ctl[id].init;
        atomic_store(&m->target[id], spec->ctl[id].init);
    }
    if (spec->n_rt60) {
        m->spec.rt60_leaf = malloc(spec->n_rt60 * sizeof *m->spec.rt60_leaf);
        m->rt60 = calloc(spec->n_rt60, sizeof *m->rt60);
        if (!m->spec.rt60_leaf || !m->rt60) return 0;
        m->spec.n_rt60 = spec->n_rt60;
        for (int k = 0; k < spec->n_rt60; k++) {
            const adac_node *leaf = spec->rt60_leaf[k];
            adac_rt60_lines *l = &m->rt60[k];
            m->spec.rt60_leaf[k] = leaf;
            l->n = leaf->n_entries;
            l->inv_t0 = adac_controls_rt60_inv_t0(spec, k);
            l->coeff = malloc(l->n * sizeof *l->coeff);
            l->line = calloc(l->n, sizeof *l->line);
            if (!l->coeff || !l->line) return 0;
            for (int i = 0; i < l->n; i++) {
                l->coeff[i] = adac_rt60_coeff(leaf->delay[i], spec->fs);
                l->line[i].init = adac_rt60_gain(l->coeff[i], spec->ctl[ADAC_CTL_RT60].init, l->inv_t0);
            }
        }
    }
    m->dry_wet.init = spec->ctl[ADAC_CTL_DRY_WET].init;
    m->pre_delay.init = spec->ctl[ADAC_CTL_PRE_DELAY].init * spec->fs_per_ms;
    if (spec->ctl[ADAC_CTL_PRE_DELAY].enabled) {
        m->pre_len = spec->pre_delay_max + 2;
        if (!(m->pre_ring = adac_bus_alloc(n_in, m->pre_len)) || !(m->wet_in = adac_bus_alloc(n_in, slice))) return 0;
    }
    return 1;
}

double adac_macro_set(adac_macro *m, adac_control_id id, double value)
{
    const adac_control_setting *s = &m->spec.ctl[id];
    if (!s->enabled || isnan(value)) return NAN;
    double v = value < s->min ? s->min : value > s->max ? s->max : value;
    atomic_store_explicit(&m->target[id], v, memory_order_relaxed);
    return v;
}

void adac_macro_begin(adac_macro *m)
{
    for (int id = 0; id < ADAC_CTL_COUNT; id++) {
        if (!m->spec.ctl[id].enabled) continue;
        double t = atomic_load_explicit(&m->target[id], memory_order_relaxed);
        if (t != m->applied[id]) {
            m->applied[id] = t;
            retarget(m, (adac_control_id)id, t);
        }
    }
}

void adac_macro_rt60(adac_macro *m, int k, adac_sample *const *bus, int n)
{
    adac_rt60_lines *l = &m->rt60[k];
    double gain = m->spec.smooth_gain, pole = m->spec.smooth_pole;
    for (int i = 0; i < l->n; i++) {
        adac_smoother *s = &l->line[i];
        /* Settled at a gain of exactly 1 (rt60 off): multiplying would change nothing. */
        if (s->diff == 0 && s->state == 0 && s->init == 1.0) continue;
        adac_sample *x = bus[i];
        for (int t = 0; t < n; t++) x[t] *= (adac_sample)smoother_step(s, gain, pole);
    }
}

const adac_sample *const *adac_macro_pre_delay(adac_macro *m, const adac_sample *const *in, int n)
{
    if (!m->pre_ring) return in;
    adac_smoother *s = &m->pre_delay;
    double gain = m->spec.smooth_gain, pole = m->spec.smooth_pole;
    int len = m->pre_len, maxn = m->spec.pre_delay_max;
    for (int t = 0; t < n; t++) {
        double d = smoother_step(s, gain, pole);
        int whole = (int)d;
        double frac = d - (double)whole;
        int i0 = whole < 0 ? 0 : whole > maxn ? maxn : whole;
        int pos = m->pre_pos;
        int at0 = pos - i0, at1 = pos - i0 - 1;
        if (at0 < 0) at0 += len;
        if (at1 < 0) at1 += len;
        for (int c = 0; c < m->n_in; c++) {
            adac_sample *ring = m->pre_ring[c];
            ring[pos] = in[c][t];
            m->wet_in[c][t] = (adac_sample)(ring[at0] * (1 - frac) + ring[at1] * frac);
        }
        m->pre_pos = pos + 1 == len ? 0 : pos + 1;
    }
    return (const adac_sample *const *)m->wet_in;
}

void adac_macro_dry_wet(adac_macro *m, const adac_sample *const *dry, adac_sample *const *out, int n_out, int n)
{
    if (!m->spec.ctl[ADAC_CTL_DRY_WET].enabled) return;
    adac_smoother *s = &m->dry_wet;
    if (s->init == 1.0 && s->diff == 0 && s->state == 0) return; /* all wet, exactly */
    double gain = m->spec.smooth_gain, pole = m->spec.smooth_pole;
    for (int t = 0; t < n; t++) {
        double w = smoother_step(s, gain, pole);
        for (int c = 0; c < n_out; c++) out[c][t] = (adac_sample)(dry[c][t] * (1 - w) + out[c][t] * w);
    }
}

void adac_macro_reset(adac_macro *m)
{
    for (int k = 0; k < m->spec.n_rt60; k++)
        for (int i = 0; i < m->rt60[k].n; i++) m->rt60[k].line[i].state = 0;
    m->dry_wet.state = 0;
    m->pre_delay.state = 0;
    m->pre_pos = 0;
    for (int c = 0; m->pre_ring && c < m->n_in; c++) memset(m->pre_ring[c], 0, (size_t)m->pre_len * sizeof **m->pre_ring);
}

int adac_macro_same_shape(const adac_macro *a, const adac_macro *b)
{
    if (a->n_in != b->n_in || a->pre_len != b->pre_len || a->spec.n_rt60 != b->spec.n_rt60) return 0;
    for (int id = 0; id < ADAC_CTL_COUNT; id++)
        if (a->spec.ctl[id].enabled != b->spec.ctl[id].enabled) return 0;
    for (int k = 0; k < a->spec.n_rt60; k++)
        if (a->rt60[k].n != b->rt60[k].n) return 0;
    return 1;
}

void adac_macro_take_controls(adac_macro *dst, const adac_macro *src)
{
    for (int id = 0; id < ADAC_CTL_COUNT; id++)
        if (dst->spec.ctl[id].enabled && src->spec.ctl[id].enabled)
            adac_macro_set(dst, (adac_control_id)id, atomic_load(&src->target[id]));
}

/* A smoother carries its current value over, whatever the two inits. */
static void take_smoother(adac_smoother *dst, const adac_smoother *src)
{
    dst->state = src->init + src->state - dst->init;
}

void adac_macro_take_state(adac_macro *dst, const adac_macro *src)
{
    adac_macro_take_controls(dst, src);
    take_smoother(&dst->dry_wet, &src->dry_wet);
    take_smoother(&dst->pre_delay, &src->pre_delay);
    for (int k = 0; k < dst->spec.n_rt60; k++)
        for (int i = 0; i < dst->rt60[k].n; i++) take_smoother(&dst->rt60[k].line[i], &src->rt60[k].line[i]);
    for (int c = 0; dst->pre_ring && c < dst->n_in; c++)
        memcpy(dst->pre_ring[c], src->pre_ring[c], (size_t)dst->pre_len * sizeof **dst->pre_ring);
    dst->pre_pos = src->pre_pos;
}

void adac_macro_free(adac_macro *m)
{
    for (int k = 0; m->rt60 && k < m->spec.n_rt60; k++) {
        free(m->rt60[k].coeff);
        free(m->rt60[k].line);
    }
    free(m->rt60);
    free(m->spec.rt60_leaf);
    adac_bus_free(m->pre_ring);
    adac_bus_free(m->wet_in);
    memset(m, 0, sizeof *m);
}
