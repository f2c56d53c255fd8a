/* The loader's errors: each names the JSON path and what is wrong. */
#include "graph.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static char err[ADAC_ERR_LEN];

#define HEAD "{\"format\":\"adac-ir\",\"version\":1,\"name\":\"t\",\"fs\":48000,\"graph\":"

static void expect_error(const char *json, const char *needle)
{
    adac_graph *g = adac_graph_load_string(json, err, sizeof err);
    cr_assert_null(g, "loaded but should fail with '%s'", needle);
    cr_assert(strstr(err, needle) != NULL, "error '%s' does not contain '%s'", err, needle);
}

Test(ir_load, accepts_a_valid_fdn)
{
    const char *j = HEAD "{\"type\":\"recursion\","
                         "\"fF\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[3,5]}},"
                         "\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":[[0.5,0.5],[0.5,-0.5]]}}}}";
    adac_graph *g = adac_graph_load_string(j, err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    cr_assert_eq(g->root->n_in, 2);
    cr_assert_eq(g->root->n_out, 2);
    cr_assert_eq(g->root->min_latency, 3);
    adac_graph_free(g);
}

Test(ir_load, malformed_json_reports_line)
{
    expect_error("{\n\"format\": \"adac-ir\",\n \"version\": 1 oops}", "malformed JSON at line 3");
}

Test(ir_load, unknown_schema_version)
{
    expect_error("{\"format\":\"adac-ir\",\"version\":7,\"fs\":48000,\"graph\":{}}",
                 "$.version: unsupported schema version 7");
}

Test(ir_load, row_length_names_path)
{
    expect_error(HEAD "{\"type\":\"series\",\"children\":[{\"type\":\"gain\",\"params\":{\"matrix\":[[1,2],[3]]}}]}}",
                 "$.graph.children[0].params.matrix: row 1 has 1 entries, expected 2");
}

Test(ir_load, infinite_parameter)
{
    expect_error(HEAD "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[1, 1e999]}}}",
                 "$.graph.params.gains[1]: value is not finite");
}

Test(ir_load, nan_literal_is_malformed)
{
    expect_error(HEAD "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[NaN]}}}", "malformed JSON");
}

Test(ir_load, negative_delay)
{
    expect_error(HEAD "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[4,-2]}}}",
                 "$.graph.params.samples[1]: negative delay");
}

Test(ir_load, fractional_delay_becomes_lagrange_taps)
{
    adac_graph *g = adac_graph_load_string(
        HEAD "{\"type\":\"delay\",\"params\":{\"samples\":[[10.25, 7]],"
             "\"interpolation\":{\"method\":\"lagrange\",\"order\":3}}}}",
        err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    const adac_node *n = g->root;
    cr_assert_eq(n->tap_count[0], 4);
    cr_assert_eq(n->tap_delay[0], 9); /* window 9..12 around 10.25 */
    cr_assert_eq(n->tap_delay[3], 12);
    cr_assert_eq(n->tap_count[1], 1);
    cr_assert_eq(n->tap_delay[n->tap_stride], 7);
    cr_assert_eq(n->min_latency, 7);
    adac_graph_free(g);
}

Test(ir_load, interpolation_order_checked)
{
    expect_error(HEAD "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[4.5],"
                 "\"interpolation\":{\"method\":\"lagrange\",\"order\":0}}}}",
                 "$.graph.params.interpolation: order must be an integer from 1 to 31");
    expect_error(HEAD "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[4.5],"
                 "\"interpolation\":{\"method\":\"sinc\"}}}}",
                 "$.graph.params.interpolation: expected");
}

Test(ir_load, delay_free_loop_named)
{
    expect_error(HEAD "{\"type\":\"series\",\"children\":[{\"type\":\"recursion\",\"model_path\":\"core\","
                 "\"fF\":{\"type\":\"parallel_gain\",\"params\":{\"gains\":[0.5]}},"
                 "\"fB\":{\"type\":\"parallel_gain\",\"params\":{\"gains\":[0.5]}}}]}}",
                 "$.graph.children[0]: delay-free loop");
}

Test(ir_load, series_channel_mismatch)
{
    expect_error(HEAD "{\"type\":\"series\",\"children\":["
                 "{\"type\":\"gain\",\"params\":{\"matrix\":[[1],[1],[1]]}},"
                 "{\"type\":\"parallel_gain\",\"module\":\"parallelGain\",\"params\":{\"gains\":[1,1]}}]}}",
                 "channel mismatch in series");
}

Test(ir_load, recursion_channel_mismatch)
{
    expect_error(HEAD "{\"type\":\"recursion\","
                 "\"fF\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[3,5]}},"
                 "\"fB\":{\"type\":\"parallel_gain\",\"params\":{\"gains\":[1,1,1]}}}}",
                 "$.graph: channel mismatch in recursion");
}

Test(ir_load, parallel_sum_mismatch)
{
    expect_error(HEAD "{\"type\":\"parallel\",\"children\":["
                 "{\"type\":\"gain\",\"params\":{\"matrix\":[[1],[1]]}},"
                 "{\"type\":\"gain\",\"params\":{\"matrix\":[[1]]}}]}}",
                 "branch A has 2 outputs, branch B has 1");
}

Test(ir_load, unknown_node_type)
{
    expect_error(HEAD "{\"type\":\"reverb\"}}", "$.graph: unknown node type \"reverb\"");
}

Test(ir_load, sos_zero_a0)
{
    expect_error(HEAD "{\"type\":\"parallel_sos\",\"params\":{\"sections\":[[[1,0,0,0,0,0]]]}}}",
                 "$.graph.params.sections[0][0]: a0 is zero");
}

Test(ir_load, declared_channels_checked)
{
    expect_error(HEAD "{\"type\":\"parallel_gain\",\"in\":3,\"params\":{\"gains\":[1,1]}}}",
                 "$.graph.in: declares 3 in channels but the node has 2");
}

Test(ir_load, missing_params)
{
    expect_error(HEAD "{\"type\":\"gain\"}}", "$.graph: missing required field \"params\"");
}

Test(ir_load, structured_matrices_checked_against_the_dense_one)
{
    /* Householder u = (1, 1)/sqrt2: I - 2uu^T = [[0, -1], [-1, 0]] */
    char buf[512];
    adac_graph *g = adac_graph_load_string(
        HEAD "{\"type\":\"gain\",\"params\":{\"matrix\":[[0,-1],[-1,0]],"
             "\"structure\":{\"kind\":\"householder\",\"u\":[3,3]}}}}",
        err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    cr_assert_eq(g->root->structure, ADAC_MATRIX_HOUSEHOLDER);
    cr_assert_float_eq(g->root->structure_u[0], sqrt(0.5), 1e-15, "u is normalised on load");
    adac_graph_free(g);
    expect_error(HEAD "{\"type\":\"gain\",\"params\":{\"matrix\":[[1,0],[0,1]],"
                      "\"structure\":{\"kind\":\"householder\",\"u\":[1,1]}}}}",
                 "$.graph.params.structure: does not reproduce params.matrix");
    expect_error(HEAD "{\"type\":\"gain\",\"params\":{\"matrix\":[[1,0],[0,1]],"
                      "\"structure\":{\"kind\":\"householder\",\"u\":[0,0]}}}}",
                 "$.graph.params.structure.u: is the zero vector");
    snprintf(buf, sizeof buf,
             HEAD "{\"type\":\"gain\",\"params\":{\"matrix\":[[1,1,1],[1,-1,1],[1,1,-1]],"
                  "\"structure\":{\"kind\":\"hadamard\",\"scale\":1}}}}");
    expect_error(buf, "$.graph.params.structure: a Hadamard matrix needs a power-of-two size (this one is 3)");
    expect_error(HEAD "{\"type\":\"gain\",\"params\":{\"matrix\":[[1,1],[1,-1]],"
                      "\"structure\":{\"kind\":\"circulant\"}}}}",
                 "$.graph.params.structure.kind: unknown structure \"circulant\"");
    /* Hadamard with FLAMO's default scale 1/sqrt(2) */
    g = adac_graph_load_string(HEAD "{\"type\":\"gain\",\"params\":{\"matrix\":[[0.7071067811865475,"
                                    "0.7071067811865475],[0.7071067811865475,-0.7071067811865475]],"
                                    "\"structure\":{\"kind\":\"hadamard\"}}}}",
                               err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    cr_assert_eq(g->root->structure, ADAC_MATRIX_HADAMARD);
    adac_graph_free(g);
}
