/* The engine's fast paths against plain references written out here: a
 * delay-headed FDN loop against a sample-by-sample simulation, and the FAUST
 * fast forms against the dense ones. The kernels (mixing, the SOS bank) are
 * tested in both sample types by test_kernels.c. */
#include "faust_check.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD "{\"format\":\"adac-ir\",\"version\":1,\"name\":\"t\",\"fs\":48000,\"graph\":"

/* 3-line FDN: u = x + M y, y_i = g_i * line_i[t - d_i], out = sum y. */
/* Three lines of 5, 9 and 70 samples with gains in fF; fB is the matrix given
 * (a dense gain leaf) or, where diagonal, a parallel gain leaf: the engine fuses
 * either with the loop's input. */
static char *fdn3_json(const double M[3][3], int diagonal)
{
    static char text[2048];
    char fb[768];
    if (diagonal)
        snprintf(fb, sizeof fb, "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[%.17g,%.17g,%.17g]}}", M[0][0], M[1][1], M[2][2]);
    else
        snprintf(fb, sizeof fb, "{\"type\":\"gain\",\"params\":{\"matrix\":[[%.17g,%.17g,%.17g],[%.17g,%.17g,%.17g],[%.17g,%.17g,%.17g]]}}",
                 M[0][0], M[0][1], M[0][2], M[1][0], M[1][1], M[1][2], M[2][0], M[2][1], M[2][2]);
    snprintf(text, sizeof text,
             HEAD "{\"type\":\"series\",\"children\":["
                  "{\"type\":\"gain\",\"params\":{\"matrix\":[[1],[1],[1]]}},"
                  "{\"type\":\"recursion\","
                  "\"fF\":{\"type\":\"series\",\"children\":["
                  "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[5,9,70]}},"
                  "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[0.9,0.8,0.7]}}]},"
                  "\"fB\":%s},"
                  "{\"type\":\"gain\",\"params\":{\"matrix\":[[1,1,1]]}}]}}",
             fb);
    return text;
}

static void check_delay_headed(const double M[3][3], int diagonal)
{
    char err[ADAC_ERR_LEN];
    adac_graph *g = adac_graph_load_string(fdn3_json(M, diagonal), err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    enum { T = 3000 };
    const int d[3] = {5, 9, 70};
    const double gains[3] = {0.9, 0.8, 0.7};
    static double line[3][T], want[T];
    for (int t = 0; t < T; t++) {
        double y[3];
        for (int i = 0; i < 3; i++) y[i] = t >= d[i] ? gains[i] * line[i][t - d[i]] : 0.0;
        want[t] = y[0] + y[1] + y[2];
        for (int i = 0; i < 3; i++) line[i][t] = (t == 0) + M[i][0] * y[0] + M[i][1] * y[1] + M[i][2] * y[2];
    }
    /* blocks shorter than, equal to and longer than the shortest delay (5) */
    const int blocks[] = {1, 4, 5, 6, 64, 1000};
    static double ir[T];
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        cr_assert(adac_engine_render_impulse(g, T, blocks[b], ir));
        for (int t = 0; t < T; t++) cr_assert_float_eq(ir[t], want[t], 1e-13, "diagonal %d block %d t=%d", diagonal, blocks[b], t);
    }
    double tail = 0;
    for (int t = T - 200; t < T; t++) tail = fmax(tail, fabs(want[t]));
    cr_assert_gt(tail, 1e-9, "the loop still rings: the comparison covers feedback");

    /* A running engine keeps its plan when the graph is re-planned for FAUST. */
    adac_engine *e = adac_engine_create(g);
    cr_assert(adac_engine_prepare(e, 64));
    free(adac_faust_emit(g, err, sizeof err));
    double x[64] = {1}, y[64];
    for (int off = 0; off + 64 <= T; off += 64) {
        const double *in[1] = {x};
        double *out[1] = {y};
        adac_engine_process(e, in, out, 64);
        x[0] = 0;
        for (int t = 0; t < 64; t++) cr_assert_float_eq(y[t], want[off + t], 1e-13, "after re-plan, t=%d", off + t);
    }
    adac_engine_free(e);
    adac_graph_free(g);

    /* The single path (the same fused loop on floats), blocks of 37 so that
     * chunks end mid-vector: within float rounding of the simulation. */
    adac_engine *f = adac_engine_from_json(fdn3_json(M, diagonal), NULL, 37, ADAC_PRECISION_SINGLE, err, sizeof err);
    cr_assert_not_null(f, "%s", err);
    float fx[37] = {1}, fy[37];
    for (int off = 0; off + 37 <= T; off += 37) {
        const float *in[1] = {fx};
        float *out[1] = {fy};
        adac_engine_process_float(f, in, out, 37);
        fx[0] = 0;
        for (int t = 0; t < 37; t++) cr_assert_float_eq(fy[t], want[off + t], 1e-5, "single, diagonal %d t=%d", diagonal, off + t);
    }
    adac_engine_free(f);
}

Test(engine, delay_headed_loop_matches_a_sample_by_sample_simulation)
{
    const double M[3][3] = {{0.6, -0.48, 0.64}, {0.48, 0.8, 0.36}, {-0.64, 0.36, 0.68}};
    const double D[3][3] = {{0.95, 0, 0}, {0, -0.9, 0}, {0, 0, 0.999}};
    check_delay_headed(M, 0);
    check_delay_headed(D, 1);
}

/* FAUST fast forms: structured and dense emissions of the same matrices in a loop
 * agree with each other and with the engine. */
static double *render_faust(const char *json, int n)
{
    double *out;
    cr_assert_leq(faust_vs_engine(json, n, &out), -120.0);
    return out;
}

static char *fdn4_json(const char *matrix, const char *structure)
{
    char *j = malloc(4096);
    snprintf(j, 4096,
             HEAD "{\"type\":\"series\",\"children\":["
                  "{\"type\":\"gain\",\"params\":{\"matrix\":[[1],[0.5],[-0.7],[0.2]]}},"
                  "{\"type\":\"recursion\",\"fF\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[31,37,41,43]}},"
                  "\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":%s%s}}},"
                  "{\"type\":\"gain\",\"params\":{\"matrix\":[[1,-1,1,0.5]]}}]}}",
             matrix, structure);
    return j;
}

Test(faust_emit, householder_and_hadamard_fast_forms_equal_the_dense_forms)
{
    enum { T = 4000 };
    /* 0.95 (I - 2uu^T), u = (1, 2, 3, 4)/sqrt(30) */
    char hh[1024] = "[", hd[1024] = "[";
    double u[4] = {1, 2, 3, 4};
    for (int i = 0; i < 4; i++) {
        strcat(hh, i ? ",[" : "[");
        strcat(hd, i ? ",[" : "[");
        for (int j = 0; j < 4; j++) {
            char v[64];
            snprintf(v, sizeof v, "%s%.17g", j ? "," : "", 0.95 * ((i == j) - 2 * u[i] * u[j] / 30.0));
            strcat(hh, v);
            snprintf(v, sizeof v, "%s%.17g", j ? "," : "", (__builtin_popcount(i & j) & 1) ? -0.45 : 0.45);
            strcat(hd, v);
        }
        strcat(hh, "]");
        strcat(hd, "]");
    }
    strcat(hh, "]");
    strcat(hd, "]");
    const char *forms[2][2] = {
        {hh, ",\"structure\":{\"kind\":\"householder\",\"u\":[1,2,3,4],\"scale\":0.95}"},
        {hd, ",\"structure\":{\"kind\":\"hadamard\",\"scale\":0.45}"}};
    for (int f = 0; f < 2; f++) {
        char *fast = fdn4_json(forms[f][0], forms[f][1]), *dense = fdn4_json(forms[f][0], "");
        double *a = render_faust(fast, T), *b = render_faust(dense, T);
        adac_path_error r;
        cr_assert_leq(adac_compare_paths(b, a, 1, 1, T, &r), -120.0, "form %d", f);
        cr_assert_gt(r.peak, 0.1);
        free(fast), free(dense), free(a), free(b);
    }
}
