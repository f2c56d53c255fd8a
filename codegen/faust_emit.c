#include "faust_emit.h"

#include "plan.h"
#include "strbuf.h"
#include "text_escape.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    adac_strbuf out;
    int leaf_counter;
    const adac_controls *controls; /* NULL: none */
} emit_ctx;

/* Leaf names come from the model path where there is one, so that a reader can
 * find the module in the training script. Numbered to stay unique. */
static void leaf_name(const adac_node *n, int index, char *buf, size_t len)
{
    const char *src = n->model_path && *n->model_path ? n->model_path : adac_node_type_name(n->type);
    int k = snprintf(buf, len, "leaf%d_", index);
    for (const char *p = src; *p && (size_t)k + 1 < len; p++)
        buf[k++] = isalnum((unsigned char)*p) ? *p : '_';
    buf[k] = 0;
}

static void emit_bus(adac_strbuf *s, int n)
{
    if (n == 1)
        adac_strbuf_printf(s, "_");
    else
        adac_strbuf_printf(s, "par(i, %d, _)", n);
}

static void emit_post_delay(adac_strbuf *s, int channels, int64_t d)
{
    if (d <= 0) return;
    if (channels == 1)
        adac_strbuf_printf(s, " : @(%lld)", (long long)d);
    else
        adac_strbuf_printf(s, " : par(i, %d, @(%lld))", channels, (long long)d);
}

/* Entry e's cascade, each section in the leaf's form (ir/section_form.h). */
static void emit_sections(adac_strbuf *s, const adac_node *n, int e)
{
    int svf = n->section_form == ADAC_SECTIONS_SVF;
    const double *numbers = adac_node_section_numbers(n) + (size_t)e * n->n_sections * 6;
    static const int df1[5] = {0, 1, 2, 4, 5}, all[6] = {0, 1, 2, 3, 4, 5};
    for (int j = 0; j < n->n_sections; j++) {
        const double *c = numbers + 6 * j;
        adac_strbuf_printf(s, "%s%s(", j ? " : " : "", svf ? "adac_svf" : "adac_sos");
        for (int m = 0; m < (svf ? 6 : 5); m++) {
            if (m) adac_strbuf_printf(s, ", ");
            adac_strbuf_number(s, c[svf ? all[m] : df1[m]]);
        }
        adac_strbuf_printf(s, ")");
    }
}

/* One matrix entry (o, i) as a single-input single-output FAUST block. */
static void emit_entry(adac_strbuf *s, const adac_node *n, int e)
{
    switch (n->type) {
    case ADAC_NODE_GAIN:
    case ADAC_NODE_PARALLEL_GAIN:
        adac_strbuf_printf(s, "*(");
        adac_strbuf_number(s, n->gain[e]);
        adac_strbuf_printf(s, ")");
        break;
    case ADAC_NODE_DELAY:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_FIR: {
        size_t at = (size_t)e * n->tap_stride;
        if (n->tap_count[e] == 1 && n->tap_gain[at] == 1.0) {
            long long d = (long long)(n->tap_delay[at] - n->advance);
            if (d == 0)
                adac_strbuf_printf(s, "_");
            else
                adac_strbuf_printf(s, "@(%lld)", d);
            break;
        }
        /* Weighted taps (fractional delay or FIR), the same ones the engine sums. */
        adac_strbuf_printf(s, "(_ <: ");
        for (int k = 0; k < n->tap_count[e]; k++) {
            adac_strbuf_printf(s, "%s(@(%lld) : *(", k ? ", " : "",
                               (long long)(n->tap_delay[at + k] - n->advance));
            adac_strbuf_number(s, n->tap_gain[at + k]);
            adac_strbuf_printf(s, "))");
        }
        adac_strbuf_printf(s, " :> _)");
        break;
    }
    case ADAC_NODE_SOS:
    case ADAC_NODE_PARALLEL_SOS:
        if (n->n_sections > 1) adac_strbuf_printf(s, "(");
        emit_sections(s, n, e);
        if (n->n_sections > 1) adac_strbuf_printf(s, ")");
        break;
    default:
        break;
    }
}

/* Householder s(I - 2uu^T) in O(N): the inputs fan out to s*x_i and to one dot
 * product w = u.x spread as -(2 s u_i) w; `:>` adds the two halves pairwise. */
static void emit_householder(adac_strbuf *s, const adac_node *n)
{
    int N = n->n_in;
    adac_strbuf_printf(s, "par(i, %d, _) <: (\n    par(i, %d, *(", N, N);
    adac_strbuf_number(s, n->structure_scale);
    adac_strbuf_printf(s, ")),\n    ((");
    for (int i = 0; i < N; i++) {
        adac_strbuf_printf(s, "%s*(", i ? ", " : "");
        adac_strbuf_number(s, n->structure_u[i]);
        adac_strbuf_printf(s, ")");
    }
    adac_strbuf_printf(s, ") :> _ <: (");
    for (int i = 0; i < N; i++) {
        adac_strbuf_printf(s, "%s*(", i ? ", " : "");
        adac_strbuf_number(s, -(2.0 * n->structure_scale * n->structure_u[i]));
        adac_strbuf_printf(s, ")");
    }
    adac_strbuf_printf(s, "))\n  ) :> par(i, %d, _)", N);
}

/* Sylvester Hadamard as log2(N) butterfly stages, pairs (j, j + h) for h = 1, 2,
 * 4, ...: each stage routes the pairs next to each other, applies
 * (a, b) -> (a + b, a - b) and routes them back; the last stage carries the scale.
 * The same stages, in the same order, as the engine. */
static void emit_hadamard(adac_strbuf *s, const adac_node *n)
{
    int N = n->n_in;
    if (N == 1) {
        adac_strbuf_printf(s, "*(");
        adac_strbuf_number(s, n->structure_scale);
        adac_strbuf_printf(s, ")");
        return;
    }
    for (int h = 1; h < N; h *= 2) {
        int k = 0;
        adac_strbuf_printf(s, "%s\n    route(%d, %d", h > 1 ? " :" : "", N, N);
        for (int blk = 0; blk < N; blk += 2 * h)
            for (int j = blk; j < blk + h; j++, k++)
                adac_strbuf_printf(s, ", (%d, %d), (%d, %d)", j + 1, 2 * k + 1, j + h + 1, 2 * k + 2);
        if (2 * h == N) {
            adac_strbuf_printf(s, ") : par(k, %d, adac_butterfly_scaled(", N / 2);
            adac_strbuf_number(s, n->structure_scale);
            adac_strbuf_printf(s, ")) : route(%d, %d", N, N);
        } else {
            adac_strbuf_printf(s, ") : par(k, %d, adac_butterfly) : route(%d, %d", N / 2, N, N);
        }
        k = 0;
        for (int blk = 0; blk < N; blk += 2 * h)
            for (int j = blk; j < blk + h; j++, k++)
                adac_strbuf_printf(s, ", (%d, %d), (%d, %d)", 2 * k + 1, j + 1, 2 * k + 2, j + h + 1);
        adac_strbuf_printf(s, ")");
    }
}

static void emit_structured_matrix(adac_strbuf *s, const adac_node *n)
{
    if (n->structure == ADAC_MATRIX_HOUSEHOLDER)
        emit_householder(s, n);
    else
        emit_hadamard(s, n);
}

static int is_matrix_leaf(const adac_node *n)
{
    return n->type == ADAC_NODE_GAIN || n->type == ADAC_NODE_DELAY || n->type == ADAC_NODE_SOS ||
           n->type == ADAC_NODE_FIR;
}

/* rt60: each line's input scaled by its smoothed decay gain (controls.h). */
static void emit_rt60_gains(adac_strbuf *s, const adac_node *n, const adac_controls *ctl)
{
    double inv_t0 = adac_controls_rt60_inv_t0(ctl, adac_controls_rt60_index(ctl, n));
    adac_strbuf_printf(s, "(");
    for (int i = 0; i < n->n_entries; i++) {
        double coeff = adac_rt60_coeff(n->delay[i], ctl->fs);
        adac_strbuf_printf(s, "%s*(adac_rt60_gain(", i ? ", " : "");
        adac_strbuf_number(s, coeff);
        adac_strbuf_printf(s, ", ");
        adac_strbuf_number(s, inv_t0);
        adac_strbuf_printf(s, ", ");
        adac_strbuf_number(s, adac_rt60_gain(coeff, ctl->ctl[ADAC_CTL_RT60].init, inv_t0));
        adac_strbuf_printf(s, "))");
    }
    adac_strbuf_printf(s, ") : ");
}

static void emit_slider(adac_strbuf *s, adac_control_id id, const adac_control_setting *st)
{
    const char *unit = adac_control_unit(id);
    adac_strbuf_printf(s, "hslider(\"%s%s%s%s\", ", adac_control_name(id), *unit ? " [unit:" : "", unit,
                       *unit ? "]" : "");
    const double v[4] = {st->init, st->min, st->max, st->step};
    for (int k = 0; k < 4; k++) {
        if (k) adac_strbuf_printf(s, ", ");
        adac_strbuf_number(s, v[k]);
    }
    adac_strbuf_printf(s, ")");
}

/* The sliders and the blocks around the model; the engine's macro_controls.c
 * computes the same expressions in the same order. */
static void emit_control_definitions(adac_strbuf *s, const adac_controls *c)
{
    adac_strbuf_printf(s, "// Macro-controls, layered on the trained model. Each slider is smoothed by\n"
                          "// y = (1 - p) x + p y' started at its init value, so a control left at its\n"
                          "// neutral init leaves the model exactly as trained.\n"
                          "adac_smooth(init) = -(init) : *(");
    adac_strbuf_number(s, c->smooth_gain);
    adac_strbuf_printf(s, ") : + ~ *(");
    adac_strbuf_number(s, c->smooth_pole);
    adac_strbuf_printf(s, ") : +(init);\n");
    const adac_control_setting *rt60 = &c->ctl[ADAC_CTL_RT60], *dw = &c->ctl[ADAC_CTL_DRY_WET],
                               *pre = &c->ctl[ADAC_CTL_PRE_DELAY];
    if (rt60->enabled) {
        adac_strbuf_printf(s, "// rt60 (0: off), %s mode: a line of m samples is scaled by\n"
                              "// 10^(-3 m / fs * (1 / rt60 - 1 / T0)), T0 %s.\n"
                              "adac_rt60 = ",
                           adac_rt60_mode_name(c->rt60_mode),
                           c->rt60_mode == ADAC_RT60_DECAY ? "the loop's own mid-band T60 (0 for lossless)"
                                                           : "infinite (1 / T0 = 0)");
        emit_slider(s, ADAC_CTL_RT60, rt60);
        adac_strbuf_printf(s, ";\n"
                              "adac_rt60_gain(coeff, inv_t0, init) = select2(adac_rt60 > 0, 1.0,\n"
                              "  pow(10.0, coeff * (1.0 / max(adac_rt60, 1e-09) - inv_t0))) : adac_smooth(init);\n");
        if (c->omitted[0]) adac_strbuf_printf(s, "// rt60 does not reach the loop(s) at %s.\n", c->omitted);
    }
    if (dw->enabled) {
        adac_strbuf_printf(s, "// dry_wet: out = dry (1 - w) + wet w.\nadac_dry_wet = ");
        emit_slider(s, ADAC_CTL_DRY_WET, dw);
        adac_strbuf_printf(s, " : adac_smooth(");
        adac_strbuf_number(s, dw->init);
        adac_strbuf_printf(s, ");\nadac_mix = *(1 - adac_dry_wet), *(adac_dry_wet) :> _;\n");
    }
    if (pre->enabled) {
        adac_strbuf_printf(s, "// pre_delay: the wet path's input, delayed by linear interpolation.\n"
                              "adac_pre_delay = ");
        emit_slider(s, ADAC_CTL_PRE_DELAY, pre);
        adac_strbuf_printf(s, " * ");
        adac_strbuf_number(s, c->fs_per_ms);
        adac_strbuf_printf(s, " : adac_smooth(");
        adac_strbuf_number(s, pre->init * c->fs_per_ms);
        adac_strbuf_printf(s, ");\n"
                              "adac_pre_delay_line = _ <: (@(i0) : *(1 - f)), (@(i0 + 1) : *(f)) :> _\n"
                              "with { i0 = max(0, min(%d, int(adac_pre_delay))); f = adac_pre_delay - "
                              "int(adac_pre_delay); };\n",
                           c->pre_delay_max);
    }
    adac_strbuf_printf(s, "\n");
}

static void emit_leaf_definition(emit_ctx *c, const adac_node *n)
{
    adac_strbuf *s = &c->out;
    char name[160];
    leaf_name(n, ++c->leaf_counter, name, sizeof name);
    /* Names from the model file are untrusted: escaped, they cannot end the
     * comment (a newline would turn the rest of the line into FAUST code). */
    char module[512], model_path[512];
    adac_escape_comment(n->module ? n->module : adac_node_type_name(n->type), 120, module, sizeof module);
    adac_strbuf_printf(s, "// %s: %s", n->json_path, module);
    if (n->model_path) adac_strbuf_printf(s, " '%s'", adac_escape_comment(n->model_path, 120, model_path, sizeof model_path));
    adac_strbuf_printf(s, ", %d in, %d out", n->n_in, n->n_out);
    if (adac_node_has_taps(n)) {
        if (n->advance > 0)
            adac_strbuf_printf(s, "; %lld sample(s) of each delay moved into the enclosing loop",
                               (long long)n->advance);
        else if (n->advance < 0)
            adac_strbuf_printf(s, "; delays lengthened by %lld sample(s) to align loop timing",
                               (long long)-n->advance);
    }
    if (n->type == ADAC_NODE_DELAY || n->type == ADAC_NODE_PARALLEL_DELAY)
        for (int e = 0; e < n->n_entries; e++)
            if (n->tap_count[e] > 1) {
                adac_strbuf_printf(s, "; fractional delays by order-%d Lagrange interpolation",
                                   n->interp_order);
                break;
            }
    if (n->post_delay > 0)
        adac_strbuf_printf(s, "; followed by %lld sample(s) to align loop timing",
                           (long long)n->post_delay);
    adac_strbuf_printf(s, "\n%s = ", name);
    if (adac_controls_rt60_index(c->controls, n) >= 0) emit_rt60_gains(s, n, c->controls);
    if (n->type == ADAC_NODE_GAIN && n->structure != ADAC_MATRIX_DENSE) {
        emit_structured_matrix(s, n);
    } else if (is_matrix_leaf(n) && !(n->n_in == 1 && n->n_out == 1)) {
        /* Each output row reads every input: split the inputs, one summing row per output. */
        emit_bus(s, n->n_in);
        adac_strbuf_printf(s, " <: (\n");
        for (int o = 0; o < n->n_out; o++) {
            adac_strbuf_printf(s, "    (");
            for (int i = 0; i < n->n_in; i++) {
                if (i) adac_strbuf_printf(s, ", ");
                emit_entry(s, n, o * n->n_in + i);
            }
            adac_strbuf_printf(s, " :> _)%s\n", o + 1 < n->n_out ? "," : "");
        }
        adac_strbuf_printf(s, "  )");
    } else {
        if (n->n_entries > 1) adac_strbuf_printf(s, "(");
        for (int e = 0; e < n->n_entries; e++) {
            if (e) adac_strbuf_printf(s, ", ");
            emit_entry(s, n, e);
        }
        if (n->n_entries > 1) adac_strbuf_printf(s, ")");
    }
    emit_post_delay(s, n->n_out, n->post_delay);
    adac_strbuf_printf(s, ";\n\n");
}

static void emit_definitions(emit_ctx *c, const adac_node *n)
{
    if (adac_node_is_leaf(n)) {
        emit_leaf_definition(c, n);
        return;
    }
    for (int i = 0; i < n->n_children; i++) emit_definitions(c, n->children[i]);
}

static void indent(adac_strbuf *s, int depth)
{
    adac_strbuf_printf(s, "\n%*s", 2 * depth, "");
}

static void emit_expr(emit_ctx *c, const adac_node *n, int depth)
{
    adac_strbuf *s = &c->out;
    if (adac_node_is_leaf(n)) {
        char name[160];
        leaf_name(n, ++c->leaf_counter, name, sizeof name);
        adac_strbuf_printf(s, "%s", name);
        return;
    }
    int wrap = n->post_delay > 0;
    if (wrap) adac_strbuf_printf(s, "(");
    switch (n->type) {
    case ADAC_NODE_SHELL:
        emit_expr(c, n->children[0], depth);
        break;
    case ADAC_NODE_SERIES:
        adac_strbuf_printf(s, "(");
        for (int i = 0; i < n->n_children; i++) {
            indent(s, depth + 1);
            if (i) adac_strbuf_printf(s, ": ");
            emit_expr(c, n->children[i], depth + 1);
        }
        indent(s, depth);
        adac_strbuf_printf(s, ")");
        break;
    case ADAC_NODE_PARALLEL:
        /* Both branches see the same input; outputs are summed channel by channel
         * (:> adds channel k and k + n_out) or kept side by side. */
        adac_strbuf_printf(s, "(");
        emit_bus(s, n->n_in);
        adac_strbuf_printf(s, " <: (");
        indent(s, depth + 1);
        emit_expr(c, n->children[0], depth + 1);
        adac_strbuf_printf(s, ",");
        indent(s, depth + 1);
        emit_expr(c, n->children[1], depth + 1);
        indent(s, depth);
        adac_strbuf_printf(s, ")");
        if (!n->concat) {
            adac_strbuf_printf(s, " :> ");
            emit_bus(s, n->n_out);
        }
        adac_strbuf_printf(s, ")");
        break;
    case ADAC_NODE_RECURSION: {
        /* y = fF(x + fB(y)): the feedback enters fF's first inputs, the input x its
         * last ones, and :> adds the two. `~` contributes the loop's one sample. */
        int ch = n->children[0]->n_in;
        adac_strbuf_printf(s, "((");
        emit_bus(s, 2 * ch);
        adac_strbuf_printf(s, " :> ");
        emit_expr(c, n->children[0], depth + 1);
        adac_strbuf_printf(s, ")");
        indent(s, depth);
        adac_strbuf_printf(s, "~ ");
        emit_expr(c, n->children[1], depth + 1);
        adac_strbuf_printf(s, ")");
        break;
    }
    default:
        break;
    }
    if (wrap) {
        emit_post_delay(s, n->n_out, n->post_delay);
        adac_strbuf_printf(s, ")");
    }
}

static int is_hadamard(const adac_node *n)
{
    return n->type == ADAC_NODE_GAIN && n->structure == ADAC_MATRIX_HADAMARD;
}

static int is_sos(const adac_node *n, adac_section_form form)
{
    return (n->type == ADAC_NODE_SOS || n->type == ADAC_NODE_PARALLEL_SOS) && n->section_form == form;
}

static int has_df1_sections(const adac_node *n)
{
    return is_sos(n, ADAC_SECTIONS_DF1);
}

static int has_svf_sections(const adac_node *n)
{
    return is_sos(n, ADAC_SECTIONS_SVF);
}

/* Whether any node of the tree satisfies `what`: a definition is written only
 * where the program uses it. */
static int uses(const adac_node *n, int (*what)(const adac_node *))
{
    if (what(n)) return 1;
    for (int i = 0; i < n->n_children; i++)
        if (uses(n->children[i], what)) return 1;
    return 0;
}

/* process = the model inside the controls that sit outside it: the pre-delay
 * before it, the dry/wet mix after it. */
static void emit_controlled_process(adac_strbuf *s, const adac_controls *controls, int ni)
{
    int pre = controls->ctl[ADAC_CTL_PRE_DELAY].enabled;
    adac_strbuf_printf(s, "\nprocess = ");
    if (controls->ctl[ADAC_CTL_DRY_WET].enabled) {
        /* (dry, wet) side by side, then paired channel by channel into the mix. */
        adac_strbuf_printf(s, "par(i, %d, _) <: (par(i, %d, _), (", ni, ni);
        if (pre) adac_strbuf_printf(s, "par(i, %d, adac_pre_delay_line) : ", ni);
        adac_strbuf_printf(s, "model)) : route(%d, %d", 2 * ni, 2 * ni);
        for (int j = 1; j <= ni; j++) adac_strbuf_printf(s, ", (%d, %d), (%d, %d)", j, 2 * j - 1, ni + j, 2 * j);
        adac_strbuf_printf(s, ") : par(i, %d, adac_mix);\n", ni);
    } else if (pre) {
        adac_strbuf_printf(s, "par(i, %d, adac_pre_delay_line) : model;\n", ni);
    } else {
        adac_strbuf_printf(s, "model;\n");
    }
}

char *adac_faust_emit(adac_graph *g, char *err, size_t err_len)
{
    return adac_faust_emit_controlled(g, NULL, err, err_len);
}

char *adac_faust_emit_controlled(adac_graph *g, const adac_controls *controls, char *err, size_t err_len)
{
    char name[256];
    adac_escape_faust_string(g->name, name, sizeof name);
    adac_plan(g, ADAC_PLAN_UNIT_LOOP);
    if (controls && !adac_controls_any(controls)) controls = NULL;
    emit_ctx c = {{0}, 0, controls};
    adac_strbuf *s = &c.out;
    adac_strbuf_printf(s,
                       "// Generated by adac-faust from ADAC IR version %d. Regenerate from the\n"
                       "// model rather than editing by hand. Delays are in samples at %g Hz.\n"
                       "// The model's sample rate is %g Hz: run this program at that rate (at any\n"
                       "// other, every delay and filter is off by the ratio of the rates).\n"
                       "declare name \"%s\";\n"
                       "declare adac_ir_version \"%d\";\n"
                       "declare adac_fs \"%g\";\n\n",
                       g->version, g->fs, g->fs, name, g->version, g->fs);
    adac_strbuf_printf(s, "// %d input(s), %d output(s).\n\n", g->root->n_in, g->root->n_out);
    if (uses(g->root, has_svf_sections))
        adac_strbuf_printf(
            s, "// One second-order section as a trapezoidal state-variable filter, the\n"
               "// engine's arithmetic in its order (ir/section_form.h): its integrator\n"
               "// states keep the round-off of poles near z = 1 small in single precision.\n"
               "// keep = attach(x, x) passes a signal through unchanged and stops FAUST\n"
               "// from merging the terms around it into other sums (it would fold\n"
               "// s1 + e1*s1 into one product and regroup s2 + (k2*s1 + k3*v), the\n"
               "// round-off this form avoids; attach(_, 0) does not stop the latter).\n"
               "// Products are not kept: a kept zero product crashes libfaust 2.54's\n"
               "// LLVM backend.\n"
               "adac_svf(e1, k2, k3, d, c1, c2) = (step ~ (_, _)) : (!, !, _)\n"
               "with {\n"
               "  keep = _ <: attach;\n"
               "  step(s1, s2, x) = t1, t2, y\n"
               "  with {\n"
               "    v = x - s2 : keep;\n"
               "    t1 = s1 + (e1 * s1 + k2 * v : keep) : keep;\n"
               "    t2 = s2 + (k2 * s1 + k3 * v : keep) : keep;\n"
               "    y = (d * x + c1 * s1 : keep) + c2 * s2 : keep;\n"
               "  };\n"
               "};\n\n");
    if (uses(g->root, has_df1_sections))
        adac_strbuf_printf(
            s, "// One second-order section, direct form I, a0 = 1:\n"
               "//   y = b0*x + b1*x' + b2*x'' - a1*y' - a2*y''\n"
               "adac_sos(b0, b1, b2, a1, a2) = fir : iir\n"
               "with {\n"
               "  fir = _ <: *(b0), (mem : *(b1)), (mem : mem : *(b2)) :> _;\n"
               "  iir = + ~ (_ <: *(0 - a1), (mem : *(0 - a2)) :> _);\n"
               "};\n\n");
    if (uses(g->root, is_hadamard))
        adac_strbuf_printf(s, "// One Hadamard butterfly: (a, b) -> (a + b, a - b), optionally scaled.\n"
                              "// attach(_, 0) passes a signal through unchanged; it keeps FAUST from\n"
                              "// flattening the stages into long sums, so each stage is computed\n"
                              "// once, as written (the engine's sums, bit for bit).\n"
                              "adac_butterfly = _, _ <: (+ : attach(_, 0)), (- : attach(_, 0));\n"
                              "adac_butterfly_scaled(g) = _, _ <: (+ : attach(_, 0) : *(g)), (- : attach(_, 0) : *(g));\n\n");
    if (controls) emit_control_definitions(s, controls);
    emit_definitions(&c, g->root);
    c.leaf_counter = 0;
    adac_strbuf_printf(s, controls ? "model = " : "process = ");
    emit_expr(&c, g->root, 0);
    adac_strbuf_printf(s, ";\n");
    if (controls) emit_controlled_process(s, controls, g->root->n_in);
    char *text = adac_strbuf_take(s);
    if (!text) snprintf(err, err_len, "out of memory while emitting FAUST");
    return text;
}
