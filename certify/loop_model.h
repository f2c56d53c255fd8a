/* The certificate's view of a graph node: its parameters exactly as the emitted
 * code holds them (rounded to single precision for FAUST's default build), and
 * two ways to look at its transfer matrix T(w):
 *   - an interval bound: over w0 - d <= w <= w0 + d, an upper bound `hi` on the
 *     largest singular value of T(w) and a lower bound `lo` on the smallest,
 *     valid at every frequency in the interval, not only at w0;
 *   - its exact response at one frequency (for the Nyquist count), and bounds on
 *     how far it moves over an interval (cnode_deviation).
 * Every bound is derived from closed forms (|d/dw sum c_n e^{-jnw}| <= sum n|c_n|,
 * products, sums, (I - X)^-1 <= 1 / (1 - |X|)), so a bound below 1 at every
 * interval is a proof, not a sample. */
#ifndef ADAC_LOOP_MODEL_H
#define ADAC_LOOP_MODEL_H

#include "cmatrix.h"
#include "controls.h"
#include "graph.h"

typedef struct cnode cnode;
struct cnode {
    const adac_node *node;
    int n_children;
    cnode **children;
    /* Leaves, rounded as emitted. gain: n_out x n_in effective matrix. */
    double *matrix;
    double *tap_gain; /* tap leaves: rounded tap gains (times any rt60 line scale) */
    double *sos;      /* sos leaves: rounded [b0 b1 b2 1 a1 a2] */
    /* Frequency-independent bounds, when the node has them. */
    int constant;
    double const_hi, const_lo;
    double phase_rate; /* bound on the samples of delay it adds: grid density */
    int diagonal;      /* its transfer matrix is diagonal (cnode_is_diagonal) */
};

typedef struct {
    double hi, lo;
} adac_norm_bound;

/* line_scale: for the leaf `scaled_leaf` (or NULL), per-channel gains applied to
 * its input (the rt60 control at its worst position). */
cnode *cnode_build(const adac_node *n, int single_precision, const adac_node *const *scaled_leaf,
                   const double *const *line_scale, int n_scaled);
void cnode_free(cnode *c);
/* Over [w0 - d, w0 + d] (radians per sample). hi may be INFINITY. */
adac_norm_bound cnode_bound(const cnode *c, double w0, double d);
/* T(w), n_out x n_in row-major. 0 if it does not exist (a nested loop singular at w). */
int cnode_response(const cnode *c, double w, cplx *out);
/* Bounds on T_n ... T_1 over [w0 - d, w0 + d] for a chain of nodes (a series, or
 * a loop's elements in order): hi the product of the nodes' upper bounds, except
 * that a run of consecutive diagonal leaves (same width, as a series requires)
 * is bounded channel by channel, its largest channel's product, instead of
 * pairing one channel's gain with another's (a long line's rt60 gain with a
 * short line's absorption); lo the product of their lower bounds (the caller
 * zeroes it unless every node is square). peaks, when given, keeps each node's
 * largest upper bound. */
adac_norm_bound cnode_chain_bound(const cnode *const *items, int n_items, double w0, double d, double *peaks);
/* Over [w0 - d, w0 + d]: hi >= sup ||T(w)||_2 and dev >= sup ||T(w) - T(w0)||_*
 * (nuclear norm, the sum of singular values), the bound the Nyquist count needs
 * (nyquist.h). Products telescope, T_n..T_1(w) - T_n..T_1(w0) = sum_j
 * T_n..T_j+1(w) (T_j(w) - T_j(w0)) T_j-1..T_1(w0), and ||X Y Z||_* <=
 * ||X||_2 ||Y||_* ||Z||_2; runs of diagonal leaves go channel by channel. */
typedef struct {
    double hi, dev;
} adac_dev_bound;
adac_dev_bound cnode_deviation(const cnode *c, double w0, double d);
/* A node whose transfer matrix is diagonal at every frequency: a parallel leaf,
 * or a series, sum or loop of such nodes of one width. */
int cnode_is_diagonal(const cnode *c);
/* The same for channel e of a diagonal node alone (hi: sup |T_ee|, dev: sup
 * |T_ee(w) - T_ee(w0)|). */
adac_dev_bound cnode_entry_deviation(const cnode *c, int e, double w0, double d);
adac_dev_bound cnode_chain_deviation(const cnode *const *items, int n_items, double w0, double d);
/* sup over all w of |T_e(w)| for entry e of a delay, FIR or SOS leaf (entries in
 * the leaf's order), from interval bounds covering 0..pi: an upper bound. */
double cnode_entry_peak(const cnode *c, int e);
/* Largest pole radius of the node's own recursive filters (its sos sections, as
 * rounded), 0 if it has none. */
double cnode_pole_radius(const cnode *c);

#endif
