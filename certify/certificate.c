/* Stability certificate.
 *
 * A loop y = fF(x + fB(y)) is stable when I - L(z), L = fB fF, stays invertible
 * for |z| >= 1 (its elements being stable themselves). Four tools, in order; the
 * first that decides gives the loop's verdict and `method`:
 *
 * 1. Small gain. If the product of the elements' spectral norms around the loop
 *    is below 1 at every frequency, the loop is stable - and stays stable under
 *    any time variation of gains that never exceed the values certified (the
 *    product bounds the l2-induced gain). The frequency axis is covered by
 *    intervals, each with a bound valid over the whole interval (loop_model.c);
 *    intervals whose bound reaches 1 while the value at their centre does not
 *    are split until they certify or the split budget runs out.
 * 2. The scaled bound (scaled_gain.h): the Perron root of the loop's magnitude
 *    matrix below 1 proves stability for any delay lengths.
 * 3. Losslessness. A loop whose elements are all isometries (orthogonal matrix,
 *    unit delays: a lossless prototype) has its poles on the unit circle:
 *    marginally stable.
 * 4. The Nyquist count (nyquist.h): with every element stable, the winding of
 *    det(I - L) round 0 along the circle, proven step by step, is minus the
 *    number of unstable closed-loop poles: zero certifies, more proves
 *    instability.
 */
#include "certificate.h"

#include "loop_model.h"
#include "nyquist.h"
#include "scaled_gain.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { V_CERTIFIED, V_MARGINAL, V_INDETERMINATE, V_NOT_CERTIFIED, V_UNSTABLE } verdict;

static const char *const verdict_names[] = {"certified-stable", "marginally-stable", "indeterminate",
                                            "not-certified", "unstable"};

void adac_certify_defaults(adac_certify_options *o)
{
    o->single_precision = 1;
    o->grid = 1024;
    o->max_points = 1 << 22;
}

typedef struct {
    const adac_certify_options *opt;
    double fs;
    double slack; /* relative margin for rounding in the bound itself and in run-time gains */
    double lossless_tol;
    cJSON *loops, *filters;
    verdict worst;
    const adac_node *const *rt60_leaf; /* the lines the rt60 knob scales */
    int n_rt60;
    int rt60_fixed_only; /* a loop is certified at fixed knob positions only */
} cert_ctx;

static void worsen(cert_ctx *c, verdict v)
{
    if (v > c->worst) c->worst = v;
}

/* ---- elements around a loop: series flattened, shells opened ---- */

typedef struct {
    const cnode **item;
    int n, cap;
} element_list;

static void flatten(const cnode *c, element_list *l)
{
    if (c->node->type == ADAC_NODE_SERIES || c->node->type == ADAC_NODE_SHELL) {
        for (int i = 0; i < c->n_children; i++) flatten(c->children[i], l);
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->item = realloc(l->item, l->cap * sizeof *l->item);
    }
    l->item[l->n++] = c;
}

/* Largest pole radius of any recursive filter inside c, nested loops' included. */
static double open_loop_pole_radius(const cnode *c)
{
    double r = cnode_pole_radius(c);
    for (int i = 0; i < c->n_children; i++) r = fmax(r, open_loop_pole_radius(c->children[i]));
    return r;
}

static int contains_recursion(const cnode *c)
{
    if (c->node->type == ADAC_NODE_RECURSION) return 1;
    for (int i = 0; i < c->n_children; i++)
        if (contains_recursion(c->children[i])) return 1;
    return 0;
}

/* ---- 1 and 2: small gain over intervals ---- */

typedef struct {
    double bound;       /* sup of the loop bound over the final intervals */
    double worst_w;     /* where it is reached */
    double centre_fail; /* a frequency whose centre product is >= 1, or -1 */
    double min_lo;      /* inf of the lower bound (lossless test) */
    int intervals, max_depth, budget_out;
    double *element_peak;
} small_gain;

static adac_norm_bound loop_bound(const element_list *l, double w0, double d, int square, double *peaks)
{
    adac_norm_bound r = cnode_chain_bound(l->item, l->n, w0, d, peaks);
    if (!square) r.lo = 0;
    return r;
}

typedef struct {
    double w0, d;
    int depth;
    double hi; /* the loop bound over it */
} interval;

static interval make_interval(const element_list *l, double w0, double d, int depth, int square)
{
    return (interval){w0, d, depth, loop_bound(l, w0, d, square, NULL).hi};
}

static void run_small_gain(cert_ctx *c, const element_list *l, int square, small_gain *sg)
{
    int K = c->opt->grid;
    enum { max_depth = 24, budget = 200000 };
    *sg = (small_gain){0, 0, -1, INFINITY, 0, 0, 0, calloc(l->n, sizeof *sg->element_peak)};
    int top = 0, evaluations = 0;
    interval stack[max_depth + 2]; /* depth-first: one pending sibling per level */
    for (int k = 0; k < K; k++) {
        double d = M_PI / (2.0 * K);
        adac_norm_bound first = loop_bound(l, (2 * k + 1) * d, d, square, sg->element_peak);
        sg->min_lo = fmin(sg->min_lo, first.lo);
        evaluations++;
        stack[top++] = (interval){(2 * k + 1) * d, d, 0, first.hi};
        while (top) {
            interval it = stack[--top];
            /* Split an interval whose bound reaches 1 while its centre does not. */
            int refine = it.hi * (1 + c->slack) >= 1 && sg->centre_fail < 0;
            if (refine) {
                double centre = loop_bound(l, it.w0, 0, square, NULL).hi;
                evaluations++;
                if (centre * (1 + c->slack) >= 1) {
                    sg->centre_fail = it.w0;
                    refine = 0;
                }
            }
            if (refine && it.depth < max_depth && evaluations < budget) {
                double h = it.d / 2;
                stack[top++] = make_interval(l, it.w0 - h, h, it.depth + 1, square);
                stack[top++] = make_interval(l, it.w0 + h, h, it.depth + 1, square);
                evaluations += 2;
                continue;
            }
            if (refine) sg->budget_out = 1;
            sg->intervals++;
            if (it.depth > sg->max_depth) sg->max_depth = it.depth;
            if (!(it.hi <= sg->bound)) {
                sg->bound = isnan(it.hi) ? INFINITY : it.hi;
                sg->worst_w = it.w0;
            }
        }
    }
}

/* ---- one loop ---- */

static const char *kind_of(const adac_node *n)
{
    return n->module ? n->module : adac_node_type_name(n->type);
}

static double hz(const cert_ctx *c, double w)
{
    return w * c->fs / (2 * M_PI);
}

static void add_number_or_null(cJSON *o, const char *key, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static verdict certify_loop(cert_ctx *c, const cnode *loop, int inner_unstable)
{
    const adac_node *n = loop->node;
    const cnode *ff = loop->children[0], *fb = loop->children[1];
    element_list l = {0};
    flatten(ff, &l);
    flatten(fb, &l);
    int square = 1;
    for (int i = 0; i < l.n; i++) square &= l.item[i]->node->n_in == l.item[i]->node->n_out;

    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "path", n->json_path);
    if (n->model_path) cJSON_AddStringToObject(r, "model_path", n->model_path);
    cJSON_AddNumberToObject(r, "channels", ff->node->n_in);

    small_gain sg;
    run_small_gain(c, &l, square, &sg);
    double bound = sg.bound * (1 + c->slack);
    cJSON *s = cJSON_AddObjectToObject(r, "small_gain");
    add_number_or_null(s, "bound", bound);
    add_number_or_null(s, "margin_db", bound > 0 ? -20 * log10(bound) : INFINITY);
    int flat = 1; /* every element frequency-independent: no worst frequency to name */
    for (int i = 0; i < l.n; i++) flat &= l.item[i]->constant;
    add_number_or_null(s, "worst_hz", flat ? NAN : hz(c, sg.worst_w));
    cJSON_AddNumberToObject(s, "intervals", sg.intervals);
    cJSON_AddNumberToObject(s, "max_split_depth", sg.max_depth);
    cJSON_AddStringToObject(s, "method",
                            "product of per-element spectral-norm bounds, each valid over a whole frequency "
                            "interval; intervals cover 0..fs/2 without gaps");
    if (sg.centre_fail >= 0) add_number_or_null(s, "product_reaches_1_at_hz", hz(c, sg.centre_fail));
    cJSON *els = cJSON_AddArrayToObject(r, "elements");
    for (int i = 0; i < l.n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "path", l.item[i]->node->json_path);
        cJSON_AddStringToObject(e, "kind", kind_of(l.item[i]->node));
        add_number_or_null(e, "peak_norm", sg.element_peak[i]);
        cJSON_AddItemToArray(els, e);
    }

    verdict v;
    int nyquist_only = 0;
    const char *method = "none"; /* what decided the verdict */
    char reason[640];
    double open_r = open_loop_pole_radius(ff);
    open_r = fmax(open_r, open_loop_pole_radius(fb));
    int lossless = square && sg.min_lo >= 1 - c->lossless_tol && sg.bound <= 1 + c->lossless_tol;
    cJSON_AddBoolToObject(r, "lossless", lossless);
    /* Where the product of norms cannot see a decay (non-normal matrices), the
     * diagonally scaled bound, for any delay lengths, may (scaled_gain.h). */
    adac_scaled_gain scaled = {0, INFINITY, NAN, ""};
    if (!(bound < 1) && !contains_recursion(ff) && !contains_recursion(fb)) {
        scaled = adac_scaled_gain_bound(l.item, l.n, ff->node->n_in);
        cJSON *sc = cJSON_AddObjectToObject(r, "scaled_small_gain");
        if (!scaled.applies) {
            cJSON_AddStringToObject(sc, "skipped", scaled.not_applicable);
        } else {
            add_number_or_null(sc, "bound", scaled.bound * (1 + c->slack));
            add_number_or_null(sc, "perron_root", scaled.perron_hint);
            add_number_or_null(sc, "margin_db",
                               scaled.bound < INFINITY ? -20 * log10(scaled.bound * (1 + c->slack)) : -INFINITY);
            cJSON_AddStringToObject(sc, "method",
                                    "delay-independent: |L(w)| <= M elementwise at every frequency (delay taps "
                                    "count by their gains' magnitudes), and with v = (I - M)^-1 1 > 0 the scaled "
                                    "norm ||diag(v)^-1 L(w) diag(v)||_inf <= max_i (M v)_i / v_i");
        }
    }
    double scaled_bound = scaled.bound * (1 + c->slack);
    if (bound < 1) {
        v = V_CERTIFIED;
        method = "small_gain";
        snprintf(reason, sizeof reason, "small-gain bound %.9g < 1 at every frequency (margin %.3g dB)", bound,
                 -20 * log10(bound));
    } else if (scaled.applies && scaled_bound < 1) {
        v = V_CERTIFIED;
        method = "scaled_small_gain";
        snprintf(reason, sizeof reason,
                 "scaled small-gain bound %.9g < 1 at every frequency and for any delay lengths (Perron root of "
                 "the loop's magnitude matrix below 1; margin %.3g dB)",
                 scaled_bound, -20 * log10(scaled_bound));
    } else if (open_r >= 1) {
        v = V_NOT_CERTIFIED;
        snprintf(reason, sizeof reason,
                 "a filter inside the loop has a pole at radius %.9g (>= 1): the open loop is not stable, so "
                 "neither the bound nor the pole count applies",
                 open_r);
    } else if (inner_unstable) {
        v = V_NOT_CERTIFIED;
        snprintf(reason, sizeof reason, "a loop nested inside is not proven stable");
    } else if (lossless) {
        v = V_MARGINAL;
        method = "lossless";
        snprintf(reason, sizeof reason,
                 "lossless: every element is an isometry at every frequency (singular values within %g of 1), "
                 "so the poles lie on the unit circle; the loop neither grows nor decays",
                 c->lossless_tol);
    } else {
        /* The Nyquist count, proven step by step (nyquist.h). */
        adac_nyquist nq = adac_nyquist_count(l.item, l.n, c->opt->max_points);
        cJSON *ap = cJSON_AddObjectToObject(r, "nyquist");
        cJSON_AddNumberToObject(ap, "steps", (double)nq.steps);
        cJSON_AddNumberToObject(ap, "seconds", nq.seconds);
        cJSON_AddStringToObject(ap, "method",
                                "winding of det(I - L(e^jw)) around 0 over proven steps: with X = A(w)^-1 (L(w') - "
                                "L(w)) taken after a similarity that balances the loop's blocks, its spectral bound "
                                "stays below 0.9 and its nuclear bound below 1.8 over every step, so det(I - L) "
                                "cannot vanish or turn by pi between steps (certify/nyquist.h)");
        if (nq.proven && nq.real_pole) {
            method = "nyquist";
            v = V_UNSTABLE;
            cJSON_AddNumberToObject(ap, "unstable_poles_at_least", 1);
            snprintf(reason, sizeof reason,
                     "a real closed-loop pole beyond z = %d: det(I - L) is %.6g there and tends to 1 as z goes to "
                     "%sinfinity along the real axis, so it crosses 0 on the way",
                     nq.real_pole, -nq.min_abs_det, nq.real_pole > 0 ? "+" : "-");
        } else if (nq.proven) {
            method = "nyquist";
            cJSON_AddNumberToObject(ap, "winding", nq.winding);
            cJSON_AddNumberToObject(ap, "unstable_poles", nq.unstable_poles);
            add_number_or_null(ap, "min_abs_det", nq.min_abs_det);
            add_number_or_null(ap, "min_abs_det_hz", hz(c, nq.min_abs_det_w));
            add_number_or_null(ap, "min_abs_det_lower_bound", nq.min_abs_det_lower);
            if (nq.unstable_poles > 0) {
                v = V_UNSTABLE;
                snprintf(reason, sizeof reason,
                         "%d closed-loop pole(s) outside the unit circle: det(I - L) winds %d time(s) around 0 "
                         "(Nyquist count proven over %ld steps)",
                         nq.unstable_poles, nq.winding, nq.steps);
            } else if (nq.unstable_poles == 0) {
                v = V_CERTIFIED;
                snprintf(reason, sizeof reason,
                         "Nyquist: det(I - L) does not wind around 0 and stays at least %.3g away from it (smallest "
                         "|det| %.3g at %.6g Hz; proven over %ld steps), with every element of the loop stable",
                         nq.min_abs_det_lower, nq.min_abs_det, hz(c, nq.min_abs_det_w), nq.steps);
                nyquist_only = 1;
            } else {
                v = V_NOT_CERTIFIED;
                snprintf(reason, sizeof reason,
                         "det(I - L) winds %d time(s) the wrong way: an element of the loop is not stable as "
                         "evaluated",
                         nq.winding);
            }
        } else {
            v = V_INDETERMINATE;
            snprintf(reason, sizeof reason, "small-gain bound %.6g >= 1, and the Nyquist count is not proven: %s",
                     bound, nq.why);
            cJSON_AddStringToObject(ap, "failed", nq.why);
        }
    }
    int rt60_here = 0; /* the loop holds lines the rt60 knob scales */
    for (int i = 0; i < l.n; i++)
        for (int k = 0; k < c->n_rt60; k++) rt60_here |= c->rt60_leaf[k] == l.item[i]->node;
    if (rt60_here && v == V_CERTIFIED && !nyquist_only) {
        cJSON_AddStringToObject(r, "rt60_covered_by",
                                "every position and any movement of the slider: the bound only grows with the line "
                                "gains, and bounds the loop's gain in time as well as in frequency");
    } else if (rt60_here && v == V_CERTIFIED) {
        /* The knob scales line i by gamma^m_i; a loop of gains and those lines
         * only has det(I - L(z; gamma)) = det(I - L(z / gamma; 1)): its poles move
         * radially with gamma, and the worst position has the largest gamma. */
        int radial = 1;
        for (int i = 0; i < l.n; i++) {
            const adac_node *e = l.item[i]->node;
            int leaf = 0;
            for (int k = 0; k < c->n_rt60; k++) leaf |= c->rt60_leaf[k] == e;
            if (leaf)
                for (int t = 0; t < e->n_entries; t++)
                    radial &= e->tap_count[t] == 1 && (double)e->tap_delay[(size_t)t * e->tap_stride] == e->delay[t];
            else
                radial &= e->type == ADAC_NODE_GAIN || e->type == ADAC_NODE_PARALLEL_GAIN;
        }
        if (radial) {
            c->rt60_fixed_only = 1;
            cJSON_AddStringToObject(r, "rt60_covered_by",
                                    "every fixed position: the poles move radially with the knob's per-sample decay "
                                    "and are outermost at the position certified; movement of the slider is not "
                                    "covered (no small-gain bound below 1)");
        } else {
            v = V_INDETERMINATE;
            method = "none";
            snprintf(reason, sizeof reason,
                     "certified by the Nyquist count at the rt60 knob's worst position only: with filters or other "
                     "delays in the loop one position does not prove the others (the small-gain bound, which "
                     "would, is %.6g)",
                     bound);
        }
    }
    cJSON_AddStringToObject(r, "verdict", verdict_names[v]);
    cJSON_AddStringToObject(r, "method", method);
    cJSON_AddStringToObject(r, "reason", reason);
    cJSON *nc = cJSON_AddArrayToObject(r, "not_covered");
    if (sg.budget_out)
        cJSON_AddItemToArray(nc, cJSON_CreateString("some intervals reached the split budget before certifying"));
    if (contains_recursion(ff) || contains_recursion(fb))
        cJSON_AddItemToArray(nc, cJSON_CreateString("nested loops enter the bound as |F| / (1 - |F||B|)"));
    if (!strcmp(method, "nyquist"))
        cJSON_AddItemToArray(nc, cJSON_CreateString("time variation of this loop's gains: a Nyquist count is about "
                                                    "the loop as it stands; only the small-gain bounds cover gains "
                                                    "that move"));
    cJSON_AddItemToArray(c->loops, r);
    free(sg.element_peak);
    free(l.item);
    return v;
}

/* Inner loops first, so an outer loop knows whether its nested loops are stable. */
static verdict walk(cert_ctx *c, const cnode *cn, int in_loop)
{
    const adac_node *n = cn->node;
    verdict inner = V_CERTIFIED;
    for (int i = 0; i < cn->n_children; i++) {
        verdict v = walk(c, cn->children[i], in_loop || n->type == ADAC_NODE_RECURSION);
        if (v > inner) inner = v;
    }
    if ((n->type == ADAC_NODE_SOS || n->type == ADAC_NODE_PARALLEL_SOS) && !in_loop) {
        double r = cnode_pole_radius(cn);
        verdict v = r < 1 ? V_CERTIFIED : r == 1 ? V_MARGINAL : V_UNSTABLE;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "path", n->json_path);
        cJSON_AddStringToObject(f, "kind", kind_of(n));
        cJSON_AddNumberToObject(f, "max_pole_radius", r);
        cJSON_AddStringToObject(f, "verdict", verdict_names[v]);
        cJSON_AddItemToArray(c->filters, f);
        worsen(c, v);
        return v;
    }
    if (n->type != ADAC_NODE_RECURSION) return inner;
    verdict v = certify_loop(c, cn, inner >= V_NOT_CERTIFIED);
    worsen(c, v);
    return v > inner ? v : inner;
}

cJSON *adac_certify(const adac_graph *g, const adac_controls *controls, const adac_certify_options *opt)
{
    adac_certify_options defaults;
    if (!opt) {
        adac_certify_defaults(&defaults);
        opt = &defaults;
    }
    cert_ctx c = {opt, g->fs, 0, 0, NULL, NULL, V_CERTIFIED, NULL, 0, 0};
    /* The certificate's matrices are small (k <= a few dozen): OpenBLAS's worker
     * threads only spin, and the certificate may run beside an audio thread
     * (adac-run --watch, ADAC Live). */
    openblas_set_num_threads(1);
    /* Float parameters are exact here (rounded as emitted), but gains computed at
     * run time (rt60's pow) and the SVDs themselves carry a few ulps: a relative
     * margin that a certified bound must clear. */
    c.slack = opt->single_precision ? 1e-6 : 1e-12;
    c.lossless_tol = opt->single_precision ? 1e-5 : 1e-9;

    /* rt60 at its worst position: the line gains 10^(-3 m / fs (1/T - 1/T0)) grow
     * with T (past the loop's own T0, in decay mode, above 1), and T = 0 is off
     * (gain 1). Each loop is certified at the larger of its gains at max and, when
     * the range holds it, at 0; the smoothed slider only moves between positions. */
    int use_rt60 = controls && controls->ctl[ADAC_CTL_RT60].enabled;
    double worst_t = 0;
    double **scales = NULL;
    if (use_rt60) {
        const adac_control_setting *st = &controls->ctl[ADAC_CTL_RT60];
        scales = calloc(controls->n_rt60, sizeof *scales);
        for (int k = 0; k < controls->n_rt60; k++) {
            const adac_node *leaf = controls->rt60_leaf[k];
            double inv_t0 = adac_controls_rt60_inv_t0(controls, k);
            /* Every line of a loop is above 1 at max exactly when 1/max < 1/T0. */
            double t = st->min <= 0 && 1.0 / st->max >= inv_t0 ? 0 : st->max;
            if (t > worst_t) worst_t = t;
            scales[k] = malloc(leaf->n_entries * sizeof **scales);
            for (int i = 0; i < leaf->n_entries; i++)
                scales[k][i] = adac_rt60_gain(adac_rt60_coeff(leaf->delay[i], g->fs), t, inv_t0);
        }
    }
    if (use_rt60) {
        c.rt60_leaf = controls->rt60_leaf;
        c.n_rt60 = controls->n_rt60;
    }
    cnode *root = cnode_build(g->root, opt->single_precision, use_rt60 ? controls->rt60_leaf : NULL,
                              (const double *const *)scales, use_rt60 ? controls->n_rt60 : 0);
    for (int k = 0; use_rt60 && k < controls->n_rt60; k++) free(scales[k]);
    free(scales);
    if (!root) return NULL;

    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "adac_certificate_version", ADAC_CERTIFICATE_VERSION);
    cJSON_AddStringToObject(doc, "model", g->name);
    cJSON_AddNumberToObject(doc, "fs", g->fs);
    cJSON_AddStringToObject(doc, "precision", opt->single_precision ? "single" : "double");
    cJSON_AddStringToObject(doc, "verdict", "");
    c.loops = cJSON_AddArrayToObject(doc, "loops");
    c.filters = cJSON_AddArrayToObject(doc, "filters");
    walk(&c, root, 0);
    cnode_free(root);

    int n_loops = cJSON_GetArraySize(c.loops);
    cJSON_ReplaceItemInObject(doc, "verdict", cJSON_CreateString(verdict_names[c.worst]));
    char summary[256];
    snprintf(summary, sizeof summary, "%d feedback loop(s), %d recursive filter(s) outside loops: %s", n_loops,
             cJSON_GetArraySize(c.filters), verdict_names[c.worst]);
    cJSON_AddStringToObject(doc, "summary", summary);
    if (controls && adac_controls_any(controls)) {
        cJSON *ctl = cJSON_AddObjectToObject(doc, "controls");
        if (use_rt60) {
            const adac_control_setting *st = &controls->ctl[ADAC_CTL_RT60];
            cJSON *rt = cJSON_AddObjectToObject(ctl, "rt60");
            cJSON *range = cJSON_AddArrayToObject(rt, "range");
            cJSON_AddItemToArray(range, cJSON_CreateNumber(st->min));
            cJSON_AddItemToArray(range, cJSON_CreateNumber(st->max));
            cJSON_AddStringToObject(rt, "mode", adac_rt60_mode_name(controls->rt60_mode));
            cJSON *own = cJSON_AddArrayToObject(rt, "model_t60");
            for (int k = 0; k < controls->n_rt60; k++)
                cJSON_AddItemToArray(own, isfinite(controls->rt60_model_t60[k])
                                              ? cJSON_CreateNumber(controls->rt60_model_t60[k])
                                              : cJSON_CreateNull());
            cJSON_AddNumberToObject(rt, "certified_at", worst_t);
            const char *where = worst_t == 0 ? "at 0 (off) the loops are as trained, and every other position only "
                                               "lowers the line gains"
                                             : "the line gains grow with rt60, so max (or 0, off, where that is "
                                               "larger) is the worst position";
            char covers[400];
            snprintf(covers, sizeof covers, "%s: %s%s",
                     c.rt60_fixed_only ? "every fixed position" : "every position and any movement of the slider",
                     where,
                     c.rt60_fixed_only ? " (a loop certified by its Nyquist count covers fixed positions only: see "
                                         "its rt60_covered_by)"
                                       : "");
            cJSON_AddStringToObject(rt, "covers", covers);
            if (controls->omitted[0]) cJSON_AddStringToObject(rt, "not_reached", controls->omitted);
        }
        if (controls->ctl[ADAC_CTL_DRY_WET].enabled || controls->ctl[ADAC_CTL_PRE_DELAY].enabled)
            cJSON_AddStringToObject(ctl, "dry_wet_pre_delay",
                                    "outside every loop (a crossfade and a finite delay): no effect on stability");
    }
    cJSON *nc = cJSON_AddArrayToObject(doc, "not_covered");
    cJSON_AddItemToArray(nc, cJSON_CreateString("round-off noise of the running arithmetic (the bounds hold for the "
                                                "parameters exactly as emitted)"));
    cJSON_AddItemToArray(nc, cJSON_CreateString("time variation other than the rt60 control"));
    return doc;
}
