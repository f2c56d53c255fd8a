/* The FAUST emitter: the code it writes compiles with libfaust and matches the
 * engine sample for sample, for each leaf kind and each composition, including
 * loops whose delay sits in the feedback path. */
#include "faust_check.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HEAD "{\"format\":\"adac-ir\",\"version\":1,\"name\":\"t\",\"fs\":48000,\"graph\":"

static double worst_db(const char *json, int n)
{
    return faust_vs_engine(json, n, NULL);
}

Test(faust_emit, gain_and_delay_matrices)
{
    double w = worst_db(HEAD "{\"type\":\"series\",\"children\":["
                             "{\"type\":\"gain\",\"params\":{\"matrix\":[[2,0.5],[0,-1],[1,1]]}},"
                             "{\"type\":\"delay\",\"params\":{\"samples\":[[0,3,5],[7,0,2]]}}]}}",
                        64);
    cr_assert_leq(w, -120.0, "worst %g dB", w);
}

Test(faust_emit, sos_matrix_and_parallel_sos)
{
    double w = worst_db(HEAD "{\"type\":\"series\",\"children\":["
                             "{\"type\":\"sos\",\"params\":{\"sections\":["
                             "[[[0.5,0.2,0.1,1,-0.4,0.1],[1,0,0,2,0.1,0]],[[1,1,0,1,0,0],[0.3,0,0,1,0.5,0]]]]}},"
                             "{\"type\":\"parallel_sos\",\"params\":{\"sections\":[[[1,-0.2,0,1,-0.9,0.2]]]}}]}}",
                        512);
    cr_assert_leq(w, -120.0, "worst %g dB", w);
}

Test(faust_emit, loop_delay_in_feedback_path)
{
    /* fF has no delay: the loop's delay must be taken from fB. */
    double w = worst_db(HEAD "{\"type\":\"recursion\","
                             "\"fF\":{\"type\":\"gain\",\"params\":{\"matrix\":[[0.5,0.5],[0.5,-0.5]]}},"
                             "\"fB\":{\"type\":\"series\",\"children\":["
                             "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[0.9,0.8]}},"
                             "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[5,9]}}]}}}",
                        400);
    cr_assert_leq(w, -120.0, "worst %g dB", w);
}

Test(faust_emit, loop_with_one_sample_delay_and_parallel_direct_path)
{
    double w = worst_db(HEAD "{\"type\":\"parallel\",\"children\":["
                             "{\"type\":\"recursion\","
                             "\"fF\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[1]}},"
                             "\"fB\":{\"type\":\"parallel_sos\",\"params\":{\"sections\":[[[0.7,0.2,0,1,-0.1,0]]]}}},"
                             "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[-0.3]}}]}}",
                        300);
    cr_assert_leq(w, -120.0, "worst %g dB", w);
}

Test(faust_emit, nested_loops_and_concat)
{
    double w = worst_db(
        HEAD "{\"type\":\"series\",\"children\":["
             "{\"type\":\"parallel\",\"mode\":\"concat\",\"children\":["
             "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[1]}},"
             "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[4]}}]},"
             "{\"type\":\"recursion\","
             "\"fF\":{\"type\":\"series\",\"children\":["
             "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[11,17]}},"
             "{\"type\":\"recursion\","
             "\"fF\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[2,3]}},"
             "\"fB\":{\"type\":\"parallel_gain\",\"params\":{\"gains\":[0.4,-0.3]}}}]},"
             "\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":[[0.3,-0.3],[0.3,0.3]]}}}]}}",
        600);
    cr_assert_leq(w, -120.0, "worst %g dB", w);
}

Test(faust_emit, deterministic_and_named)
{
    const char *j = HEAD "{\"type\":\"recursion\",\"model_path\":\"core\","
                         "\"fF\":{\"type\":\"parallel_delay\",\"module\":\"parallelDelay\","
                         "\"model_path\":\"core.feedforward\",\"params\":{\"samples\":[3,5]}},"
                         "\"fB\":{\"type\":\"gain\",\"module\":\"Matrix\",\"model_path\":\"core.feedback\","
                         "\"params\":{\"matrix\":[[0.5,0.5],[0.5,-0.5]]}}}}";
    char err[1024];
    adac_graph *g = adac_graph_load_string(j, err, sizeof err);
    char *a = adac_faust_emit(g, err, sizeof err);
    char *b = adac_faust_emit(g, err, sizeof err);
    cr_assert_str_eq(a, b);
    cr_assert(strstr(a, "leaf1_core_feedforward = (@(2), @(4));") != NULL, "%s", a);
    cr_assert(strstr(a, "Matrix 'core.feedback'") != NULL, "%s", a);
    cr_assert(strstr(a, "declare name \"t\";") != NULL);
    free(a);
    free(b);
    adac_graph_free(g);
}

Test(faust_emit, fractional_delays_in_a_loop)
{
    double w = worst_db(HEAD "{\"type\":\"recursion\","
                             "\"fF\":{\"type\":\"delay\",\"params\":{\"samples\":[[17.3,3],[5,23.71]],"
                             "\"interpolation\":{\"method\":\"lagrange\",\"order\":7}}},"
                             "\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":[[0.5,0.5],[0.5,-0.5]]}}}}",
                        800);
    cr_assert_leq(w, -120.0, "worst %g dB", w);
}

Test(faust_emit, fir_matrix_sparse_and_in_a_loop)
{
    /* FIR entries with leading zeros give the loop its delay. */
    double w = worst_db(HEAD "{\"type\":\"series\",\"children\":["
                             "{\"type\":\"fir\",\"params\":{\"taps\":[[[0.5,0,0.25,0,0,-0.1]],[[0,0,0,0,0,0]]]}},"
                             "{\"type\":\"recursion\","
                             "\"fF\":{\"type\":\"parallel_fir\",\"params\":{\"taps\":[[0,0,0.7,0.2,0,0.1],[0,0,0,0.9,0,0]]}},"
                             "\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":[[0.5,0.5],[0.5,-0.5]]}}}]}}",
                        500);
    cr_assert_leq(w, -120.0, "worst %g dB", w);
}

Test(faust_emit, model_name_cannot_break_the_declaration)
{
    const char *j = "{\"format\":\"adac-ir\",\"version\":1,\"name\":\"Hall \\\"A\\\" \\\\ 2\",\"fs\":48000,"
                    "\"graph\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[3]}}}";
    char err[1024];
    adac_graph *g = adac_graph_load_string(j, err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    char *code = adac_faust_emit(g, err, sizeof err);
    cr_assert(strstr(code, "declare name \"Hall _A_ _ 2\";") != NULL, "%s", code);
    adac_faust_dsp *d = adac_faust_compile("t", code, 1, err, sizeof err);
    cr_assert_not_null(d, "%s", err);
    adac_faust_free(d);
    free(code);
    adac_graph_free(g);
}
