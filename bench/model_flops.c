#include "model_flops.h"

#include <math.h>

/* Taps of entry e: each a multiply and an add (the first tap's add is the
 * accumulator's start: not counted), an integer delay none. */
static double tap_flops(const adac_node *n, int e)
{
    int taps = n->tap_count[e];
    if (taps == 1 && n->tap_gain[(size_t)e * n->tap_stride] == 1.0) return 0;
    return 2.0 * taps - 1;
}

static double node_flops(const adac_node *n)
{
    double f = 0;
    switch (n->type) {
    case ADAC_NODE_SERIES:
    case ADAC_NODE_SHELL:
        for (int i = 0; i < n->n_children; i++) f += node_flops(n->children[i]);
        return f;
    case ADAC_NODE_PARALLEL:
        f = node_flops(n->children[0]) + node_flops(n->children[1]);
        return n->concat ? f : f + n->n_out; /* the sum of the branches */
    case ADAC_NODE_RECURSION: /* x + fB(y) */
        return node_flops(n->children[0]) + node_flops(n->children[1]) + n->n_in;
    case ADAC_NODE_GAIN:
        if (n->structure == ADAC_MATRIX_HOUSEHOLDER) /* u.x, then s x_i + c u_i (u.x) */
            return 2.0 * n->n_in + 3.0 * n->n_in;
        if (n->structure == ADAC_MATRIX_HADAMARD) /* butterflies, then the scale */
            return n->n_in * (log2((double)n->n_in) + 1);
        return (2.0 * n->n_in - 1) * n->n_out;
    case ADAC_NODE_PARALLEL_GAIN:
        return n->n_entries;
    case ADAC_NODE_SOS:
    case ADAC_NODE_PARALLEL_SOS: /* a biquad: 5 multiplies, 4 adds */
        f = 9.0 * n->n_entries * n->n_sections;
        return n->type == ADAC_NODE_SOS ? f + (double)(n->n_in - 1) * n->n_out : f;
    case ADAC_NODE_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_PARALLEL_FIR:
        for (int e = 0; e < n->n_entries; e++) f += tap_flops(n, e);
        if (n->type == ADAC_NODE_DELAY || n->type == ADAC_NODE_FIR) f += (double)(n->n_in - 1) * n->n_out;
        return f;
    }
    return 0;
}

double adac_model_flops_per_sample(const adac_graph *g)
{
    return node_flops(g->root);
}
