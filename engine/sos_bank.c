#include "sos_bank.h"

#include "simd.h"

#include <stdlib.h>
#include <string.h>

#define GROUP (2 * ADAC_LANES) /* channels per pass: two vectors, two independent recursions */

int adac_sos_bank_prepare(adac_sos_bank *b, int channels, int sections, const double *sos, int max_block)
{
    memset(b, 0, sizeof *b);
    b->channels = channels;
    b->sections = sections;
    b->lanes = (channels + GROUP - 1) / GROUP * GROUP;
    size_t per_section = (size_t)b->lanes;
    b->coef = calloc((size_t)sections * 5 * per_section, sizeof *b->coef);
    b->state = calloc((size_t)sections * 4 * per_section, sizeof *b->state);
    b->zeros = calloc((size_t)max_block, sizeof *b->zeros);
    b->sink = calloc((size_t)max_block, sizeof *b->sink);
    if (!b->coef || !b->state || !b->zeros || !b->sink) return 0;
    /* Padding lanes keep all-zero coefficients: they output silence. */
    static const int which[5] = {0, 1, 2, 4, 5};
    for (int c = 0; c < channels; c++)
        for (int s = 0; s < sections; s++)
            for (int m = 0; m < 5; m++)
                b->coef[((size_t)s * 5 + m) * b->lanes + c] =
                    (adac_sample)sos[((size_t)c * sections + s) * 6 + which[m]];
    return 1;
}

static ADAC_BODY adac_vec gather(const adac_sample *const *x, int t)
{
    adac_vec v;
    for (int l = 0; l < ADAC_LANES; l++) v[l] = x[l][t];
    return v;
}

static ADAC_BODY void scatter(adac_sample *const *y, int t, adac_vec v)
{
    for (int l = 0; l < ADAC_LANES; l++) y[l][t] = v[l];
}

/* r[k] becomes column k of the square block whose rows were r[0..ADAC_LANES-1]. */
#if defined(__clang__)
#define SHUFFLE(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#elif ADAC_LANES == 4
typedef long long lane_mask __attribute__((vector_size(32)));
#define SHUFFLE(a, b, ...) __builtin_shuffle(a, b, (lane_mask){__VA_ARGS__})
#else
typedef int lane_mask __attribute__((vector_size(32)));
#define SHUFFLE(a, b, ...) __builtin_shuffle(a, b, (lane_mask){__VA_ARGS__})
#endif

static ADAC_BODY void transpose(adac_vec *r)
{
#if ADAC_LANES == 4
    adac_vec lo01 = SHUFFLE(r[0], r[1], 0, 4, 2, 6), hi01 = SHUFFLE(r[0], r[1], 1, 5, 3, 7);
    adac_vec lo23 = SHUFFLE(r[2], r[3], 0, 4, 2, 6), hi23 = SHUFFLE(r[2], r[3], 1, 5, 3, 7);
    r[0] = SHUFFLE(lo01, lo23, 0, 1, 4, 5), r[1] = SHUFFLE(hi01, hi23, 0, 1, 4, 5);
    r[2] = SHUFFLE(lo01, lo23, 2, 3, 6, 7), r[3] = SHUFFLE(hi01, hi23, 2, 3, 6, 7);
#else
    /* Pairs interleaved, then pairs of pairs, then the 128-bit halves. */
    adac_vec t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = SHUFFLE(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[i + 1] = SHUFFLE(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int i = 0; i < 8; i += 4)
        for (int k = 0; k < 2; k++) {
            s[i + 2 * k] = SHUFFLE(t[i + k], t[i + k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
            s[i + 2 * k + 1] = SHUFFLE(t[i + k], t[i + k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        }
    for (int k = 0; k < 4; k++) {
        r[k] = SHUFFLE(s[k], s[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        r[k + 4] = SHUFFLE(s[k], s[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
#endif
}

static ADAC_BODY void section_pass_body(const adac_sample *coef, adac_sample *state, int lanes, int lane0,
                                        const adac_sample *const *x, adac_sample *const *y, int n)
{
#define LANE(row, half) (*(adac_vec *)(row + (size_t)(half) * ADAC_LANES))
    const adac_sample *cb0 = coef + lane0, *cb1 = cb0 + lanes, *cb2 = cb1 + lanes, *ca1 = cb2 + lanes,
                      *ca2 = ca1 + lanes;
    adac_sample *sx1 = state + lane0, *sx2 = sx1 + lanes, *sy1 = sx2 + lanes, *sy2 = sy1 + lanes;
    adac_vec b0a = LANE(cb0, 0), b1a = LANE(cb1, 0), b2a = LANE(cb2, 0), a1a = LANE(ca1, 0), a2a = LANE(ca2, 0);
    adac_vec b0b = LANE(cb0, 1), b1b = LANE(cb1, 1), b2b = LANE(cb2, 1), a1b = LANE(ca1, 1), a2b = LANE(ca2, 1);
    adac_vec x1a = LANE(sx1, 0), x2a = LANE(sx2, 0), y1a = LANE(sy1, 0), y2a = LANE(sy2, 0);
    adac_vec x1b = LANE(sx1, 1), x2b = LANE(sx2, 1), y1b = LANE(sy1, 1), y2b = LANE(sy2, 1);
#define STEP(xa, xb)                                                                               \
    do {                                                                                           \
        adac_vec ya = (b0a * xa + b1a * x1a + b2a * x2a) + (-a1a * y1a - a2a * y2a);               \
        adac_vec yb = (b0b * xb + b1b * x1b + b2b * x2b) + (-a1b * y1b - a2b * y2b);               \
        x2a = x1a, x1a = xa, y2a = y1a, y1a = ya;                                                  \
        x2b = x1b, x1b = xb, y2b = y1b, y1b = yb;                                                  \
        xa = ya, xb = yb;                                                                          \
    } while (0)
    int t = 0;
    /* ADAC_LANES samples of each group's channels: loaded as rows, turned into
     * time steps in registers, filtered, turned back, stored as rows. */
    for (; t + ADAC_LANES <= n; t += ADAC_LANES) {
        adac_vec a[ADAC_LANES], c[ADAC_LANES];
        for (int k = 0; k < ADAC_LANES; k++)
            a[k] = adac_vec_load(x[k] + t), c[k] = adac_vec_load(x[ADAC_LANES + k] + t);
        transpose(a);
        transpose(c);
        for (int k = 0; k < ADAC_LANES; k++) STEP(a[k], c[k]);
        transpose(a);
        transpose(c);
        for (int k = 0; k < ADAC_LANES; k++)
            adac_vec_store(y[k] + t, a[k]), adac_vec_store(y[ADAC_LANES + k] + t, c[k]);
    }
    for (; t < n; t++) {
        adac_vec xa = gather(x, t), xb = gather(x + ADAC_LANES, t);
        STEP(xa, xb);
        scatter(y, t, xa);
        scatter(y + ADAC_LANES, t, xb);
    }
#undef STEP
    LANE(sx1, 0) = x1a, LANE(sx2, 0) = x2a, LANE(sy1, 0) = y1a, LANE(sy2, 0) = y2a;
    LANE(sx1, 1) = x1b, LANE(sx2, 1) = x2b, LANE(sy1, 1) = y1b, LANE(sy2, 1) = y2b;
#undef LANE
}
ADAC_DISPATCH(static, section_pass,
              (const adac_sample *coef, adac_sample *state, int lanes, int lane0, const adac_sample *const *x,
               adac_sample *const *y, int n),
              (coef, state, lanes, lane0, x, y, n))

void adac_sos_bank_process(adac_sos_bank *b, const adac_sample *const *in, adac_sample *const *out, int n)
{
    for (int lane0 = 0; lane0 < b->lanes; lane0 += GROUP) {
        const adac_sample *x[GROUP];
        adac_sample *y[GROUP];
        for (int k = 0; k < GROUP; k++) {
            int c = lane0 + k;
            x[k] = c < b->channels ? in[c] : b->zeros;
            y[k] = c < b->channels ? out[c] : b->sink;
        }
        for (int s = 0; s < b->sections; s++) {
            section_pass(b->coef + (size_t)s * 5 * b->lanes, b->state + (size_t)s * 4 * b->lanes, b->lanes,
                         lane0, s == 0 ? x : (const adac_sample *const *)y, y, n);
        }
    }
}

void adac_sos_bank_reset(adac_sos_bank *b)
{
    memset(b->state, 0, (size_t)b->sections * 4 * b->lanes * sizeof *b->state);
}

void adac_sos_bank_free(adac_sos_bank *b)
{
    free(b->coef);
    free(b->state);
    free(b->zeros);
    free(b->sink);
    memset(b, 0, sizeof *b);
}
