#include "sos_bank.h"

#include "simd.h"

#include <stdlib.h>
#include <string.h>

#define GROUP 8 /* channels per pass: two vectors, two independent recursions */

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
                b->coef[((size_t)s * 5 + m) * b->lanes + c] = sos[((size_t)c * sections + s) * 6 + which[m]];
    return 1;
}

static ADAC_BODY adac_v4d gather(const double *const *x, int t)
{
    return (adac_v4d){x[0][t], x[1][t], x[2][t], x[3][t]};
}

static ADAC_BODY void scatter(double *const *y, int t, adac_v4d v)
{
    y[0][t] = v[0], y[1][t] = v[1], y[2][t] = v[2], y[3][t] = v[3];
}

/* r[k] = column k of the 4 x 4 block whose rows were r[0..3]. */
#if defined(__clang__)
#define SHUFFLE4(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
typedef long long v4_mask __attribute__((vector_size(32)));
#define SHUFFLE4(a, b, i, j, k, l) __builtin_shuffle(a, b, (v4_mask){i, j, k, l})
#endif
#define TRANSPOSE4(r0, r1, r2, r3)                                                                 \
    do {                                                                                           \
        adac_v4d lo01 = SHUFFLE4(r0, r1, 0, 4, 2, 6), hi01 = SHUFFLE4(r0, r1, 1, 5, 3, 7);         \
        adac_v4d lo23 = SHUFFLE4(r2, r3, 0, 4, 2, 6), hi23 = SHUFFLE4(r2, r3, 1, 5, 3, 7);         \
        r0 = SHUFFLE4(lo01, lo23, 0, 1, 4, 5), r1 = SHUFFLE4(hi01, hi23, 0, 1, 4, 5);              \
        r2 = SHUFFLE4(lo01, lo23, 2, 3, 6, 7), r3 = SHUFFLE4(hi01, hi23, 2, 3, 6, 7);              \
    } while (0)

static ADAC_BODY adac_v4d load(const double *p)
{
    return *(const adac_v4d *)p;
}

static ADAC_BODY void store(double *p, adac_v4d v)
{
    *(adac_v4d *)p = v;
}

static ADAC_BODY void section_pass_body(const double *coef, double *state, int lanes, int lane0,
                                        const double *const *x, double *const *y, int n)
{
#define LANE(row, half) (*(adac_v4d *)(row + (size_t)(half) * 4))
    const double *cb0 = coef + lane0, *cb1 = cb0 + lanes, *cb2 = cb1 + lanes, *ca1 = cb2 + lanes,
                 *ca2 = ca1 + lanes;
    double *sx1 = state + lane0, *sx2 = sx1 + lanes, *sy1 = sx2 + lanes, *sy2 = sy1 + lanes;
    adac_v4d b0a = LANE(cb0, 0), b1a = LANE(cb1, 0), b2a = LANE(cb2, 0), a1a = LANE(ca1, 0), a2a = LANE(ca2, 0);
    adac_v4d b0b = LANE(cb0, 1), b1b = LANE(cb1, 1), b2b = LANE(cb2, 1), a1b = LANE(ca1, 1), a2b = LANE(ca2, 1);
    adac_v4d x1a = LANE(sx1, 0), x2a = LANE(sx2, 0), y1a = LANE(sy1, 0), y2a = LANE(sy2, 0);
    adac_v4d x1b = LANE(sx1, 1), x2b = LANE(sx2, 1), y1b = LANE(sy1, 1), y2b = LANE(sy2, 1);
#define STEP(xa, xb)                                                                               \
    do {                                                                                           \
        adac_v4d ya = (b0a * xa + b1a * x1a + b2a * x2a) + (-a1a * y1a - a2a * y2a);               \
        adac_v4d yb = (b0b * xb + b1b * x1b + b2b * x2b) + (-a1b * y1b - a2b * y2b);               \
        x2a = x1a, x1a = xa, y2a = y1a, y1a = ya;                                                  \
        x2b = x1b, x1b = xb, y2b = y1b, y1b = yb;                                                  \
        xa = ya, xb = yb;                                                                          \
    } while (0)
    int t = 0;
    /* Four samples of eight channels: loaded as rows, turned into four time steps
     * in registers, filtered, turned back, stored as rows. */
    for (; t + 4 <= n; t += 4) {
        adac_v4d a0 = load(x[0] + t), a1 = load(x[1] + t), a2 = load(x[2] + t), a3 = load(x[3] + t);
        adac_v4d c0 = load(x[4] + t), c1 = load(x[5] + t), c2 = load(x[6] + t), c3 = load(x[7] + t);
        TRANSPOSE4(a0, a1, a2, a3);
        TRANSPOSE4(c0, c1, c2, c3);
        STEP(a0, c0);
        STEP(a1, c1);
        STEP(a2, c2);
        STEP(a3, c3);
        TRANSPOSE4(a0, a1, a2, a3);
        TRANSPOSE4(c0, c1, c2, c3);
        store(y[0] + t, a0), store(y[1] + t, a1), store(y[2] + t, a2), store(y[3] + t, a3);
        store(y[4] + t, c0), store(y[5] + t, c1), store(y[6] + t, c2), store(y[7] + t, c3);
    }
    for (; t < n; t++) {
        adac_v4d xa = gather(x, t), xb = gather(x + 4, t);
        STEP(xa, xb);
        scatter(y, t, xa);
        scatter(y + 4, t, xb);
    }
#undef STEP
    LANE(sx1, 0) = x1a, LANE(sx2, 0) = x2a, LANE(sy1, 0) = y1a, LANE(sy2, 0) = y2a;
    LANE(sx1, 1) = x1b, LANE(sx2, 1) = x2b, LANE(sy1, 1) = y1b, LANE(sy2, 1) = y2b;
#undef LANE
}
ADAC_DISPATCH(static, section_pass,
              (const double *coef, double *state, int lanes, int lane0, const double *const *x, double *const *y,
               int n),
              (coef, state, lanes, lane0, x, y, n))

void adac_sos_bank_process(adac_sos_bank *b, const double *const *in, double *const *out, int n)
{
    for (int lane0 = 0; lane0 < b->lanes; lane0 += GROUP) {
        const double *x[GROUP];
        double *y[GROUP];
        for (int k = 0; k < GROUP; k++) {
            int c = lane0 + k;
            x[k] = c < b->channels ? in[c] : b->zeros;
            y[k] = c < b->channels ? out[c] : b->sink;
        }
        for (int s = 0; s < b->sections; s++) {
            section_pass(b->coef + (size_t)s * 5 * b->lanes, b->state + (size_t)s * 4 * b->lanes, b->lanes,
                         lane0, s == 0 ? x : (const double *const *)y, y, n);
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
