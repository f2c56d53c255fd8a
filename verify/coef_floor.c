#include "coef_floor.h"

#include "compare.h"
#include "engine.h"

#include <math.h>
#include <stdlib.h>

static void round_all(double *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) v[i] = (double)(float)v[i];
}

static void round_node(adac_node *n)
{
    for (int i = 0; i < n->n_children; i++) round_node(n->children[i]);
    switch (n->type) {
    case ADAC_NODE_GAIN:
    case ADAC_NODE_PARALLEL_GAIN:
        round_all(n->gain, (size_t)n->n_entries);
        round_all(n->structure_u, n->structure_u ? (size_t)n->n_in : 0);
        n->structure_scale = (double)(float)n->structure_scale;
        break;
    case ADAC_NODE_DELAY:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_FIR:
        round_all(n->tap_gain, (size_t)n->n_entries * n->tap_stride);
        break;
    case ADAC_NODE_SOS:
    case ADAC_NODE_PARALLEL_SOS:
        /* The numbers the code holds: those of the leaf's section form (the
         * accessor returns them const for its readers; here they are rounded). */
        round_all((double *)adac_node_section_numbers(n), (size_t)n->n_entries * n->n_sections * 6);
        break;
    default:
        break;
    }
}

void adac_graph_round_coefficients(adac_graph *g)
{
    round_node(g->root);
}

double adac_coefficient_floor_db(const char *ir_text, int n)
{
    char err[256];
    adac_graph *exact = adac_graph_load_string(ir_text, err, sizeof err),
               *rounded = adac_graph_load_string(ir_text, err, sizeof err);
    double floor_db = NAN;
    if (exact && rounded) {
        adac_graph_round_coefficients(rounded);
        size_t paths = (size_t)exact->root->n_in * exact->root->n_out;
        double *a = malloc(paths * n * sizeof *a), *b = malloc(paths * n * sizeof *b);
        adac_path_error *res = calloc(paths, sizeof *res);
        if (a && b && res && adac_engine_render_impulse(exact, n, 256, a) &&
            adac_engine_render_impulse(rounded, n, 256, b))
            floor_db = adac_compare_paths(a, b, exact->root->n_out, exact->root->n_in, n, res);
        free(a);
        free(b);
        free(res);
    }
    adac_graph_free(exact);
    adac_graph_free(rounded);
    return floor_db;
}
