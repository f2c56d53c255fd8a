#include "line_loops.h"

#include "bus.h"
#include "fused_madd.h"
#include "simd.h"

#include <stdlib.h>
#include <string.h>

#define L ADAC_LANES

static int plain_dense(const adac_node *n)
{
    return n->type == ADAC_NODE_GAIN && n->structure == ADAC_MATRIX_DENSE;
}

int adac_line_loops_fit(const adac_node *in_gain, const adac_node *loop, const adac_node *out_gain)
{
    if (!plain_dense(in_gain) || !plain_dense(out_gain) || loop->type != ADAC_NODE_RECURSION || !loop->delay_headed)
        return 0;
    const adac_node *ff = loop->children[0], *fb = loop->children[1];
    return ff->type == ADAC_NODE_SERIES && ff->n_children == 2 && ff->children[0]->type == ADAC_NODE_PARALLEL_DELAY &&
           ff->children[1]->type == ADAC_NODE_PARALLEL_SOS &&
           fb->type == ADAC_NODE_PARALLEL_GAIN;
}

int adac_line_loops_prepare(adac_line_loops *ll, const adac_matrix_mixer *in_gain, const adac_node *loop,
                            const adac_matrix_mixer *out_gain, adac_sos_bank *bank, int max_block)
{
    memset(ll, 0, sizeof *ll);
    ll->lines = loop->n_in;
    ll->inputs = in_gain->n_in;
    ll->outputs = out_gain->n_out;
    ll->bank = bank;
    ll->in_gain = in_gain->gain;
    ll->out_gain = out_gain->gain;
    if (!(ll->y = adac_bus_alloc(bank->chains * L, max_block))) return 0;
    ll->feedback = aligned_alloc(sizeof(adac_vec), (size_t)ll->lines * sizeof *ll->feedback);
    for (int c = 0; ll->feedback && c < ll->lines; c++)
        ll->feedback[c] = adac_vec_broadcast((adac_sample)loop->children[1]->gain[c]);
    return ll->feedback != NULL;
}

/* The loop's next input for `count` lines from lane0: each line's input sum
 * (as the input gain's mix computes it) and then u = g y + x (as the per-line
 * gain and the add do). */
static ADAC_BODY void feed_lines_body(adac_simd_level level, const adac_line_loops *ll, int lane0, int count,
                                      const adac_sample *const *in, adac_sample *const *write, int n)
{
    int ni = ll->inputs;
    for (int k = 0; k < count; k++) {
        int line = lane0 + k;
        const adac_sample *y = ll->y[k], *b = ll->in_gain + (size_t)line * ni;
        adac_sample *u = write[line];
        adac_vec g = ll->feedback[line];
        int t = 0;
        if (ni == 1) { /* the usual mono input: no loop over inputs */
            adac_vec b0 = gain_vec(level, b[0]);
            for (; t + L <= n; t += L)
                adac_vec_store(u + t, g * adac_vec_load(y + t) + one_input_sum(level, b0, adac_vec_load(in[0] + t)));
        }
        for (; t + L <= n; t += L) {
            adac_vec sum = {0};
            for (int m = 0; m < ni; m++) sum = fused(level, gain_vec(level, b[m]), adac_vec_load(in[m] + t), sum);
            adac_vec_store(u + t, g * adac_vec_load(y + t) + sum);
        }
        for (; t < n; t++) {
            adac_sample sum = 0;
            for (int m = 0; m < ni; m++) sum = fused1(level, b[m], in[m][t], sum);
            u[t] = g[0] * y[t] + sum;
        }
    }
}
ADAC_DISPATCH_LEVEL(static, feed_lines,
                    (const adac_line_loops *ll, int lane0, int count, const adac_sample *const *in,
                     adac_sample *const *write, int n),
                    (ll, lane0, count, in, write, n))

/* The terms of `count` lines from lane0 in every output's sum: the first group
 * starts each sum at +0, later ones continue it, so each sample's sum runs over
 * the lines in order as the output gain's mix does. Four vectors at a time, so
 * that four sums hide the multiply-add latency. */
static ADAC_BODY void sum_lines_body(adac_simd_level level, const adac_line_loops *ll, int lane0, int count,
                                     adac_sample *const *out, int n)
{
    int first = lane0 == 0;
    for (int o = 0; o < ll->outputs; o++) {
        const adac_sample *g = ll->out_gain + (size_t)o * ll->lines + lane0;
        adac_sample *z = out[o];
        int t = 0;
        for (; t + 4 * L <= n; t += 4 * L) {
            adac_vec s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
            if (!first) {
                s0 = adac_vec_load(z + t), s1 = adac_vec_load(z + t + L);
                s2 = adac_vec_load(z + t + 2 * L), s3 = adac_vec_load(z + t + 3 * L);
            }
            for (int k = 0; k < count; k++) {
                const adac_sample *y = ll->y[k] + t;
                adac_vec p = gain_vec(level, g[k]);
                s0 = fused(level, p, adac_vec_load(y), s0), s1 = fused(level, p, adac_vec_load(y + L), s1);
                s2 = fused(level, p, adac_vec_load(y + 2 * L), s2), s3 = fused(level, p, adac_vec_load(y + 3 * L), s3);
            }
            adac_vec_store(z + t, s0), adac_vec_store(z + t + L, s1);
            adac_vec_store(z + t + 2 * L, s2), adac_vec_store(z + t + 3 * L, s3);
        }
        for (; t + L <= n; t += L) {
            adac_vec s = first ? (adac_vec){0} : adac_vec_load(z + t);
            for (int k = 0; k < count; k++) s = fused(level, gain_vec(level, g[k]), adac_vec_load(ll->y[k] + t), s);
            adac_vec_store(z + t, s);
        }
        for (; t < n; t++) {
            adac_sample s = first ? 0 : z[t];
            for (int k = 0; k < count; k++) s = fused1(level, g[k], ll->y[k][t], s);
            z[t] = s;
        }
    }
}
ADAC_DISPATCH_LEVEL(static, sum_lines,
                    (const adac_line_loops *ll, int lane0, int count, adac_sample *const *out, int n),
                    (ll, lane0, count, out, n))

/* The usual mono FDN (one input, one output): both passes in one, four
 * vectors of samples at a time, so each filter output is loaded once. */
static ADAC_BODY void mono_lines_body(adac_simd_level level, const adac_line_loops *ll, int lane0, int count,
                                      const adac_sample *in, adac_sample *const *write, adac_sample *out, int n)
{
    int first = lane0 == 0;
    const adac_sample *b = ll->in_gain + lane0, *c = ll->out_gain + lane0;
    const adac_vec *g = ll->feedback + lane0;
    adac_vec zero = {0};
    int t = 0;
    for (; t + 4 * L <= n; t += 4 * L) {
        adac_vec x0 = adac_vec_load(in + t), x1 = adac_vec_load(in + t + L);
        adac_vec x2 = adac_vec_load(in + t + 2 * L), x3 = adac_vec_load(in + t + 3 * L);
        adac_vec s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        if (!first) {
            s0 = adac_vec_load(out + t), s1 = adac_vec_load(out + t + L);
            s2 = adac_vec_load(out + t + 2 * L), s3 = adac_vec_load(out + t + 3 * L);
        }
        for (int k = 0; k < count; k++) {
            const adac_sample *y = ll->y[k] + t;
            adac_sample *u = write[lane0 + k] + t;
            adac_vec bk = gain_vec(level, b[k]), ck = gain_vec(level, c[k]), gk = g[k];
            adac_vec y0 = adac_vec_load(y), y1 = adac_vec_load(y + L), y2 = adac_vec_load(y + 2 * L), y3 = adac_vec_load(y + 3 * L);
            adac_vec_store(u, gk * y0 + one_input_sum(level, bk, x0));
            adac_vec_store(u + L, gk * y1 + one_input_sum(level, bk, x1));
            adac_vec_store(u + 2 * L, gk * y2 + one_input_sum(level, bk, x2));
            adac_vec_store(u + 3 * L, gk * y3 + one_input_sum(level, bk, x3));
            s0 = fused(level, ck, y0, s0), s1 = fused(level, ck, y1, s1);
            s2 = fused(level, ck, y2, s2), s3 = fused(level, ck, y3, s3);
        }
        adac_vec_store(out + t, s0), adac_vec_store(out + t + L, s1);
        adac_vec_store(out + t + 2 * L, s2), adac_vec_store(out + t + 3 * L, s3);
    }
    for (; t < n; t++) {
        adac_sample s = first ? 0 : out[t];
        for (int k = 0; k < count; k++) {
            adac_sample y = ll->y[k][t];
            write[lane0 + k][t] = g[k][0] * y + one_input_sum1(level, b[k], in[t]);
            s = fused1(level, c[k], y, s);
        }
        out[t] = s;
    }
}
ADAC_DISPATCH_LEVEL(static, mono_lines,
                    (const adac_line_loops *ll, int lane0, int count, const adac_sample *in, adac_sample *const *write,
                     adac_sample *out, int n),
                    (ll, lane0, count, in, write, out, n))

/* Group by group of the bank: its filters into y (a group's worth, which
 * stays in L1 between the three passes), then the feedback and the outputs. */
void adac_line_loops_process(const adac_line_loops *ll, const adac_sample *const *in, const adac_sample *const *read,
                             adac_sample *const *write, adac_sample *const *out, int n)
{
    int group = ll->bank->chains * L;
    for (int lane0 = 0; lane0 < ll->lines; lane0 += group) {
        int count = ll->lines - lane0 < group ? ll->lines - lane0 : group;
        adac_sos_bank_process_group(ll->bank, lane0, read + lane0, ll->y, n);
        if (ll->inputs == 1 && ll->outputs == 1) {
            mono_lines(ll, lane0, count, in[0], write, out[0], n);
            continue;
        }
        feed_lines(ll, lane0, count, in, write, n);
        sum_lines(ll, lane0, count, out, n);
    }
}

void adac_line_loops_free(adac_line_loops *ll)
{
    free(ll->feedback);
    adac_bus_free(ll->y);
    memset(ll, 0, sizeof *ll);
}
