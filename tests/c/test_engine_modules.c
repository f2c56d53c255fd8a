/* Engine modules against independent expectations: delay lines, SOS cascades,
 * gains and the block-size independence of the engine. */
#include "delay_line.h"
#include "engine.h"
#include "section_form.h"
#include "sos_cascade.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

Test(delay_line, delays_by_exactly_d_across_wraps)
{
    adac_delay_line dl;
    cr_assert(adac_delay_line_prepare(&dl, 37, 16));
    double in[16], out[16];
    long t = 0;
    for (int block = 0; block < 40; block++) {
        for (int i = 0; i < 16; i++) in[i] = (double)(t + i + 1);
        adac_delay_line_write(&dl, in, 16);
        adac_delay_line_read(&dl, out, 16, 37);
        for (int i = 0; i < 16; i++) {
            double want = (t + i - 37 >= 0) ? (double)(t + i - 37 + 1) : 0.0;
            cr_assert_eq(out[i], want, "t=%ld: got %g want %g", t + i, out[i], want);
        }
        t += 16;
    }
    adac_delay_line_reset(&dl);
    adac_delay_line_read(&dl, out, 16, 0);
    for (int i = 0; i < 16; i++) cr_assert_eq(out[i], 0.0);
    adac_delay_line_free(&dl);
}

/* Two sections, computed here from the difference equation written out, run in
 * direct form I (to rounding) and as state-variable filters (to 1e-14). */
static void check_cascade(adac_section_form form)
{
    const double c[12] = {0.3, 0.2, 0.1, 1, -0.5, 0.06, 1.0, -1.0, 0.25, 1, 0.1, 0.2};
    double svf[12];
    cr_assert(adac_section_to_svf(c, svf) && adac_section_to_svf(c + 6, svf + 6));
    adac_sos_cascade f;
    cr_assert(adac_sos_cascade_prepare(&f, 2, form, form == ADAC_SECTIONS_SVF ? svf : c));
    double x[64] = {0}, y[64];
    x[0] = 1;
    x[5] = -0.5;
    adac_sos_cascade_process(&f, x, y, 64);
    double v[64], w[64];
    for (int n = 0; n < 64; n++) {
        double xn1 = n > 0 ? x[n - 1] : 0, xn2 = n > 1 ? x[n - 2] : 0;
        double vn1 = n > 0 ? v[n - 1] : 0, vn2 = n > 1 ? v[n - 2] : 0;
        v[n] = 0.3 * x[n] + 0.2 * xn1 + 0.1 * xn2 + 0.5 * vn1 - 0.06 * vn2;
        double un1 = n > 0 ? v[n - 1] : 0, un2 = n > 1 ? v[n - 2] : 0;
        double wn1 = n > 0 ? w[n - 1] : 0, wn2 = n > 1 ? w[n - 2] : 0;
        w[n] = 1.0 * v[n] - 1.0 * un1 + 0.25 * un2 - 0.1 * wn1 - 0.2 * wn2;
        cr_assert_float_eq(y[n], w[n], 1e-14, "form %d n=%d", form, n);
    }
    adac_sos_cascade_free(&f);
}

Test(sos_cascade, matches_difference_equation_in_direct_form)
{
    check_cascade(ADAC_SECTIONS_DF1);
}

Test(sos_cascade, matches_difference_equation_as_state_variable_filters)
{
    check_cascade(ADAC_SECTIONS_SVF);
}

/* The mapping gives every stable section back (to 1e-12), and refuses those
 * with a real pole on or outside the unit circle: A(1) <= 0 or A(-1) <= 0. */
Test(section_form, maps_stable_sections_and_refuses_real_poles_outside)
{
    unsigned seed = 5;
    for (int i = 0; i < 2000; i++) {
        seed = seed * 1103515245u + 12345u;
        double u = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double v = (seed >> 8) / 16777216.0;
        /* complex poles r e^{+-j th}, r in (0, 0.9999], th in (0, pi) */
        double r = 1e-4 + 0.9998 * u, th = M_PI * (1e-4 + 0.9998 * v);
        double sos[6] = {u - 0.5, v, 0.25, 1, -2 * r * cos(th), r * r}, svf[6], back[6];
        cr_assert(adac_section_to_svf(sos, svf), "r=%g th=%g", r, th);
        adac_svf_to_section(svf, back);
        for (int k = 0; k < 6; k++) cr_assert_float_eq(back[k], sos[k], 1e-12, "r=%g th=%g k=%d", r, th, k);
    }
    const double integrator[6] = {1, 0, 0, 1, -1, 0}, at_nyquist[6] = {1, 0, 0, 1, 1, 0},
                 outside[6] = {1, 0, 0, 1, -2.5, 1.5}, low_shelf[6] = {1, -1.99, 0.9901, 1, -1.9990, 0.99900025};
    double svf[6];
    cr_assert_not(adac_section_to_svf(integrator, svf));
    cr_assert_not(adac_section_to_svf(at_nyquist, svf));
    cr_assert_not(adac_section_to_svf(outside, svf));
    cr_assert(adac_section_to_svf(low_shelf, svf));
}

/* Direct form I's round-off gain, against the impulse response of 1/A(z) run
 * here and its squares summed; infinite for poles on or outside the circle. */
Test(section_form, df1_noise_gain_is_the_power_of_the_poles_impulse_response)
{
    const double poles[][2] = {{0.35, 0.7}, {0, 0}, {0.9, 0}, {-0.8, 0.5}}; /* real pairs */
    const double complex_pairs[][2] = {{0.9, 0.3}, {0.5, 2.5}, {0.99, 0.05}};  /* r, th */
    double a[7][2];
    int n_a = 0;
    for (int i = 0; i < 4; i++, n_a++)
        a[n_a][0] = -(poles[i][0] + poles[i][1]), a[n_a][1] = poles[i][0] * poles[i][1];
    for (int i = 0; i < 3; i++, n_a++)
        a[n_a][0] = -2 * complex_pairs[i][0] * cos(complex_pairs[i][1]), a[n_a][1] = complex_pairs[i][0] * complex_pairs[i][0];
    for (int i = 0; i < n_a; i++) {
        double h1 = 0, h2 = 0, power = 0;
        for (int t = 0; t < 200000; t++) {
            double h = (t == 0) - a[i][0] * h1 - a[i][1] * h2;
            power += h * h;
            h2 = h1, h1 = h;
        }
        const double sos[6] = {1, 0, 0, 1, a[i][0], a[i][1]};
        cr_assert_float_eq(adac_df1_noise_gain(sos), power, 1e-9 * power, "a1=%g a2=%g: %g, summed %g", a[i][0], a[i][1],
                           adac_df1_noise_gain(sos), power);
    }
    const double integrator[6] = {1, 0, 0, 1, -1, 0}, outside[6] = {1, 0, 0, 1, -2.5, 1.5}, ring[6] = {1, 0, 0, 1, 0, 1};
    cr_assert(isinf(adac_df1_noise_gain(integrator)) && isinf(adac_df1_noise_gain(outside)) && isinf(adac_df1_noise_gain(ring)));
}

#define HEAD "{\"format\":\"adac-ir\",\"version\":1,\"fs\":48000,\"graph\":"

static adac_graph *load(const char *j)
{
    char err[ADAC_ERR_LEN];
    adac_graph *g = adac_graph_load_string(j, err, sizeof err);
    cr_assert_not_null(g, "%s", err);
    return g;
}

/* The loader's form for a leaf (ir/section_form.h): direct form I where every
 * section's round-off gain is at most ADAC_DF1_MAX_NOISE_GAIN, the whole leaf
 * as state-variable filters where one section's is above it (a double pole
 * at 0.6: 5.2; at 0.8: 35.2). */
Test(section_form, the_loader_keeps_state_variable_filters_for_loud_poles)
{
    const char *quiet = HEAD "{\"type\":\"parallel_sos\",\"params\":{\"sections\":["
                             "[[0.5,0.1,0,1,-1.2,0.36],[1,0,0,1,-1.05,0.245]],[[1,0.2,0,1,0.3,0.1],[1,0,0,1,0,0]]]}}}";
    const char *loud = HEAD "{\"type\":\"parallel_sos\",\"params\":{\"sections\":["
                            "[[0.5,0.1,0,1,-1.2,0.36],[1,0,0,1,-1.05,0.245]],[[1,0.2,0,1,0.3,0.1],[1,0,0,1,-1.6,0.64]]]}}}";
    const double low[6] = {1, 0, 0, 1, -1.2, 0.36}, high[6] = {1, 0, 0, 1, -1.6, 0.64};
    cr_assert_lt(adac_df1_noise_gain(low), ADAC_DF1_MAX_NOISE_GAIN);
    cr_assert_gt(adac_df1_noise_gain(high), ADAC_DF1_MAX_NOISE_GAIN);
    adac_graph *g = load(quiet);
    cr_assert_eq(g->root->section_form, ADAC_SECTIONS_DF1);
    adac_graph_free(g);
    g = load(loud);
    cr_assert_eq(g->root->section_form, ADAC_SECTIONS_SVF);
    adac_graph_free(g);
}

Test(engine, gain_matrix_and_delay_matrix)
{
    adac_graph *g = load(HEAD "{\"type\":\"series\",\"children\":["
                              "{\"type\":\"gain\",\"params\":{\"matrix\":[[2,0],[0,-1],[1,1]]}},"
                              "{\"type\":\"delay\",\"params\":{\"samples\":[[0,3,5]]}}]}}");
    double ir[2 * 20];
    cr_assert(adac_engine_render_impulse(g, 20, 7, ir));
    /* input 0: 2 x[n] + 1 x[n-5]; input 1: -x[n-3] + x[n-5] */
    for (int t = 0; t < 20; t++) {
        double want0 = (t == 0) * 2.0 + (t == 5) * 1.0;
        double want1 = (t == 3) * -1.0 + (t == 5) * 1.0;
        cr_assert_eq(ir[t], want0, "in0 t=%d", t);
        cr_assert_eq(ir[20 + t], want1, "in1 t=%d", t);
    }
    adac_graph_free(g);
}

Test(engine, comb_filter_loop)
{
    /* y = d7(x + 0.5 y): impulses at 7, 14, 21 ... with gains 1, 0.5, 0.25 ... */
    adac_graph *g = load(HEAD "{\"type\":\"recursion\","
                              "\"fF\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[7]}},"
                              "\"fB\":{\"type\":\"parallel_gain\",\"params\":{\"gains\":[0.5]}}}}");
    double ir[64];
    cr_assert(adac_engine_render_impulse(g, 64, 5, ir));
    for (int t = 0; t < 64; t++) {
        double want = (t > 0 && t % 7 == 0) ? pow(0.5, t / 7 - 1) : 0.0;
        cr_assert_eq(ir[t], want, "t=%d got %g", t, ir[t]);
    }
    adac_graph_free(g);
}

Test(engine, block_size_does_not_change_output)
{
    const char *j = HEAD "{\"type\":\"series\",\"children\":["
                         "{\"type\":\"gain\",\"params\":{\"matrix\":[[1],[0.5],[0.25]]}},"
                         "{\"type\":\"recursion\","
                         "\"fF\":{\"type\":\"series\",\"children\":["
                         "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[3,8,13]}},"
                         "{\"type\":\"parallel_sos\",\"params\":{\"sections\":["
                         "[[0.5,0.1,0,1,-0.3,0]],[[0.6,0,0,1,0.2,0.1]],[[0.7,0,0,1,0,0]]]}}]},"
                         "\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":"
                         "[[0.3,-0.6,0.6],[0.6,0.3,-0.6],[0.6,0.6,0.3]]}}},"
                         "{\"type\":\"gain\",\"params\":{\"matrix\":[[1,1,1]]}}]}}";
    adac_graph *g = load(j);
    double a[500], b[500];
    cr_assert(adac_engine_render_impulse(g, 500, 1, a));
    cr_assert(adac_engine_render_impulse(g, 500, 64, b));
    for (int t = 0; t < 500; t++) cr_assert_float_eq(a[t], b[t], 1e-15, "t=%d", t);
    /* the response is not trivially zero */
    double peak = 0;
    for (int t = 0; t < 500; t++) peak = fmax(peak, fabs(a[t]));
    cr_assert_gt(peak, 0.1);
    adac_graph_free(g);
}

Test(engine, parallel_concat_and_sum)
{
    adac_graph *g = load(HEAD "{\"type\":\"parallel\",\"mode\":\"concat\",\"children\":["
                              "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[2]}},"
                              "{\"type\":\"parallel\",\"children\":["
                              "{\"type\":\"parallel_gain\",\"params\":{\"gains\":[3]}},"
                              "{\"type\":\"parallel_delay\",\"params\":{\"samples\":[1]}}]}]}}");
    cr_assert_eq(g->root->n_out, 2);
    double ir[2 * 8];
    cr_assert(adac_engine_render_impulse(g, 8, 8, ir));
    for (int t = 0; t < 8; t++) {
        cr_assert_eq(ir[t], t == 2 ? 1.0 : 0.0);
        cr_assert_eq(ir[8 + t], t == 0 ? 3.0 : (t == 1 ? 1.0 : 0.0));
    }
    adac_graph_free(g);
}

#include "lagrange.h"

Test(lagrange, integer_delay_is_one_unit_tap)
{
    int64_t start;
    double g[ADAC_LAGRANGE_MAX_ORDER + 1];
    cr_assert_eq(adac_lagrange_taps(12.0, 9, &start, g), 1);
    cr_assert_eq(start, 12);
    cr_assert_eq(g[0], 1.0);
}

Test(lagrange, delays_polynomials_exactly)
{
    /* Lagrange interpolation of order N reproduces polynomials of degree <= N: the
     * taps applied to x[n] = n^3 give (n - D)^3 for any fractional D. */
    for (int order = 3; order <= 9; order += 2) {
        for (double d = 0.3; d < 30; d += 3.37) {
            int64_t start;
            double g[ADAC_LAGRANGE_MAX_ORDER + 1];
            int k = adac_lagrange_taps(d, order, &start, g);
            cr_assert_eq(k, order + 1);
            cr_assert_geq(start, 0);
            double n = 100.0, y = 0;
            for (int j = 0; j < k; j++) y += g[j] * pow(n - (double)(start + j), 3);
            cr_assert_float_eq(y, pow(n - d, 3), 1e-6 * pow(n, 3), "order %d d %g", order, d);
        }
    }
}

Test(lagrange, window_is_centred)
{
    int64_t start;
    double g[ADAC_LAGRANGE_MAX_ORDER + 1];
    adac_lagrange_taps(100.4, 9, &start, g);
    cr_assert_eq(start, 96); /* 96..105: 100.4 sits between taps 4 and 5 */
    adac_lagrange_taps(1.5, 9, &start, g);
    cr_assert_eq(start, 1); /* a delay >= 1 keeps one sample: loops stay realisable */
    adac_lagrange_taps(0.5, 9, &start, g);
    cr_assert_eq(start, 0);
}

Test(engine, fir_is_a_convolution)
{
    adac_graph *g = load(HEAD "{\"type\":\"parallel_fir\",\"params\":{\"taps\":[[0,0.5,0,-0.25]]}}}");
    cr_assert_eq(g->root->min_latency, 1);
    double ir[10];
    cr_assert(adac_engine_render_impulse(g, 10, 3, ir));
    const double want[10] = {0, 0.5, 0, -0.25, 0, 0, 0, 0, 0, 0};
    for (int t = 0; t < 10; t++) cr_assert_eq(ir[t], want[t], "t=%d", t);
    adac_graph_free(g);
}
