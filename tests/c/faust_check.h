/* Shared by the Criterion suites: compile a model's emitted FAUST with libfaust
 * (-double) and compare it with the engine on every path. */
#ifndef ADAC_TEST_FAUST_CHECK_H
#define ADAC_TEST_FAUST_CHECK_H

#include "compare.h"
#include "engine.h"
#include "faust_dsp.h"
#include "faust_emit.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

/* Worst error of FAUST against the engine over n samples, dB re path peak. When
 * faust_out is given it receives the FAUST responses (caller frees). */
static inline double faust_vs_engine(const char *json, int n, double **faust_out)
{
    char err[4096];
    adac_graph *g = adac_graph_load_string(json, err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    char *code = adac_faust_emit(g, err, sizeof err);
    cr_assert_not_null(code, "%s", err);
    adac_faust_dsp *d = adac_faust_compile("t", code, 1, err, sizeof err);
    cr_assert_not_null(d, "%s\n%s", err, code);
    int ni = g->root->n_in, no = g->root->n_out;
    cr_assert_eq(adac_faust_num_inputs(d), ni);
    cr_assert_eq(adac_faust_num_outputs(d), no);
    double *ref = calloc((size_t)ni * no * n, sizeof *ref);
    double *test = calloc((size_t)ni * no * n, sizeof *test);
    adac_path_error *res = calloc((size_t)ni * no, sizeof *res);
    cr_assert(adac_engine_render_impulse(g, n, 32, ref));
    cr_assert(adac_faust_render_impulse(d, 48000, n, test));
    double peak = 0;
    for (long k = 0; k < (long)ni * no * n; k++) peak = fmax(peak, fabs(ref[k]));
    cr_assert_gt(peak, 1e-3, "reference is silent: the test would prove nothing");
    double w = adac_compare_paths(ref, test, no, ni, n, res);
    free(ref);
    if (faust_out)
        *faust_out = test;
    else
        free(test);
    free(res);
    free(code);
    adac_faust_free(d);
    adac_graph_free(g);
    return w;
}

#endif
