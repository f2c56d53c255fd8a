/* The validated model graph: what the JSON IR loader builds and what the engine,
 * the FAUST emitter and (later) the certificate all walk. Channel counts and
 * minimum latencies are resolved once, here, and nowhere else. */
#ifndef ADAC_GRAPH_H
#define ADAC_GRAPH_H

#include "section_form.h"

#include <stddef.h>
#include <stdint.h>

#define ADAC_IR_VERSION 1
#define ADAC_ERR_LEN 1024

/* Limits on what a model may ask for, checked by the loader before any work
 * starts (docs/security.md): far above real reverbs, low enough that a hostile
 * file cannot exhaust the machine. */
#define ADAC_MIN_FS 1.0
#define ADAC_MAX_FS 1e6                       /* Hz */
#define ADAC_MAX_CHANNELS 4096                /* inputs or outputs of any node */
#define ADAC_MAX_DELAY_SAMPLES (1 << 26)      /* one delay: 23 min at 48 kHz */
#define ADAC_MAX_STATE_BYTES ((size_t)2 << 30) /* all delay lines together */

typedef enum {
    ADAC_NODE_SERIES,
    ADAC_NODE_PARALLEL,
    ADAC_NODE_RECURSION,
    ADAC_NODE_SHELL,
    ADAC_NODE_GAIN,           /* dense matrix, out x in */
    ADAC_NODE_PARALLEL_GAIN,  /* diagonal, n */
    ADAC_NODE_DELAY,          /* one delay per (out, in) entry */
    ADAC_NODE_PARALLEL_DELAY, /* one delay per channel */
    ADAC_NODE_SOS,            /* K cascaded biquads per (out, in) entry */
    ADAC_NODE_PARALLEL_SOS,   /* K cascaded biquads per channel */
    ADAC_NODE_FIR,            /* an FIR filter per (out, in) entry */
    ADAC_NODE_PARALLEL_FIR    /* an FIR filter per channel */
} adac_node_type;

/* How a gain leaf's matrix may be applied: densely, or in a fast form the IR
 * declares (and the loader checks against the dense matrix). */
typedef enum {
    ADAC_MATRIX_DENSE,
    ADAC_MATRIX_HOUSEHOLDER, /* scale * (I - 2 u u^T), u of unit norm: O(N) */
    ADAC_MATRIX_HADAMARD     /* scale * Sylvester +-1 matrix, N a power of two: O(N log N) */
} adac_matrix_structure;

typedef struct adac_node adac_node;

struct adac_node {
    adac_node_type type;
    char *json_path;   /* where it sits in the IR, e.g. "$.graph.children[1].fB" */
    char *model_path;  /* where it sat in the trained model, or NULL */
    char *module;      /* the model's class name (e.g. "HouseholderMatrix"), or NULL */
    int n_in, n_out;

    /* Composites. Series: k children in order. Parallel: the two branches.
     * Recursion: children[0] = fF (feedforward), children[1] = fB (feedback).
     * Shell: children[0] = core. */
    int n_children;
    adac_node **children;
    int concat; /* parallel only: 1 concatenates outputs, 0 sums them */

    /* Leaves. Entry e of a matrix leaf is (o, i) at e = o * n_in + i; a
     * parallel leaf has one entry per channel. */
    int n_entries;
    double *gain;      /* gain leaves: n_entries */
    adac_matrix_structure structure; /* gain leaves */
    double *structure_u;             /* householder: n_in entries, unit norm */
    double structure_scale;          /* householder, hadamard */
    double *delay;     /* delay leaves: n_entries samples, >= 0, possibly fractional */
    int interp_order;  /* delay leaves: Lagrange order used for fractional entries */
    /* Delay and FIR leaves as sparse taps: entry e sums tap_count[e] terms, term k
     * delayed by tap_delay[e * tap_stride + k] samples and scaled by tap_gain[same]
     * (an integer delay is one tap of gain 1; a fractional one its Lagrange taps;
     * an FIR its non-zero coefficients). */
    int tap_stride;
    int *tap_count;
    int64_t *tap_delay;
    double *tap_gain;
    int n_sections;    /* sos leaves: K */
    double *sos;       /* sos leaves: n_entries * K * 6, [b0 b1 b2 1 a1 a2] */
    /* sos leaves: how every section of the leaf is computed (section_form.h),
     * and for ADAC_SECTIONS_SVF its numbers, n_entries * K * 6, [e1 k2 k3 d c1 c2]. */
    adac_section_form section_form;
    double *svf;

    /* Smallest delay, in samples, on any input->output path through the node. */
    int64_t min_latency;

    /* Written by adac_plan (plan.h): how the node's output is time-shifted so
     * that every feedback loop gets an explicit delay. */
    int64_t advance;    /* output runs this many samples early (< 0: late) */
    int64_t post_delay; /* extra delay appended after the node's output */
    int64_t loop_len;   /* recursion only: samples in the loop's explicit buffer */
    /* Recursion only, engine plan: fF starts with an integer delay leaf whose
     * shortest tap is loop_len samples; that leaf's own lines then carry the
     * loop (read the past, compute, write), with no separate loop buffer. */
    int delay_headed;
};

/* The six numbers per section that a sos leaf's form computes with: its sos
 * for ADAC_SECTIONS_DF1, its svf for ADAC_SECTIONS_SVF. */
static inline const double *adac_node_section_numbers(const adac_node *n)
{
    return n->section_form == ADAC_SECTIONS_SVF ? n->svf : n->sos;
}

typedef struct {
    int version;
    char *name;
    double fs;
    adac_node *root;
} adac_graph;

/* Load and validate an IR document. On failure returns NULL and writes a message
 * that starts with the JSON path of the offending value into err. */
adac_graph *adac_graph_load_string(const char *json_text, char *err, size_t err_len);
adac_graph *adac_graph_load_file(const char *path, char *err, size_t err_len);
/* The same for text[0..len), which may not contain NUL. */
adac_graph *adac_graph_load_text(const char *text, size_t len, char *err, size_t err_len);
void adac_graph_free(adac_graph *g);

const char *adac_node_type_name(adac_node_type t);
int adac_node_is_leaf(const adac_node *n);
/* Delay and FIR leaves: processed as sparse taps on one delay line per input. */
int adac_node_has_taps(const adac_node *n);
/* The input channel that entry e of a leaf reads: e % n_in for a matrix leaf,
 * e for a parallel one. */
int adac_node_entry_input(const adac_node *n, int e);
/* A tap leaf's longest tap, in samples, among the entries reading input `line`
 * (line < 0: all of them). */
int64_t adac_node_longest_tap(const adac_node *n, int line);
/* "Matrix 'model.core.feedback'" or "gain at $.graph.children[2]": names a node in messages. */
void adac_node_describe(const adac_node *n, char *buf, size_t len);

#endif
