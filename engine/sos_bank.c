#include "sos_bank.h"

#include "section_step.h"
#include "simd.h"

#include <stdlib.h>
#include <string.h>


int adac_sos_bank_prepare(adac_sos_bank *b, int channels, int sections, adac_section_form form,
                          const double *coef, int max_block)
{
    memset(b, 0, sizeof *b);
    b->channels = channels;
    b->form = form;
    b->sections = sections;
    /* One section: groups of two vectors (one where the bank fits in one).
     * More: the vectors shared out evenly over as few groups of at most
     * ADAC_SOS_BANK_CHAINS as cover them. */
    int vectors = (channels + ADAC_LANES - 1) / ADAC_LANES;
    int most = sections == 1 ? 2 : ADAC_SOS_BANK_CHAINS;
    int groups = (vectors + most - 1) / most;
    b->chains = sections == 1 ? (vectors > 1 ? 2 : 1) : (vectors + groups - 1) / groups;
    b->lanes = groups * b->chains * ADAC_LANES;
    size_t per_section = (size_t)b->lanes;
    b->coef = calloc((size_t)sections * ADAC_SECTION_COEFS * per_section, sizeof *b->coef);
    b->state = calloc((size_t)sections * ADAC_SECTION_STATES * per_section, sizeof *b->state);
    b->zeros = calloc((size_t)max_block, sizeof *b->zeros);
    b->sink = calloc((size_t)max_block, sizeof *b->sink);
    if (sections > 1 && !(b->steps = calloc((size_t)max_block * b->chains, sizeof *b->steps))) return 0;
    if (!b->coef || !b->state || !b->zeros || !b->sink) return 0;
    /* Padding lanes keep all-zero coefficients: they output silence. */
    for (int c = 0; c < channels; c++)
        for (int s = 0; s < sections; s++)
            adac_section_coefs(form, coef + ((size_t)c * sections + s) * 6,
                               b->coef + (size_t)s * ADAC_SECTION_COEFS * b->lanes + c, b->lanes);
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
    adac_vec t[8] ADAC_VEC_LOCAL, s[8] ADAC_VEC_LOCAL;
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

/* A group's coefficients and states, `chains` vectors from lane0 (the arrays'
 * rows are `lanes` long), into cf and st; and the states back. */
static ADAC_BODY void load_group(const adac_sample *coef, const adac_sample *state, int lanes, int lane0, int chains,
                                 adac_vec (*cf)[ADAC_SECTION_COEFS], adac_vec (*st)[ADAC_SECTION_STATES])
{
    for (int c = 0; c < chains; c++) {
        for (int m = 0; m < ADAC_SECTION_COEFS; m++) cf[c][m] = adac_vec_load(coef + (size_t)m * lanes + lane0 + (size_t)c * ADAC_LANES);
        for (int m = 0; m < ADAC_SECTION_STATES; m++) st[c][m] = adac_vec_load(state + (size_t)m * lanes + lane0 + (size_t)c * ADAC_LANES);
    }
}

static ADAC_BODY void store_states(adac_sample *state, int lanes, int lane0, int chains, adac_vec (*st)[ADAC_SECTION_STATES])
{
    for (int c = 0; c < chains; c++)
        for (int m = 0; m < ADAC_SECTION_STATES; m++) adac_vec_store(state + (size_t)m * lanes + lane0 + (size_t)c * ADAC_LANES, st[c][m]);
}

/* One step of one vector of channels in the bank's form (section_step.h). */
static ADAC_BODY adac_vec section_step(adac_section_form form, const adac_vec *cf, adac_vec *st, adac_vec x)
{
    adac_vec y;
    if (form == ADAC_SECTIONS_SVF)
        ADAC_SVF_STEP(cf, st, x, y);
    else
        ADAC_DF1_STEP(cf, st, x, y);
    return y;
}

/* Direct form I over one run of ADAC_LANES time steps of `chains` vectors of
 * channels (v[c][k]: step k of vector c), in place in registers. A step's x1
 * x2 are the inputs of the two steps before it and y1 y2 their outputs, so
 * within the run they are the neighbouring vectors: the feed-forward sums go
 * from the last step down (each step's two earlier inputs are still there),
 * then the recursion from the first step up, the vectors' steps interleaved so
 * that their recursions overlap (each step waits on the one before for a
 * multiply and two adds). The states hold the previous run's last two inputs
 * and outputs. Each output is ADAC_DF1_STEP's sum, operation for operation. */
static ADAC_BODY void df1_run_in_place(adac_vec (*cf)[ADAC_SECTION_COEFS], adac_vec (*st)[ADAC_SECTION_STATES],
                                       adac_vec (*v)[ADAC_LANES], int chains)
{
    enum { N = ADAC_LANES };
    adac_vec x1[2] ADAC_VEC_LOCAL, x2[2] ADAC_VEC_LOCAL;
    for (int c = 0; c < chains; c++) {
        const adac_vec *b = cf[c];
        x1[c] = v[c][N - 1], x2[c] = v[c][N - 2];
        for (int k = N - 1; k >= 2; k--) v[c][k] = (b[0] * v[c][k] + b[1] * v[c][k - 1]) + b[2] * v[c][k - 2];
        v[c][1] = (b[0] * v[c][1] + b[1] * v[c][0]) + b[2] * st[c][0];
        v[c][0] = (b[0] * v[c][0] + b[1] * st[c][0]) + b[2] * st[c][1];
    }
    for (int c = 0; c < chains; c++) {
        v[c][0] = v[c][0] + (-cf[c][3] * st[c][2] - cf[c][4] * st[c][3]);
        v[c][1] = v[c][1] + (-cf[c][3] * v[c][0] - cf[c][4] * st[c][2]);
    }
    for (int k = 2; k < N; k++)
        for (int c = 0; c < chains; c++) v[c][k] = v[c][k] + (-cf[c][3] * v[c][k - 1] - cf[c][4] * v[c][k - 2]);
    for (int c = 0; c < chains; c++) st[c][0] = x1[c], st[c][1] = x2[c], st[c][2] = v[c][N - 1], st[c][3] = v[c][N - 2];
}

/* One section over `chains` (1 or 2) vectors of channels, each an independent
 * recursion: two overlap their latency; one serves a bank that fills a single
 * vector without filtering a padding vector. `form` and `chains` are constants
 * in each caller, so each is compiled as its own loop. */
static ADAC_BODY void section_pass_body(const adac_sample *coef, adac_sample *state, int lanes, int lane0,
                                        const adac_sample *const *x, adac_sample *const *y, int n, int chains,
                                        adac_section_form form)
{
    adac_vec cf[2][ADAC_SECTION_COEFS] ADAC_VEC_LOCAL, st[2][ADAC_SECTION_STATES] ADAC_VEC_LOCAL;
    load_group(coef, state, lanes, lane0, chains, cf, st);
    int t = 0;
    /* ADAC_LANES samples of each chain's channels: loaded as rows, turned into
     * time steps in registers, filtered, turned back, stored as rows. */
    for (; t + ADAC_LANES <= n; t += ADAC_LANES) {
        adac_vec v[2][ADAC_LANES] ADAC_VEC_LOCAL;
        for (int c = 0; c < chains; c++) {
            for (int k = 0; k < ADAC_LANES; k++) v[c][k] = adac_vec_load(x[c * ADAC_LANES + k] + t);
            transpose(v[c]);
        }
        if (form == ADAC_SECTIONS_DF1)
            df1_run_in_place(cf, st, v, chains);
        else
            for (int k = 0; k < ADAC_LANES; k++)
                for (int c = 0; c < chains; c++) v[c][k] = section_step(form, cf[c], st[c], v[c][k]);
        for (int c = 0; c < chains; c++) {
            transpose(v[c]);
            for (int k = 0; k < ADAC_LANES; k++) adac_vec_store(y[c * ADAC_LANES + k] + t, v[c][k]);
        }
    }
    for (; t < n; t++)
        for (int c = 0; c < chains; c++) {
            adac_vec v = gather(x + c * ADAC_LANES, t);
            scatter(y + c * ADAC_LANES, t, section_step(form, cf[c], st[c], v));
        }
    store_states(state, lanes, lane0, chains, st);
}

#define SECTION_PASS(name, chains, form)                                                                       \
    static ADAC_BODY void name##_body(const adac_sample *coef, adac_sample *state, int lanes, int lane0,       \
                                      const adac_sample *const *x, adac_sample *const *y, int n)               \
    {                                                                                                          \
        section_pass_body(coef, state, lanes, lane0, x, y, n, chains, form);                                   \
    }                                                                                                          \
    ADAC_DISPATCH(static, name,                                                                                \
                  (const adac_sample *coef, adac_sample *state, int lanes, int lane0,                          \
                   const adac_sample *const *x, adac_sample *const *y, int n),                                 \
                  (coef, state, lanes, lane0, x, y, n))
SECTION_PASS(df1_pass1, 1, ADAC_SECTIONS_DF1)
SECTION_PASS(df1_pass2, 2, ADAC_SECTIONS_DF1)
SECTION_PASS(svf_pass1, 1, ADAC_SECTIONS_SVF)
SECTION_PASS(svf_pass2, 2, ADAC_SECTIONS_SVF)

/* A group's channels (chains vectors of ADAC_LANES rows from x) as time steps:
 * steps[t * chains + c] holds sample t of vector c's channels. Whole runs of
 * ADAC_LANES samples load as rows and turn in registers; the rest gathers. */
static ADAC_BODY void to_steps_body(const adac_sample *const *x, adac_vec *steps, int chains, int n)
{
    int t = 0;
    for (; t + ADAC_LANES <= n; t += ADAC_LANES)
        for (int c = 0; c < chains; c++) {
            adac_vec v[ADAC_LANES];
            for (int k = 0; k < ADAC_LANES; k++) v[k] = adac_vec_load(x[c * ADAC_LANES + k] + t);
            transpose(v);
            for (int k = 0; k < ADAC_LANES; k++) steps[(size_t)(t + k) * chains + c] = v[k];
        }
    for (; t < n; t++)
        for (int c = 0; c < chains; c++) steps[(size_t)t * chains + c] = gather(x + c * ADAC_LANES, t);
}
ADAC_DISPATCH(static, to_steps, (const adac_sample *const *x, adac_vec *steps, int chains, int n), (x, steps, chains, n))

/* The way back: time steps to rows of y. */
static ADAC_BODY void from_steps_body(const adac_vec *steps, adac_sample *const *y, int chains, int n)
{
    int t = 0;
    for (; t + ADAC_LANES <= n; t += ADAC_LANES)
        for (int c = 0; c < chains; c++) {
            adac_vec v[ADAC_LANES];
            for (int k = 0; k < ADAC_LANES; k++) v[k] = steps[(size_t)(t + k) * chains + c];
            transpose(v);
            for (int k = 0; k < ADAC_LANES; k++) adac_vec_store(y[c * ADAC_LANES + k] + t, v[k]);
        }
    for (; t < n; t++)
        for (int c = 0; c < chains; c++) scatter(y + c * ADAC_LANES, t, steps[(size_t)t * chains + c]);
}
ADAC_DISPATCH(static, from_steps, (const adac_vec *steps, adac_sample *const *y, int chains, int n), (steps, y, chains, n))

/* Banks of two sections or more: each section over a group's time steps, in
 * place: `chains` vectors of channels, each an independent recursion, so that
 * up to four overlap their latency (a section's step waits on the last one for about 12 cycles). The
 * states live in registers; inputs, outputs and coefficients are memory
 * operands, which is what leaves the registers for four chains. `form` and
 * `chains` are constants in each caller, so each is compiled as its own loop. */
static ADAC_BODY void section_run_body(const adac_sample *coef, adac_sample *state, int lanes, int lane0, adac_vec *steps,
                                       int n, int chains, adac_section_form form)
{
    adac_vec cf[ADAC_SOS_BANK_CHAINS][ADAC_SECTION_COEFS], st[ADAC_SOS_BANK_CHAINS][ADAC_SECTION_STATES];
    load_group(coef, state, lanes, lane0, chains, cf, st);
    for (int t = 0; t < n; t++, steps += chains)
        for (int c = 0; c < chains; c++) steps[c] = section_step(form, cf[c], st[c], steps[c]);
    store_states(state, lanes, lane0, chains, st);
}

#define SECTION_RUN(name, chains, form)                                                                            \
    static ADAC_BODY void name##_body(const adac_sample *coef, adac_sample *state, int lanes, int lane0,          \
                                      adac_vec *steps, int n)                                                    \
    {                                                                                                              \
        section_run_body(coef, state, lanes, lane0, steps, n, chains, form);                                       \
    }                                                                                                              \
    ADAC_DISPATCH(static, name, (const adac_sample *coef, adac_sample *state, int lanes, int lane0, adac_vec *steps, int n), \
                  (coef, state, lanes, lane0, steps, n))
SECTION_RUN(df1_run1, 1, ADAC_SECTIONS_DF1)
SECTION_RUN(df1_run2, 2, ADAC_SECTIONS_DF1)
SECTION_RUN(df1_run3, 3, ADAC_SECTIONS_DF1)
SECTION_RUN(df1_run4, 4, ADAC_SECTIONS_DF1)
SECTION_RUN(svf_run1, 1, ADAC_SECTIONS_SVF)
SECTION_RUN(svf_run2, 2, ADAC_SECTIONS_SVF)
SECTION_RUN(svf_run3, 3, ADAC_SECTIONS_SVF)
SECTION_RUN(svf_run4, 4, ADAC_SECTIONS_SVF)

typedef void section_run_fn(const adac_sample *, adac_sample *, int, int, adac_vec *, int);
static section_run_fn *const section_runs[2][ADAC_SOS_BANK_CHAINS] = {
    {df1_run1, df1_run2, df1_run3, df1_run4},
    {svf_run1, svf_run2, svf_run3, svf_run4},
};

/* One section: the fused pass over the group's two vectors. More: into time
 * steps once, every section on them, back once. */
void adac_sos_bank_process_group(adac_sos_bank *b, int lane0, const adac_sample *const *in, adac_sample *const *out,
                                 int n)
{
    int group = b->chains * ADAC_LANES, svf = b->form == ADAC_SECTIONS_SVF;
    const adac_sample *x[ADAC_SOS_BANK_CHAINS * ADAC_LANES];
    adac_sample *y[ADAC_SOS_BANK_CHAINS * ADAC_LANES];
    for (int k = 0; k < group; k++) {
        int real = lane0 + k < b->channels;
        x[k] = real ? in[k] : b->zeros;
        y[k] = real ? out[k] : b->sink;
    }
    if (b->sections == 1) {
        if (b->chains == 2)
            (svf ? svf_pass2 : df1_pass2)(b->coef, b->state, b->lanes, lane0, x, y, n);
        else
            (svf ? svf_pass1 : df1_pass1)(b->coef, b->state, b->lanes, lane0, x, y, n);
        return;
    }
    section_run_fn *run = section_runs[svf][b->chains - 1];
    to_steps(x, b->steps, b->chains, n);
    for (int s = 0; s < b->sections; s++)
        run(b->coef + (size_t)s * ADAC_SECTION_COEFS * b->lanes, b->state + (size_t)s * ADAC_SECTION_STATES * b->lanes,
            b->lanes, lane0, b->steps, n);
    from_steps(b->steps, y, b->chains, n);
}

void adac_sos_bank_process(adac_sos_bank *b, const adac_sample *const *in, adac_sample *const *out, int n)
{
    for (int lane0 = 0; lane0 < b->lanes; lane0 += b->chains * ADAC_LANES)
        adac_sos_bank_process_group(b, lane0, in + lane0, out + lane0, n);
}

void adac_sos_bank_reset(adac_sos_bank *b)
{
    memset(b->state, 0, (size_t)b->sections * ADAC_SECTION_STATES * b->lanes * sizeof *b->state);
}

void adac_sos_bank_free(adac_sos_bank *b)
{
    free(b->coef);
    free(b->state);
    free(b->zeros);
    free(b->sink);
    free(b->steps);
    memset(b, 0, sizeof *b);
}
