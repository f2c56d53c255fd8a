#include "engine_core.h"

#include "bus.h"
#include "delay_line.h"
#include "engine.h"
#include "line_loops.h"
#include "macro_controls.h"
#include "matrix_mix.h"
#include "plan.h"
#include "sample.h"
#include "sos_bank.h"
#include "section_step.h"
#include "sos_cascade.h"
#include "vec_ops.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* One processor per graph node, mirroring the tree. Plan values are copied in at
 * creation so a later re-plan of the graph (e.g. by the emitter) cannot change a
 * running engine. */
typedef struct proc proc;
struct proc {
    const adac_node *node;
    int64_t advance, post_delay, loop_len;
    int delay_headed;
    proc **children;

    /* Buses: arrays of channel pointers into one allocation. */
    /* parallel: branch B in bus_b; recursion: u, w (delay-headed: none, its loop
     * runs in the head's rings); tap leaf under rt60: its scaled input in bus_a */
    adac_sample **bus_a, **bus_b;
    adac_sample ***series_bus;      /* series: n_children - 1 intermediate buses */
    adac_sample **chunk_out;        /* recursion: output channel pointers offset to the chunk */
    const adac_sample **head_view;  /* delay-headed recursion: the head's output, in its rings */
    adac_sample **next_view;        /* delay-headed recursion: where the loop's input goes */
    const adac_sample **in_view;    /* delay-headed recursion: the loop's input, advanced to the chunk */
    adac_sample *scratch;           /* sos matrix leaf: one entry's output */
    adac_matrix_mixer mixer;        /* gain leaf: its matrix in the sample type */

    adac_delay_line *lines;     /* delay leaf: one per input; recursion: loop buffer */
    int n_lines;
    adac_delay_line *post;      /* one per output when post_delay > 0 */
    adac_sos_cascade *filters;  /* sos leaf: one per entry */
    adac_sos_bank bank;         /* parallel sos leaf: all channels together */

    /* A series' gain that runs inside the delay-headed loop after it: it points
     * at the loop in fused_loop, and that step of the series covers fused_span
     * children after the gain, the loop taking the gain's input. As line loops
     * (line_loops.h) the input gain, the loop and the output gain are one pass
     * (span 2); a one-input gain is added as a column in the loop's dense
     * feedback mix (matrix_mix.h; span 1), the loop holding its mixer in
     * column_gain. */
    proc *fused_loop;
    int fused_span;
    adac_line_loops loops;        /* prepared (loops.bank set): the loop runs as line loops */
    const adac_sample **loops_in; /* the input gain's input, advanced to the chunk */
    adac_sample **loops_out;      /* the output gain's output, advanced to the chunk */
    const adac_matrix_mixer *column_gain;

    int loop_head;      /* a delay leaf whose lines are a delay-headed loop's buffer */
    adac_macro *macro;  /* the engine's macro-controls */
    int rt60_loop;      /* delay leaf at a loop's head: which rt60 line gains, or -1 */
};

/* The graph runs in slices of at most this many samples whatever the caller's
 * block: a slice of every bus then stays in L1 while it passes from node to node,
 * which matters more than per-slice overhead once a network has tens of lines
 * (512 bytes per channel paid more in per-line calls than it saved; docs/bench.md).
 * The budget is in bytes (128 doubles, 256 floats), so the single path pays each
 * per-channel, per-slice cost once per twice the samples. */
#define SLICE ((int)(ADAC_SLICE_BYTES / sizeof(adac_sample)))

/* This build's names (engine_core.h declares both). */
#define adac_core ADAC_SAMPLE_NAME(adac_core)
#define CORE(name) ADAC_SAMPLE_NAME(adac_core_##name)

struct adac_core {
    adac_graph *graph;
    proc *root;
    adac_macro macro;
    int max_block;
    const adac_sample **in_at; /* the caller's channels, advanced to the current slice */
    adac_sample **out_at;
    /* Input that is not finite (NaN, inf) is replaced by 0 before it reaches any
     * state: one bad sample would otherwise circulate in a loop for ever. */
    adac_sample **in_clean;       /* a slice of each input, cleaned */
    const adac_sample **in_safe;  /* per input: the caller's slice or its cleaned copy */
    _Atomic unsigned long long non_finite;
};

/* A delay-headed recursion's head: the delay leaf that starts fF (ir/plan.c). */
static proc *loop_head(const proc *recursion)
{
    proc *ff = recursion->children[0];
    return ff->node->type == ADAC_NODE_SERIES ? ff->children[0] : ff;
}

static proc *proc_build(const adac_node *n, adac_macro *macro)
{
    proc *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->node = n;
    p->macro = macro;
    p->rt60_loop = adac_controls_rt60_index(&macro->spec, n);
    p->advance = n->advance;
    p->post_delay = n->post_delay;
    p->loop_len = n->loop_len;
    p->delay_headed = n->delay_headed;
    if (n->n_children) {
        p->children = calloc(n->n_children, sizeof *p->children);
        if (!p->children) {
            free(p);
            return NULL;
        }
        /* A child that failed stays NULL: proc_prepare refuses the tree. */
        for (int i = 0; i < n->n_children; i++)
            if (!(p->children[i] = proc_build(n->children[i], macro))) return p;
    }
    if (n->type == ADAC_NODE_RECURSION && n->delay_headed && loop_head(p)) loop_head(p)->loop_head = 1;
    return p;
}

/* Whether an input gain, a loop and an output gain (consecutive children of a
 * series) run as line loops: line_loops.h's shape, with nothing the pass does
 * not do (a post-delay, the rt60 control scaling the loop). */
static int fuse_line_loops(const proc *in_gain, const proc *loop, const proc *out_gain)
{
    if (!adac_line_loops_fit(in_gain->node, loop->node, out_gain->node)) return 0;
    const proc *ff = loop->children[0];
    const proc *parts[] = {in_gain, loop, ff, ff->children[0], ff->children[1], loop->children[1], out_gain};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (parts[i]->post_delay > 0) return 0;
    return ff->children[0]->rt60_loop < 0;
}

static int prepare_line_loops(proc *in_gain, proc *loop, proc *out_gain, int max_block)
{
    in_gain->fused_loop = loop;
    in_gain->fused_span = 2;
    loop->loops_in = calloc(in_gain->node->n_in, sizeof *loop->loops_in);
    loop->loops_out = calloc(out_gain->node->n_out, sizeof *loop->loops_out);
    return loop->loops_in && loop->loops_out &&
           adac_line_loops_prepare(&loop->loops, &in_gain->mixer, loop->node, &out_gain->mixer,
                                   &loop->children[0]->children[1]->bank, max_block);
}

/* Whether a gain (a series child) runs inside the loop after it: a dense gain
 * of one input straight into a delay-headed loop whose feedback is a dense mix
 * of two lines or more. The gain's mix into a bus, and the loop's reading it
 * back, then become one multiply-add per line and sample in the feedback mix's
 * pass, with the same bits. */
static int fuse_column(const proc *in_gain, const proc *loop)
{
    const adac_node *g = in_gain->node, *r = loop->node;
    if (g->type != ADAC_NODE_GAIN || g->structure != ADAC_MATRIX_DENSE || g->n_in != 1 || in_gain->post_delay > 0)
        return 0;
    if (r->type != ADAC_NODE_RECURSION || !loop->delay_headed) return 0;
    const adac_node *fb = r->children[1];
    return fb->type == ADAC_NODE_GAIN && fb->structure == ADAC_MATRIX_DENSE && fb->n_out > 1;
}

static int proc_prepare(proc *p, int max_block)
{
    const adac_node *n = p->node;
    for (int i = 0; i < n->n_children; i++)
        if (!p->children[i] || !proc_prepare(p->children[i], max_block)) return 0;
    switch (n->type) {
    case ADAC_NODE_SERIES:
        if (n->n_children > 1) {
            p->series_bus = calloc(n->n_children - 1, sizeof *p->series_bus);
            for (int i = 0; i + 1 < n->n_children; i++)
                if (!(p->series_bus[i] = adac_bus_alloc(n->children[i]->n_out, max_block))) return 0;
        }
        for (int i = 0; i + 1 < n->n_children; i++) {
            proc *gain = p->children[i], *loop = p->children[i + 1];
            if (i + 2 < n->n_children && fuse_line_loops(gain, loop, p->children[i + 2])) {
                if (!prepare_line_loops(gain, loop, p->children[i + 2], max_block)) return 0;
            } else if (fuse_column(gain, loop)) {
                gain->fused_loop = loop, gain->fused_span = 1;
                loop->column_gain = &gain->mixer;
            }
            i += gain->fused_span;
        }
        break;
    case ADAC_NODE_PARALLEL:
        if (!n->concat && !(p->bus_b = adac_bus_alloc(n->n_out, max_block))) return 0;
        break;
    case ADAC_NODE_RECURSION: {
        int ch = n->children[0]->n_in;
        p->chunk_out = calloc(n->n_out, sizeof(adac_sample *));
        if (!p->chunk_out) return 0;
        /* The head delay's lines are the loop buffer, and fB writes into them. */
        if (p->delay_headed) {
            p->head_view = calloc(ch, sizeof *p->head_view);
            p->next_view = calloc(ch, sizeof *p->next_view);
            p->in_view = calloc(ch, sizeof *p->in_view);
            if (!p->head_view || !p->next_view || !p->in_view) return 0;
            break;
        }
        if (!(p->bus_a = adac_bus_alloc(ch, max_block)) || !(p->bus_b = adac_bus_alloc(ch, max_block))) return 0;
        p->lines = calloc(ch, sizeof *p->lines);
        p->n_lines = ch;
        for (int c = 0; c < ch; c++)
            if (!adac_delay_line_prepare(&p->lines[c], (size_t)p->loop_len, max_block)) return 0;
        break;
    }
    case ADAC_NODE_DELAY:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_FIR: {
        /* Each input's line as long as the longest tap that reads it: one long
         * delay must not make every line long. */
        p->lines = calloc(n->n_in, sizeof *p->lines);
        if (!p->lines) return 0;
        p->n_lines = n->n_in;
        for (int c = 0; c < n->n_in; c++) {
            int64_t longest = adac_node_longest_tap(n, c) - p->advance;
            size_t room = (size_t)(longest > 0 ? longest : 0);
            if (!(p->loop_head ? adac_delay_line_prepare_loop : adac_delay_line_prepare)(&p->lines[c], room, max_block))
                return 0;
        }
        /* rt60 scales the lines' input, which is not ours to change: a copy. */
        if (p->rt60_loop >= 0 && !(p->bus_a = adac_bus_alloc(n->n_in, max_block))) return 0;
        break;
    }
    case ADAC_NODE_GAIN:
        if (!adac_matrix_mix_prepare(&p->mixer, n)) return 0;
        break;
    case ADAC_NODE_PARALLEL_SOS:
        if (!adac_sos_bank_prepare(&p->bank, n->n_entries, n->n_sections, n->section_form, adac_node_section_numbers(n), max_block))
            return 0;
        break;
    case ADAC_NODE_SOS:
        if (!(p->scratch = calloc(max_block, sizeof *p->scratch))) return 0;
        p->filters = calloc(n->n_entries, sizeof *p->filters);
        for (int e = 0; e < n->n_entries; e++)
            if (!adac_sos_cascade_prepare(&p->filters[e], n->n_sections, n->section_form,
                                          adac_node_section_numbers(n) + (size_t)e * n->n_sections * 6))
                return 0;
        break;
    default:
        break;
    }
    if (p->post_delay > 0) {
        p->post = calloc(n->n_out, sizeof *p->post);
        for (int c = 0; c < n->n_out; c++)
            if (!adac_delay_line_prepare(&p->post[c], (size_t)p->post_delay, max_block)) return 0;
    }
    return 1;
}

static void proc_process(proc *p, const adac_sample *const *in, adac_sample *const *out, int n);

/* Adds tap entry e (a delay or an FIR), read from input line `line`, into out.
 * lag: samples of this block not yet written to the line (0 after writing it). */
static void read_entry(proc *p, int e, int line, adac_sample *out, int n, int lag)
{
    const adac_node *nd = p->node;
    size_t at = (size_t)e * nd->tap_stride;
    for (int k = 0; k < nd->tap_count[e]; k++) {
        size_t d = (size_t)(nd->tap_delay[at + k] - p->advance - lag);
        adac_delay_line_read_add_scaled(&p->lines[line], out, n, d, (adac_sample)nd->tap_gain[at + k]);
    }
}

/* Output o of a tap leaf (delay or FIR, matrix or parallel) for n samples from
 * its lines; lag as in read_entry: 0 once the block is written, n to read ahead
 * of writing it (every tap then at least n long). An output whose first entry is
 * a plain integer delay starts as one copy out of the ring instead of zero-and-add. */
static void read_output(proc *p, int o, adac_sample *out, int n, int lag)
{
    const adac_node *nd = p->node;
    int parallel = nd->type == ADAC_NODE_PARALLEL_DELAY || nd->type == ADAC_NODE_PARALLEL_FIR;
    int per_output = parallel ? 1 : nd->n_in;
    for (int k = 0; k < per_output; k++) {
        int e = parallel ? o : o * nd->n_in + k, line = parallel ? o : k;
        size_t at = (size_t)e * nd->tap_stride;
        if (k == 0 && nd->tap_count[e] == 1 && (adac_sample)nd->tap_gain[at] == 1) {
            adac_delay_line_read(&p->lines[line], out, n, (size_t)(nd->tap_delay[at] - p->advance - lag));
            continue;
        }
        if (k == 0) memset(out, 0, (size_t)n * sizeof *out);
        read_entry(p, e, line, out, n, lag);
    }
}

static void read_taps(proc *p, adac_sample *const *out, int n, int lag)
{
    for (int o = 0; o < p->node->n_out; o++) read_output(p, o, out[o], n, lag);
}

/* Where a parallel delay leaf's output for the next n samples (lag as in
 * read_output) can be read: in its own ring where the channel is one plain
 * integer tap, else copied into that channel of bus. */
static const adac_sample *const *view_taps(proc *p, const adac_sample **view, adac_sample *const *bus, int n, int lag)
{
    const adac_node *nd = p->node;
    for (int o = 0; o < nd->n_out; o++) {
        size_t at = (size_t)o * nd->tap_stride;
        if (nd->tap_count[o] == 1 && (adac_sample)nd->tap_gain[at] == 1) {
            view[o] = adac_delay_line_peek(&p->lines[o], n, (size_t)(nd->tap_delay[at] - p->advance - lag));
        } else {
            read_output(p, o, bus[o], n, lag);
            view[o] = bus[o];
        }
    }
    return view;
}

static void process_series_from(proc *p, int first, const adac_sample *const *in, adac_sample *const *out, int n);

/* u = fB(y) + x, fused where fB is one gain leaf (a mix or a per-line gain):
 * the same bits as running fB and then adding x. Where the loop runs its input
 * gain (column_gain), x is that gain's one input. */
static void feed_back(proc *loop, const adac_sample *const *y, const adac_sample *const *x, adac_sample *const *u, int n)
{
    proc *fb = loop->children[1];
    const adac_node *nd = fb->node;
    if (loop->column_gain) {
        adac_matrix_mix_add_column(&fb->mixer, y, loop->column_gain->gain, x[0], u, n);
    } else if (nd->type == ADAC_NODE_GAIN) {
        adac_matrix_mix_add(&fb->mixer, y, x, u, n);
    } else if (nd->type == ADAC_NODE_PARALLEL_GAIN) {
        for (int c = 0; c < nd->n_out; c++) adac_vec_scale_add(u[c], y[c], (adac_sample)nd->gain[c], x[c], n);
    } else {
        proc_process(fb, y, u, n);
        for (int c = 0; c < nd->n_out; c++) adac_vec_add(u[c], x[c], n);
    }
}

/* Where a delay-headed loop's next c samples go: into the head's rings, in
 * place (a chunk is never longer than the block the lines were prepared for). */
static void loop_next_views(proc *p, proc *head, int ch, int c)
{
    for (int k = 0; k < ch; k++) p->next_view[k] = adac_delay_line_next(&head->lines[k], c);
}

static void loop_commit(proc *head, int ch, int c)
{
    for (int k = 0; k < ch; k++) adac_delay_line_commit(&head->lines[k], c);
}

/* The usual FDN: fF = (delays, then the rest). The delays' output for a chunk no
 * longer than the shortest delay is already in their lines, so: read it, run the
 * rest of fF and then fB, and write u = x + fB(y) into the same lines. The rest
 * of fF reads the lines in place and fB writes into them (delay_line.h keeps
 * every run contiguous), so the loop copies nothing. */
static void process_delay_headed(proc *p, const adac_sample *const *in, adac_sample *const *out, int n)
{
    proc *ff = p->children[0], *head = loop_head(p);
    int ch = ff->node->n_in, inputs = p->column_gain ? 1 : ch;
    int len = (int)(p->loop_len < n ? p->loop_len : n);
    for (int off = 0; off < n; off += len) {
        int c = n - off < len ? n - off : len;
        for (int k = 0; k < p->node->n_out; k++) p->chunk_out[k] = out[k] + off;
        if (head == ff) {
            read_taps(head, p->chunk_out, c, c);
        } else if (ff->node->n_children > 1 && head->node->type == ADAC_NODE_PARALLEL_DELAY) {
            const adac_sample *const *y = view_taps(head, p->head_view, ff->series_bus[0], c, c);
            process_series_from(ff, 1, y, p->chunk_out, c);
        } else {
            adac_sample *const *head_out = ff->node->n_children > 1 ? ff->series_bus[0] : p->chunk_out;
            read_taps(head, head_out, c, c);
            process_series_from(ff, 1, (const adac_sample *const *)head_out, p->chunk_out, c);
        }
        loop_next_views(p, head, ch, c);
        for (int k = 0; k < inputs; k++) p->in_view[k] = in[k] + off;
        feed_back(p, (const adac_sample *const *)p->chunk_out, p->in_view, p->next_view, c);
        if (head->rt60_loop >= 0) adac_macro_rt60(p->macro, head->rt60_loop, p->next_view, c);
        loop_commit(head, ch, c);
    }
}

/* A series' input gain, delay-headed loop and output gain as line loops: per
 * chunk, the delays' output read in their rings (copied only for taps that
 * are not one plain delay), one pass, and the loop's input written into the
 * rings. */
static void process_line_loops(proc *p, const adac_sample *const *in, adac_sample *const *out, int n)
{
    proc *ff = p->children[0], *head = loop_head(p);
    int ch = ff->node->n_in;
    int len = (int)(p->loop_len < n ? p->loop_len : n);
    for (int off = 0; off < n; off += len) {
        int c = n - off < len ? n - off : len;
        for (int k = 0; k < p->loops.inputs; k++) p->loops_in[k] = in[k] + off;
        for (int k = 0; k < p->loops.outputs; k++) p->loops_out[k] = out[k] + off;
        const adac_sample *const *y = view_taps(head, p->head_view, ff->series_bus[0], c, c);
        loop_next_views(p, head, ch, c);
        adac_line_loops_process(&p->loops, p->loops_in, y, p->next_view, p->loops_out, c);
        loop_commit(head, ch, c);
    }
}

static void process_recursion(proc *p, const adac_sample *const *in, adac_sample *const *out, int n)
{
    if (p->loops.bank) {
        process_line_loops(p, in, out, n);
        return;
    }
    if (p->delay_headed) {
        process_delay_headed(p, in, out, n);
        return;
    }
    const adac_node *nd = p->node;
    proc *ff = p->children[0], *fb = p->children[1];
    int ch = p->n_lines;
    int len = (int)(p->loop_len < n ? p->loop_len : n);
    for (int off = 0; off < n; off += len) {
        int c = n - off < len ? n - off : len;
        /* u = x + fB'(v) from loop_len samples ago (read before this chunk is written). */
        for (int k = 0; k < ch; k++) {
            adac_delay_line_read(&p->lines[k], p->bus_a[k], c, (size_t)(p->loop_len - c));
            adac_vec_add(p->bus_a[k], in[k] + off, c);
        }
        for (int k = 0; k < nd->n_out; k++) p->chunk_out[k] = out[k] + off;
        proc_process(ff, (const adac_sample *const *)p->bus_a, p->chunk_out, c);
        proc_process(fb, (const adac_sample *const *)p->chunk_out, p->bus_b, c);
        for (int k = 0; k < ch; k++) adac_delay_line_write(&p->lines[k], p->bus_b[k], c);
    }
}

static void proc_process(proc *p, const adac_sample *const *in, adac_sample *const *out, int n)
{
    const adac_node *nd = p->node;
    switch (nd->type) {
    case ADAC_NODE_GAIN:
        adac_matrix_mix(&p->mixer, in, out, n);
        break;
    case ADAC_NODE_PARALLEL_GAIN:
        for (int c = 0; c < nd->n_out; c++) adac_vec_scale(out[c], in[c], (adac_sample)nd->gain[c], n);
        break;
    case ADAC_NODE_DELAY:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_FIR:
        if (p->rt60_loop >= 0) {
            for (int i = 0; i < nd->n_in; i++) memcpy(p->bus_a[i], in[i], (size_t)n * sizeof **p->bus_a);
            adac_macro_rt60(p->macro, p->rt60_loop, p->bus_a, n);
            in = (const adac_sample *const *)p->bus_a;
        }
        for (int i = 0; i < nd->n_in; i++) adac_delay_line_write(&p->lines[i], in[i], n);
        read_taps(p, out, n, 0);
        break;
    case ADAC_NODE_PARALLEL_SOS:
        adac_sos_bank_process(&p->bank, in, out, n);
        break;
    case ADAC_NODE_SOS:
        for (int o = 0; o < nd->n_out; o++) {
            memset(out[o], 0, (size_t)n * sizeof **out);
            for (int i = 0; i < nd->n_in; i++) {
                adac_sos_cascade_process(&p->filters[o * nd->n_in + i], in[i], p->scratch, n);
                for (int t = 0; t < n; t++) out[o][t] += p->scratch[t];
            }
        }
        break;
    case ADAC_NODE_SHELL:
        proc_process(p->children[0], in, out, n);
        break;
    case ADAC_NODE_SERIES:
        process_series_from(p, 0, in, out, n);
        break;
    case ADAC_NODE_PARALLEL: {
        int na = nd->children[0]->n_out;
        proc_process(p->children[0], in, out, n);
        if (nd->concat) {
            proc_process(p->children[1], in, out + na, n);
        } else {
            proc_process(p->children[1], in, p->bus_b, n);
            for (int c = 0; c < nd->n_out; c++) adac_vec_add(out[c], p->bus_b[c], n);
        }
        break;
    }
    case ADAC_NODE_RECURSION:
        process_recursion(p, in, out, n);
        break;
    }
    if (p->post_delay > 0)
        for (int c = 0; c < nd->n_out; c++) {
            adac_delay_line_write(&p->post[c], out[c], n);
            adac_delay_line_read(&p->post[c], out[c], n, (size_t)p->post_delay);
        }
}

/* Children first..k-1 of a series; in is child first's input. */
static void process_series_from(proc *p, int first, const adac_sample *const *in, adac_sample *const *out, int n)
{
    int k = p->node->n_children;
    const adac_sample *const *x = in;
    for (int i = first; i < k; i++) {
        proc *child = p->children[i];
        int last = i + child->fused_span; /* the last child this step runs */
        adac_sample *const *y = last == k - 1 ? out : p->series_bus[last];
        /* A loop that runs its gain takes the gain's input. */
        proc_process(child->fused_loop ? child->fused_loop : child, x, y, n);
        x = (const adac_sample *const *)y;
        i = last;
    }
}

static void proc_reset(proc *p)
{
    const adac_node *n = p->node;
    for (int i = 0; i < n->n_children; i++) proc_reset(p->children[i]);
    for (int i = 0; i < p->n_lines; i++) adac_delay_line_reset(&p->lines[i]);
    if (p->post)
        for (int c = 0; c < n->n_out; c++) adac_delay_line_reset(&p->post[c]);
    if (p->filters)
        for (int e = 0; e < n->n_entries; e++) adac_sos_cascade_reset(&p->filters[e]);
    if (p->bank.state) adac_sos_bank_reset(&p->bank);
}

static void proc_free(proc *p)
{
    if (!p) return;
    const adac_node *n = p->node;
    for (int i = 0; i < n->n_children; i++) proc_free(p->children[i]);
    free(p->children);
    if (p->series_bus) {
        for (int i = 0; i + 1 < n->n_children; i++) adac_bus_free(p->series_bus[i]);
        free(p->series_bus);
    }
    adac_bus_free(p->bus_a);
    adac_bus_free(p->bus_b);
    free(p->chunk_out);
    free(p->head_view);
    free(p->in_view);
    free(p->next_view);
    free(p->scratch);
    if (p->lines) {
        for (int i = 0; i < p->n_lines; i++) adac_delay_line_free(&p->lines[i]);
        free(p->lines);
    }
    if (p->post) {
        for (int c = 0; c < n->n_out; c++) adac_delay_line_free(&p->post[c]);
        free(p->post);
    }
    if (p->filters) {
        for (int e = 0; e < n->n_entries; e++) adac_sos_cascade_free(&p->filters[e]);
        free(p->filters);
    }
    adac_sos_bank_free(&p->bank);
    adac_matrix_mix_free(&p->mixer);
    adac_line_loops_free(&p->loops);
    free(p->loops_in);
    free(p->loops_out);
    free(p);
}

adac_core *CORE(create)(adac_graph *g, const adac_controls *controls)
{
    adac_core *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->graph = g;
    adac_controls none = {0};
    int macro_ok = adac_macro_init(&e->macro, controls ? controls : &none, g->root->n_in, SLICE);
    adac_plan(g, ADAC_PLAN_LONGEST_LOOP);
    e->root = proc_build(g->root, &e->macro);
    e->in_at = calloc(g->root->n_in, sizeof *e->in_at);
    e->out_at = calloc(g->root->n_out, sizeof *e->out_at);
    e->in_safe = calloc(g->root->n_in ? g->root->n_in : 1, sizeof *e->in_safe);
    if (!macro_ok || !e->root || !e->in_at || !e->out_at || !e->in_safe) {
        CORE(free)(e);
        return NULL;
    }
    return e;
}

const adac_controls *CORE(controls)(const adac_core *e)
{
    return &e->macro.spec;
}

int CORE(prepare)(adac_core *e, int max_block)
{
    if (max_block < 1) return 0;
    e->max_block = max_block;
    int slice = max_block < SLICE ? max_block : SLICE;
    adac_bus_free(e->in_clean);
    if (!(e->in_clean = adac_bus_alloc(e->graph->root->n_in, slice))) return 0;
    return proc_prepare(e->root, slice);
}

/* The inputs with every non-finite sample replaced by 0 (and counted). One cheap
 * vector pass per channel (vec_ops.h) finds the rare slice that needs a cleaned
 * copy. */
static const adac_sample *const *finite_inputs(adac_core *e, const adac_sample *const *in, int n)
{
    int ni = e->graph->root->n_in, dirty = 0;
    for (int c = 0; c < ni; c++) {
        e->in_safe[c] = in[c];
        if (adac_vec_all_finite(in[c], n)) continue;
        unsigned long long bad = 0;
        for (int t = 0; t < n; t++) {
            int ok = isfinite(in[c][t]);
            e->in_clean[c][t] = ok ? in[c][t] : 0;
            bad += !ok;
        }
        atomic_fetch_add_explicit(&e->non_finite, bad, memory_order_relaxed);
        e->in_safe[c] = e->in_clean[c];
        dirty = 1;
    }
    return dirty ? e->in_safe : in;
}

unsigned long long CORE(non_finite_inputs)(const adac_core *e)
{
    return atomic_load_explicit(&((adac_core *)e)->non_finite, memory_order_relaxed);
}

/* One slice: the macro-controls around the model (pre-delay before, dry/wet after). */
static void process_slice(adac_core *e, const adac_sample *const *in, adac_sample *const *out, int n)
{
    in = finite_inputs(e, in, n);
    adac_macro_begin(&e->macro);
    proc_process(e->root, adac_macro_pre_delay(&e->macro, in, n), out, n);
    adac_macro_dry_wet(&e->macro, in, out, e->graph->root->n_out, n);
}

void CORE(process)(adac_core *e, const adac_sample *const *in, adac_sample *const *out, int n)
{
    int ni = e->graph->root->n_in, no = e->graph->root->n_out;
    if (n <= SLICE) {
        process_slice(e, in, out, n);
        return;
    }
    const adac_sample **in_at = e->in_at;
    adac_sample **out_at = e->out_at;
    for (int off = 0; off < n; off += SLICE) {
        int len = n - off < SLICE ? n - off : SLICE;
        for (int c = 0; c < ni; c++) in_at[c] = in[c] + off;
        for (int c = 0; c < no; c++) out_at[c] = out[c] + off;
        process_slice(e, in_at, out_at, len);
    }
}

double CORE(set_control)(adac_core *e, adac_control_id id, double value)
{
    return adac_macro_set(&e->macro, id, value);
}

double CORE(control_target)(const adac_core *e, adac_control_id id)
{
    return atomic_load_explicit(&((adac_core *)e)->macro.target[id], memory_order_relaxed);
}

void CORE(reset)(adac_core *e)
{
    proc_reset(e->root);
    adac_macro_reset(&e->macro);
}

/* Same shape: the same tree of nodes, channel counts, taps (delay lengths),
 * section counts and forms, and loop plan, so that every delay line and filter state of one
 * has its exact counterpart in the other. Parameter values may differ. */
static int same_node_shape(const adac_node *a, const adac_node *b)
{
    if (a->type != b->type || a->n_in != b->n_in || a->n_out != b->n_out || a->n_children != b->n_children ||
        a->n_entries != b->n_entries || a->n_sections != b->n_sections || a->concat != b->concat ||
        a->tap_stride != b->tap_stride || a->advance != b->advance || a->post_delay != b->post_delay ||
        a->loop_len != b->loop_len || a->delay_headed != b->delay_headed || a->section_form != b->section_form)
        return 0;
    if (a->tap_count) {
        if (!b->tap_count) return 0;
        for (int e = 0; e < a->n_entries; e++) {
            if (a->tap_count[e] != b->tap_count[e]) return 0;
            for (int k = 0; k < a->tap_count[e]; k++)
                if (a->tap_delay[(size_t)e * a->tap_stride + k] != b->tap_delay[(size_t)e * b->tap_stride + k])
                    return 0;
        }
    }
    for (int i = 0; i < a->n_children; i++)
        if (!same_node_shape(a->children[i], b->children[i])) return 0;
    return 1;
}

int CORE(same_shape)(const adac_core *a, const adac_core *b)
{
    return a->max_block == b->max_block && same_node_shape(a->graph->root, b->graph->root) &&
           adac_macro_same_shape(&a->macro, &b->macro);
}

/* The ring only: the guard after it holds no state (delay_line.h). */
static void copy_line(adac_delay_line *dst, const adac_delay_line *src)
{
    memcpy(dst->buf, src->buf, dst->size * sizeof *dst->buf);
    dst->write_pos = src->write_pos;
}

static void proc_take_state(proc *dst, const proc *src)
{
    const adac_node *n = dst->node;
    for (int i = 0; i < n->n_children; i++) proc_take_state(dst->children[i], src->children[i]);
    for (int i = 0; i < dst->n_lines; i++) copy_line(&dst->lines[i], &src->lines[i]);
    if (dst->post)
        for (int c = 0; c < n->n_out; c++) copy_line(&dst->post[c], &src->post[c]);
    if (dst->filters)
        for (int e = 0; e < n->n_entries; e++)
            memcpy(dst->filters[e].state, src->filters[e].state,
                   (size_t)n->n_sections * ADAC_SECTION_STATES * sizeof *dst->filters[e].state);
    if (dst->bank.state)
        memcpy(dst->bank.state, src->bank.state,
               (size_t)dst->bank.sections * ADAC_SECTION_STATES * dst->bank.lanes * sizeof *dst->bank.state);
}

void CORE(take_state)(adac_core *dst, const adac_core *src)
{
    proc_take_state(dst->root, src->root);
    adac_macro_take_state(&dst->macro, &src->macro);
}

void CORE(free)(adac_core *e)
{
    if (!e) return;
    proc_free(e->root);
    adac_macro_free(&e->macro);
    free(e->in_at);
    free(e->out_at);
    free(e->in_safe);
    adac_bus_free(e->in_clean);
    free(e);
}
