#include "loop_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double rnd(int single, double v)
{
    return single ? (double)(float)v : v;
}

static int is_parallel_leaf(const adac_node *n)
{
    return n->type == ADAC_NODE_PARALLEL_GAIN || n->type == ADAC_NODE_PARALLEL_DELAY ||
           n->type == ADAC_NODE_PARALLEL_SOS || n->type == ADAC_NODE_PARALLEL_FIR;
}

/* The gain leaf's matrix as the emitted code applies it: dense entries, or the
 * coefficients of the fast form (Householder: s x_i + (-2 s u_i)(u . x)). */
static void effective_gain(const adac_node *n, int single, double *m)
{
    int N = n->n_in;
    for (int e = 0; e < n->n_entries; e++) m[e] = rnd(single, n->gain[e]);
    if (n->structure == ADAC_MATRIX_HOUSEHOLDER) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                m[i * N + j] = (i == j ? rnd(single, n->structure_scale) : 0.0) +
                               rnd(single, -(2.0 * n->structure_scale * n->structure_u[i])) *
                                   rnd(single, n->structure_u[j]);
    } else if (n->structure == ADAC_MATRIX_HADAMARD) {
        for (int e = 0; e < n->n_entries; e++)
            m[e] = rnd(single, n->structure_scale) * (n->gain[e] < 0 ? -1.0 : 1.0);
    }
}

static void set_constant(cnode *c, double hi, double lo)
{
    c->constant = 1;
    c->const_hi = hi;
    c->const_lo = lo;
}

/* Single-tap delay matrices: |T(w)| has the magnitudes of G at every w, so
 * sigma_max(|G|) bounds it; when d_oi = r_o + c_i, T = D_r G D_c and the
 * singular values are G's exactly. */
static void delay_matrix_bound(cnode *c)
{
    const adac_node *n = c->node;
    int no = n->n_out, ni = n->n_in, separable = 1;
    double *g = malloc((size_t)n->n_entries * sizeof *g), *a = malloc((size_t)n->n_entries * sizeof *a);
    int64_t d00 = n->tap_delay[0];
    for (int o = 0; o < no; o++)
        for (int i = 0; i < ni; i++) {
            size_t at = (size_t)(o * ni + i) * n->tap_stride;
            g[o * ni + i] = c->tap_gain[at];
            a[o * ni + i] = fabs(c->tap_gain[at]);
            int64_t sep = n->tap_delay[(size_t)(o * ni) * n->tap_stride] + n->tap_delay[(size_t)i * n->tap_stride] - d00;
            if (n->tap_delay[at] != sep) separable = 0;
        }
    double hi = INFINITY, lo = 0;
    if (separable) {
        rm_sv_extremes(g, no, ni, &hi, &lo);
    } else {
        rm_sv_extremes(a, no, ni, &hi, &lo);
        lo = 0;
    }
    set_constant(c, hi, no == ni ? lo : 0);
    free(g);
    free(a);
}

cnode *cnode_build(const adac_node *n, int single, const adac_node *const *scaled_leaf,
                   const double *const *line_scale, int n_scaled)
{
    cnode *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->node = n;
    if (n->n_children) {
        c->n_children = n->n_children;
        c->children = calloc(n->n_children, sizeof *c->children);
        for (int i = 0; i < n->n_children; i++)
            if (!(c->children[i] = cnode_build(n->children[i], single, scaled_leaf, line_scale, n_scaled))) {
                cnode_free(c);
                return NULL;
            }
    }
    switch (n->type) {
    case ADAC_NODE_GAIN: {
        c->matrix = malloc((size_t)n->n_entries * sizeof *c->matrix);
        effective_gain(n, single, c->matrix);
        double hi, lo;
        rm_sv_extremes(c->matrix, n->n_out, n->n_in, &hi, &lo);
        set_constant(c, hi, n->n_out == n->n_in ? lo : 0);
        break;
    }
    case ADAC_NODE_PARALLEL_GAIN: {
        double hi = 0, lo = INFINITY;
        c->matrix = malloc((size_t)n->n_entries * sizeof *c->matrix);
        for (int e = 0; e < n->n_entries; e++) {
            double v = fabs(c->matrix[e] = rnd(single, n->gain[e]));
            hi = fmax(hi, v);
            lo = fmin(lo, v);
        }
        set_constant(c, hi, lo);
        break;
    }
    case ADAC_NODE_DELAY:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_FIR: {
        const double *scale = NULL;
        for (int k = 0; k < n_scaled; k++)
            if (scaled_leaf[k] == n) scale = line_scale[k];
        size_t taps = (size_t)n->n_entries * n->tap_stride;
        c->tap_gain = malloc(taps * sizeof *c->tap_gain);
        int single_tap = 1;
        int64_t longest = 0;
        for (int e = 0; e < n->n_entries; e++) {
            int input = adac_node_entry_input(n, e);
            double s = scale ? rnd(single, scale[input]) : 1.0;
            single_tap &= n->tap_count[e] == 1;
            for (int k = 0; k < n->tap_count[e]; k++) {
                size_t at = (size_t)e * n->tap_stride + k;
                c->tap_gain[at] = rnd(single, n->tap_gain[at]) * s;
                if (n->tap_delay[at] > longest) longest = n->tap_delay[at];
            }
        }
        c->phase_rate = (double)longest;
        if (single_tap && is_parallel_leaf(n)) {
            double hi = 0, lo = INFINITY;
            for (int e = 0; e < n->n_entries; e++) {
                double v = fabs(c->tap_gain[(size_t)e * n->tap_stride]);
                hi = fmax(hi, v);
                lo = fmin(lo, v);
            }
            set_constant(c, hi, lo);
        } else if (single_tap) {
            delay_matrix_bound(c);
        }
        break;
    }
    case ADAC_NODE_SOS:
    case ADAC_NODE_PARALLEL_SOS: {
        size_t k = (size_t)n->n_entries * n->n_sections * 6;
        c->sos = malloc(k * sizeof *c->sos);
        if (!c->sos) break;
        if (single && n->section_form == ADAC_SECTIONS_SVF) {
            /* What the single build computes: the state-variable numbers rounded,
             * read back as the transfer function they realise. */
            for (size_t s = 0; s < k; s += 6) {
                double svf[6];
                for (int m = 0; m < 6; m++) svf[m] = rnd(1, n->svf[s + m]);
                adac_svf_to_section(svf, c->sos + s);
            }
        } else {
            for (size_t i = 0; i < k; i++) c->sos[i] = rnd(single, n->sos[i]);
        }
        c->phase_rate = 2.0 * n->n_sections;
        break;
    }
    case ADAC_NODE_SERIES: {
        int constant = 1, square = 1;
        for (int i = 0; i < n->n_children; i++) {
            const cnode *k = c->children[i];
            constant &= k->constant;
            square &= k->node->n_in == k->node->n_out;
            c->phase_rate += k->phase_rate;
        }
        if (constant) { /* every child is the same at every frequency: the whole band at once */
            adac_norm_bound b = cnode_chain_bound((const cnode *const *)c->children, n->n_children, M_PI / 2,
                                                  M_PI / 2, NULL);
            set_constant(c, b.hi, square ? b.lo : 0);
        }
        break;
    }
    case ADAC_NODE_PARALLEL:
        c->phase_rate = fmax(c->children[0]->phase_rate, c->children[1]->phase_rate);
        break;
    case ADAC_NODE_RECURSION:
        c->phase_rate = c->children[0]->phase_rate + c->children[1]->phase_rate;
        break;
    case ADAC_NODE_SHELL:
        c->phase_rate = c->children[0]->phase_rate;
        if (c->children[0]->constant) set_constant(c, c->children[0]->const_hi, c->children[0]->const_lo);
        break;
    }
    c->diagonal = cnode_is_diagonal(c);
    return c;
}

void cnode_free(cnode *c)
{
    if (!c) return;
    for (int i = 0; i < c->n_children; i++) cnode_free(c->children[i]);
    free(c->children);
    free(c->matrix);
    free(c->tap_gain);
    free(c->sos);
    free(c);
}

/* One entry over the interval: its value h0 at w0, a bound eps on |h(w) - h0|,
 * and bounds on |h(w)| (upper u, lower l). */
typedef struct {
    cplx h0;
    double eps, u, l;
} entry_bound;

static entry_bound tap_entry(const cnode *c, int e, double w0, double d)
{
    const adac_node *n = c->node;
    cplx h = 0;
    double slope = 0, total = 0;
    for (int k = 0; k < n->tap_count[e]; k++) {
        size_t at = (size_t)e * n->tap_stride + k;
        double g = c->tap_gain[at], dl = (double)n->tap_delay[at];
        h += g * cexp(-I * w0 * dl);
        slope += fabs(g) * dl;
        total += fabs(g);
    }
    entry_bound b = {h, fmin(d * slope, 2 * total), 0, 0};
    b.u = fmin(cabs(h) + b.eps, total);
    b.l = n->tap_count[e] == 1 ? total : fmax(cabs(h) - b.eps, 0);
    return b;
}

static entry_bound sos_entry(const cnode *c, int e, double w0, double d)
{
    const adac_node *n = c->node;
    const double *s = c->sos + (size_t)e * n->n_sections * 6;
    cplx z1 = cexp(-I * w0), z2 = cexp(-2 * I * w0);
    cplx h = 1;
    double mag = 1, grown = 1, u = 1, l = 1;
    for (int k = 0; k < n->n_sections; k++, s += 6) {
        cplx B0 = s[0] + s[1] * z1 + s[2] * z2, A0 = 1.0 + s[4] * z1 + s[5] * z2;
        double sb = fabs(s[1]) + 2 * fabs(s[2]), sa = fabs(s[4]) + 2 * fabs(s[5]);
        double aB = cabs(B0), aA = cabs(A0), den = aA - d * sa;
        if (den <= 0) return (entry_bound){B0 / A0, INFINITY, INFINITY, 0};
        cplx hk = B0 / A0;
        double ek = d * (sb * aA + aB * sa) / (den * aA);
        h *= hk;
        mag *= cabs(hk);
        grown *= cabs(hk) + ek;
        u *= (aB + d * sb) / den;
        l *= fmax(aB - d * sb, 0) / (aA + d * sa);
    }
    entry_bound b = {h, grown - mag, 0, l};
    b.u = fmin(u, cabs(h) + b.eps);
    return b;
}

static entry_bound leaf_entry(const cnode *c, int e, double w0, double d)
{
    return c->sos ? sos_entry(c, e, w0, d) : tap_entry(c, e, w0, d);
}

/* Per channel of a diagonal leaf (a parallel gain, delay, FIR or SOS bank),
 * bounds on |T_ii(w)| over [w0 - d, w0 + d]: the same entry bounds cnode_bound
 * takes the largest and smallest of. 0 for any other node. */
static int diag_bounds(const cnode *c, double w0, double d, double *hi, double *lo)
{
    const adac_node *n = c->node;
    if (!is_parallel_leaf(n)) return 0;
    for (int e = 0; e < n->n_entries; e++) {
        if (n->type == ADAC_NODE_PARALLEL_GAIN) {
            hi[e] = lo[e] = fabs(c->matrix[e]);
        } else {
            entry_bound b = leaf_entry(c, e, w0, d);
            hi[e] = b.u;
            lo[e] = b.l;
        }
    }
    return 1;
}

adac_norm_bound cnode_chain_bound(const cnode *const *items, int n_items, double w0, double d, double *peaks)
{
    int widest = 1;
    for (int i = 0; i < n_items; i++)
        if (items[i]->node->n_in > widest) widest = items[i]->node->n_in;
    double *prod = malloc((size_t)widest * sizeof *prod), *ch_hi = malloc((size_t)widest * sizeof *ch_hi),
           *ch_lo = malloc((size_t)widest * sizeof *ch_lo);
    adac_norm_bound r = {1, 1};
    int run = 0, width = 0;
    for (int i = 0; i <= n_items; i++) {
        const cnode *k = i < n_items ? items[i] : NULL;
        adac_norm_bound b = {0, INFINITY};
        if (k && prod && ch_hi && ch_lo && diag_bounds(k, w0, d, ch_hi, ch_lo)) {
            /* A run of diagonal leaves: channel by channel. */
            if (!run) {
                width = k->node->n_in;
                for (int e = 0; e < width; e++) prod[e] = 1;
                run = 1;
            }
            for (int e = 0; e < width; e++) {
                prod[e] *= ch_hi[e];
                b.hi = fmax(b.hi, ch_hi[e]);
                b.lo = fmin(b.lo, ch_lo[e]);
            }
        } else {
            if (run) { /* the run ends: its norm is its largest channel */
                double m = 0;
                for (int e = 0; e < width; e++) m = fmax(m, prod[e]);
                r.hi *= m;
                run = 0;
            }
            if (!k) break;
            b = cnode_bound(k, w0, d);
            r.hi *= b.hi;
        }
        if (peaks) peaks[i] = fmax(peaks[i], b.hi);
        r.lo *= b.lo;
    }
    free(prod);
    free(ch_hi);
    free(ch_lo);
    return r;
}

/* A matrix of frequency-dependent entries: sigma(T(w)) is within ||E||_F of
 * sigma(T(w0)) (Weyl), and never above sigma_max of the entrywise magnitude bounds. */
static adac_norm_bound matrix_leaf_bound(const cnode *c, double w0, double d)
{
    const adac_node *n = c->node;
    int no = n->n_out, ni = n->n_in, ne = n->n_entries;
    cplx *m0 = calloc((size_t)ne, sizeof *m0);
    double *u = malloc((size_t)ne * sizeof *u), frob = 0;
    int finite = 1;
    for (int e = 0; e < ne; e++) {
        entry_bound b = leaf_entry(c, e, w0, d);
        m0[e] = b.h0;
        u[e] = b.u;
        frob += b.eps * b.eps;
        finite &= isfinite(b.eps) && isfinite(b.u);
    }
    adac_norm_bound r = {INFINITY, 0};
    if (finite) {
        double smax, smin, umax, umin;
        cm_sv_extremes(m0, no, ni, &smax, &smin);
        rm_sv_extremes(u, no, ni, &umax, &umin);
        r.hi = fmin(smax + sqrt(frob), umax);
        r.lo = no == ni ? fmax(smin - sqrt(frob), 0) : 0;
    }
    free(m0);
    free(u);
    return r;
}

adac_norm_bound cnode_bound(const cnode *c, double w0, double d)
{
    const adac_node *n = c->node;
    if (c->constant) return (adac_norm_bound){c->const_hi, c->const_lo};
    adac_norm_bound r = {0, INFINITY};
    switch (n->type) {
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_PARALLEL_FIR:
    case ADAC_NODE_PARALLEL_SOS:
        for (int e = 0; e < n->n_entries; e++) {
            entry_bound b = leaf_entry(c, e, w0, d);
            r.hi = fmax(r.hi, b.u);
            r.lo = fmin(r.lo, b.l);
        }
        return r;
    case ADAC_NODE_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_SOS:
        return matrix_leaf_bound(c, w0, d);
    case ADAC_NODE_SERIES: {
        int square = 1;
        for (int i = 0; i < c->n_children; i++)
            square &= c->children[i]->node->n_in == c->children[i]->node->n_out;
        r = cnode_chain_bound((const cnode *const *)c->children, c->n_children, w0, d, NULL);
        if (!square) r.lo = 0;
        return r;
    }
    case ADAC_NODE_PARALLEL: {
        adac_norm_bound a = cnode_bound(c->children[0], w0, d), b = cnode_bound(c->children[1], w0, d);
        r.hi = n->concat ? sqrt(a.hi * a.hi + b.hi * b.hi) : a.hi + b.hi;
        r.lo = 0;
        return r;
    }
    case ADAC_NODE_RECURSION: {
        /* (I - F B)^-1 F, bounded by |F| / (1 - |F||B|) while |F||B| < 1. */
        adac_norm_bound f = cnode_bound(c->children[0], w0, d), b = cnode_bound(c->children[1], w0, d);
        double loop = f.hi * b.hi;
        r.hi = loop < 1 ? f.hi / (1 - loop) : INFINITY;
        r.lo = 0;
        return r;
    }
    case ADAC_NODE_SHELL:
        return cnode_bound(c->children[0], w0, d);
    default:
        return (adac_norm_bound){INFINITY, 0};
    }
}

static cplx entry_response(const cnode *c, int e, double w);

int cnode_response(const cnode *c, double w, cplx *out)
{
    const adac_node *n = c->node;
    int no = n->n_out, ni = n->n_in;
    if (c->diagonal && n->type != ADAC_NODE_PARALLEL_GAIN) {
        memset(out, 0, (size_t)no * ni * sizeof *out);
        for (int e = 0; e < ni; e++) {
            cplx v = entry_response(c, e, w);
            if (!isfinite(creal(v)) || !isfinite(cimag(v))) return 0;
            out[(size_t)e * ni + e] = v;
        }
        return 1;
    }
    switch (n->type) {
    case ADAC_NODE_GAIN:
        for (int e = 0; e < n->n_entries; e++) out[e] = c->matrix[e];
        return 1;
    case ADAC_NODE_PARALLEL_GAIN:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_PARALLEL_FIR:
    case ADAC_NODE_PARALLEL_SOS:
        memset(out, 0, (size_t)no * ni * sizeof *out);
        for (int e = 0; e < n->n_entries; e++)
            out[e * ni + e] = n->type == ADAC_NODE_PARALLEL_GAIN ? c->matrix[e] : leaf_entry(c, e, w, 0).h0;
        return 1;
    case ADAC_NODE_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_SOS:
        for (int e = 0; e < n->n_entries; e++) out[e] = leaf_entry(c, e, w, 0).h0;
        return 1;
    case ADAC_NODE_SHELL:
        return cnode_response(c->children[0], w, out);
    case ADAC_NODE_SERIES: {
        /* T = T_k ... T_1, built up from the first child. */
        int rows = c->children[0]->node->n_out;
        cplx *acc = malloc((size_t)rows * ni * sizeof *acc), *next = NULL, *t = NULL;
        int ok = acc && cnode_response(c->children[0], w, acc);
        for (int i = 1; ok && i < c->n_children; i++) {
            const adac_node *k = c->children[i]->node;
            t = malloc((size_t)k->n_out * k->n_in * sizeof *t);
            next = malloc((size_t)k->n_out * ni * sizeof *next);
            ok = t && next && cnode_response(c->children[i], w, t);
            if (ok) cm_mul(t, acc, next, k->n_out, k->n_in, ni);
            free(t);
            free(acc);
            acc = next;
            next = NULL;
            rows = k->n_out;
        }
        if (ok) memcpy(out, acc, (size_t)no * ni * sizeof *out);
        free(acc);
        return ok;
    }
    case ADAC_NODE_PARALLEL: {
        int na = c->children[0]->node->n_out;
        cplx *b = malloc((size_t)c->children[1]->node->n_out * ni * sizeof *b);
        int ok = b && cnode_response(c->children[0], w, out) && cnode_response(c->children[1], w, b);
        if (ok) {
            if (n->concat)
                memcpy(out + (size_t)na * ni, b, (size_t)(no - na) * ni * sizeof *b);
            else
                for (int e = 0; e < no * ni; e++) out[e] += b[e];
        }
        free(b);
        return ok;
    }
    case ADAC_NODE_RECURSION: {
        int m = no, ch = ni; /* F: m x ch, B: ch x m; T = (I - F B)^-1 F */
        cplx *f = malloc((size_t)m * ch * sizeof *f), *b = malloc((size_t)ch * m * sizeof *b);
        cplx *x = malloc((size_t)m * m * sizeof *x);
        int ok = f && b && x && cnode_response(c->children[0], w, f) && cnode_response(c->children[1], w, b);
        if (ok) {
            cm_mul(f, b, x, m, ch, m);
            for (int i = 0; i < m * m; i++) x[i] = -x[i];
            for (int i = 0; i < m; i++) x[i * m + i] += 1;
            memcpy(out, f, (size_t)m * ch * sizeof *out);
            ok = cm_solve(x, out, m, ch);
        }
        free(f);
        free(b);
        free(x);
        return ok;
    }
    }
    return 0;
}

double cnode_pole_radius(const cnode *c)
{
    double r = 0;
    if (!c->sos) return 0;
    const double *sos = c->sos;
    for (int k = 0; k < c->node->n_entries * c->node->n_sections; k++, sos += 6) {
        double a1 = sos[4], a2 = sos[5], disc = a1 * a1 - 4 * a2;
        if (disc < 0) {
            r = fmax(r, sqrt(a2));
        } else {
            double s = sqrt(disc);
            r = fmax(r, fmax(fabs(-a1 + s), fabs(-a1 - s)) / 2);
        }
    }
    return r;
}

/* ---- deviation bounds for the Nyquist count ---- */

int cnode_is_diagonal(const cnode *c)
{
    const adac_node *n = c->node;
    if (is_parallel_leaf(n)) return 1;
    if (n->n_in != n->n_out || !c->n_children) return 0;
    if (n->type == ADAC_NODE_PARALLEL && n->concat) return 0;
    if (n->type != ADAC_NODE_SERIES && n->type != ADAC_NODE_RECURSION && n->type != ADAC_NODE_PARALLEL &&
        n->type != ADAC_NODE_SHELL)
        return 0;
    for (int i = 0; i < c->n_children; i++)
        if (c->children[i]->node->n_in != n->n_in || !c->children[i]->diagonal) return 0;
    return 1;
}

/* Channel e of a diagonal node at w. */
static cplx entry_response(const cnode *c, int e, double w)
{
    const adac_node *n = c->node;
    switch (n->type) {
    case ADAC_NODE_PARALLEL_GAIN:
        return c->matrix[e];
    case ADAC_NODE_SERIES: {
        cplx r = 1;
        for (int i = 0; i < c->n_children; i++) r *= entry_response(c->children[i], e, w);
        return r;
    }
    case ADAC_NODE_PARALLEL:
        return entry_response(c->children[0], e, w) + entry_response(c->children[1], e, w);
    case ADAC_NODE_RECURSION: {
        cplx f = entry_response(c->children[0], e, w);
        return f / (1 - f * entry_response(c->children[1], e, w));
    }
    case ADAC_NODE_SHELL:
        return entry_response(c->children[0], e, w);
    default:
        return leaf_entry(c, e, w, 0).h0;
    }
}

adac_dev_bound cnode_entry_deviation(const cnode *c, int e, double w0, double d)
{
    const adac_node *n = c->node;
    switch (n->type) {
    case ADAC_NODE_PARALLEL_GAIN:
        return (adac_dev_bound){fabs(c->matrix[e]), 0};
    case ADAC_NODE_SERIES: {
        adac_dev_bound r = {1, 0};
        for (int i = 0; i < c->n_children; i++) {
            adac_dev_bound k = cnode_entry_deviation(c->children[i], e, w0, d);
            r.dev = r.hi * k.dev + r.dev * k.hi;
            r.hi *= k.hi;
        }
        return r;
    }
    case ADAC_NODE_PARALLEL: {
        adac_dev_bound a = cnode_entry_deviation(c->children[0], e, w0, d),
                       b = cnode_entry_deviation(c->children[1], e, w0, d);
        return (adac_dev_bound){a.hi + b.hi, a.dev + b.dev};
    }
    case ADAC_NODE_RECURSION: { /* one channel of f / (1 - f b) */
        adac_dev_bound f = cnode_entry_deviation(c->children[0], e, w0, d),
                       b = cnode_entry_deviation(c->children[1], e, w0, d);
        double loop = f.hi * b.hi;
        if (!(loop < 1)) return (adac_dev_bound){INFINITY, INFINITY};
        double s = 1 / (1 - loop);
        return (adac_dev_bound){s * f.hi, s * f.dev + s * (f.hi * b.dev + f.dev * b.hi) * s * f.hi};
    }
    case ADAC_NODE_SHELL:
        return cnode_entry_deviation(c->children[0], e, w0, d);
    default: {
        entry_bound b = leaf_entry(c, e, w0, d);
        return (adac_dev_bound){b.u, b.eps};
    }
    }
}

adac_dev_bound cnode_chain_deviation(const cnode *const *items, int n_items, double w0, double d)
{
    /* Each element (or run of diagonal leaves) as (hi, dev); then the telescoped sum. */
    int widest = 1;
    for (int i = 0; i < n_items; i++)
        if (items[i]->node->n_in > widest) widest = items[i]->node->n_in;
    double *u = malloc((size_t)widest * sizeof *u), *e = malloc((size_t)widest * sizeof *e);
    double *hi = malloc((size_t)(n_items + 1) * sizeof *hi), *dev = malloc((size_t)(n_items + 1) * sizeof *dev);
    adac_dev_bound r = {INFINITY, INFINITY};
    if (!u || !e || !hi || !dev) goto done;
    int parts = 0;
    for (int i = 0; i < n_items;) {
        const adac_node *n = items[i]->node;
        if (!cnode_is_diagonal(items[i])) {
            adac_dev_bound b = cnode_deviation(items[i], w0, d);
            hi[parts] = b.hi;
            dev[parts++] = b.dev;
            i++;
            continue;
        }
        /* A run of diagonal nodes: per channel, the product's value and deviation. */
        int width = n->n_in;
        for (int ch = 0; ch < width; ch++) u[ch] = 1, e[ch] = 0;
        for (; i < n_items && cnode_is_diagonal(items[i]) && items[i]->node->n_in == width; i++) {
            for (int ch = 0; ch < width; ch++) {
                adac_dev_bound k = cnode_entry_deviation(items[i], ch, w0, d);
                /* |ab - a0 b0| <= |a||b - b0| + |a - a0||b0|, |b0| <= sup |b| */
                e[ch] = u[ch] * k.dev + e[ch] * k.hi;
                u[ch] *= k.hi;
            }
        }
        double h = 0, s = 0;
        for (int ch = 0; ch < width; ch++) {
            h = fmax(h, u[ch]);
            s += e[ch];
        }
        hi[parts] = h;
        dev[parts++] = s;
    }
    r.hi = 1;
    r.dev = 0;
    for (int j = 0; j < parts; j++) {
        r.dev = r.dev * hi[j] + r.hi * dev[j];
        r.hi *= hi[j];
    }
    if (isnan(r.dev)) r.dev = INFINITY;
done:
    free(u);
    free(e);
    free(hi);
    free(dev);
    return r;
}

adac_dev_bound cnode_deviation(const cnode *c, double w0, double d)
{
    const adac_node *n = c->node;
    switch (n->type) {
    case ADAC_NODE_GAIN:
    case ADAC_NODE_PARALLEL_GAIN:
        return (adac_dev_bound){c->const_hi, 0};
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_PARALLEL_FIR:
    case ADAC_NODE_PARALLEL_SOS:
        return cnode_chain_deviation(&c, 1, w0, d);
    case ADAC_NODE_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_SOS: {
        double frob = 0;
        for (int e = 0; e < n->n_entries; e++) {
            entry_bound b = leaf_entry(c, e, w0, d);
            frob += b.eps * b.eps;
        }
        int rank = n->n_in < n->n_out ? n->n_in : n->n_out;
        return (adac_dev_bound){cnode_bound(c, w0, d).hi, sqrt(rank * frob)};
    }
    case ADAC_NODE_SERIES:
        return cnode_chain_deviation((const cnode *const *)c->children, c->n_children, w0, d);
    case ADAC_NODE_PARALLEL: {
        adac_dev_bound a = cnode_deviation(c->children[0], w0, d), b = cnode_deviation(c->children[1], w0, d);
        return (adac_dev_bound){n->concat ? hypot(a.hi, b.hi) : a.hi + b.hi, a.dev + b.dev};
    }
    case ADAC_NODE_RECURSION: {
        /* T = S F, S = (I - F B)^-1; T(w) - T(w0) = S(w) (F(w) - F(w0)) + S(w) (FB(w) - FB(w0)) S(w0) F(w0). */
        adac_dev_bound f = cnode_deviation(c->children[0], w0, d), b = cnode_deviation(c->children[1], w0, d);
        double loop = f.hi * b.hi;
        if (!(loop < 1)) return (adac_dev_bound){INFINITY, INFINITY};
        double s = 1 / (1 - loop), fb_dev = f.hi * b.dev + f.dev * b.hi;
        return (adac_dev_bound){s * f.hi, s * f.dev + s * fb_dev * s * f.hi};
    }
    case ADAC_NODE_SHELL:
        return cnode_deviation(c->children[0], w0, d);
    default:
        return (adac_dev_bound){INFINITY, INFINITY};
    }
}

double cnode_entry_peak(const cnode *c, int e)
{
    enum { pieces = 512, max_depth = 12 };
    double peak = 0;
    struct {
        double w0, d;
        int depth;
    } stack[max_depth + 2];
    for (int k = 0; k < pieces; k++) {
        int top = 0;
        double d = M_PI / (2.0 * pieces);
        stack[top].w0 = (2 * k + 1) * d;
        stack[top].d = d;
        stack[top++].depth = 0;
        while (top) {
            top--;
            double w0 = stack[top].w0, dd = stack[top].d;
            int depth = stack[top].depth;
            entry_bound b = leaf_entry(c, e, w0, dd);
            /* Split where the bound is loose against the value at the centre and
             * could raise the peak found so far. */
            if (b.u > peak && b.u > 1.001 * cabs(b.h0) && depth < max_depth) {
                peak = fmax(peak, cabs(b.h0));
                stack[top].w0 = w0 - dd / 2;
                stack[top].d = dd / 2;
                stack[top++].depth = depth + 1;
                stack[top].w0 = w0 + dd / 2;
                stack[top].d = dd / 2;
                stack[top++].depth = depth + 1;
                continue;
            }
            peak = fmax(peak, isnan(b.u) ? INFINITY : b.u);
        }
    }
    return peak;
}
