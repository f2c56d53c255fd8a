#include "matrix_mix.h"

#include "fused_madd.h"
#include "simd.h"
#include "vec_ops.h"

#include <stdlib.h>
#include <string.h>

#define L ADAC_LANES
#define TILE (4 * L) /* samples per tile: four vectors, kept in registers */
#define load adac_vec_load
#define store adac_vec_store

/* Every kernel below computes y = M x, or y = M x + add where add is not NULL
 * (a loop's input joining its feedback): each sample's sum as without add, then
 * one addition, so the fused pass gives the bits of a mix and an add.
 * The dense kernels take add either as rows (a bus, one per output) or as a
 * column and its input: a one-input dense gain that feeds the loop, whose
 * output row o is then one_input_sum(column[o], input) (fused_madd.h),
 * computed where it is added: the bits of that gain's own mix, without storing
 * its rows and loading them back. */
typedef struct {
    const adac_sample *const *rows;
    const adac_sample *column, *input;
} mix_addend;

static ADAC_BODY adac_vec addend_vec(adac_simd_level level, const mix_addend *z, int o, int t)
{
    if (z->rows) return load(z->rows[o] + t);
    return one_input_sum(level, gain_vec(level, z->column[o]), load(z->input + t));
}

static ADAC_BODY adac_sample addend1(adac_simd_level level, const mix_addend *z, int o, int t)
{
    return z->rows ? z->rows[o][t] : one_input_sum1(level, z->column[o], z->input[t]);
}

static void mix_dense(const adac_sample *tiled, const adac_sample *g, int n_out, int n_in, const adac_sample *const *x,
                      const mix_addend *z, adac_sample *const *y, int t_begin, int n);

/* The most rows a dense tile takes: six (12 accumulators) in AVX's sixteen
 * 256-bit registers; four in SSE2, where each 256-bit vector takes two of its
 * sixteen 128-bit ones (six spilled there and ran 7x slower). */
static inline int tile_rows_max(adac_simd_level level)
{
    return level <= ADAC_SIMD_BASELINE ? 4 : 6;
}

/* The rows of the next tile when `left` rows remain: the most a tile takes,
 * except that the last rows are never left as a tile of one or two where a
 * split of the last two tiles avoids it (8 as 4 + 4, not 6 + 2): a tile of
 * fewer than four rows has too few sums in flight to hide the multiply-add
 * latency (32 rows ran 5 tiles of six and one of two). */
static inline int tile_rows(adac_simd_level level, int left)
{
    int most = tile_rows_max(level);
    if (left <= most) return left;
    if (most == 6 && left < 10) return left == 9 ? 5 : 4; /* 7 = 4 + 3, 8 = 4 + 4, 9 = 5 + 4 */
    return most;
}

/* One output (an FDN's output gains): two tiles at once, so that eight
 * accumulators, not four, hide the multiply-add latency. Each sample's sum runs
 * over the inputs in the same order, fused the same way, as below. */
static ADAC_BODY void mix_row_body(adac_simd_level level, const adac_sample *g, int n_in, const adac_sample *const *x,
                                   const adac_sample *add, adac_sample *y, int n)
{
    int t0 = 0;
    for (; t0 + 2 * TILE <= n; t0 += 2 * TILE) {
        adac_vec a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};
        for (int i = 0; i < n_in; i++) {
            const adac_sample *xi = x[i] + t0;
            adac_vec p = gain_vec(level, g[i]);
            a0 = fused(level, p, load(xi), a0), a1 = fused(level, p, load(xi + 1 * L), a1);
            a2 = fused(level, p, load(xi + 2 * L), a2), a3 = fused(level, p, load(xi + 3 * L), a3);
            a4 = fused(level, p, load(xi + 4 * L), a4), a5 = fused(level, p, load(xi + 5 * L), a5);
            a6 = fused(level, p, load(xi + 6 * L), a6), a7 = fused(level, p, load(xi + 7 * L), a7);
        }
        if (add) {
            const adac_sample *z = add + t0;
            a0 += load(z), a1 += load(z + 1 * L), a2 += load(z + 2 * L), a3 += load(z + 3 * L);
            a4 += load(z + 4 * L), a5 += load(z + 5 * L), a6 += load(z + 6 * L), a7 += load(z + 7 * L);
        }
        adac_sample *y0 = y + t0;
        store(y0, a0), store(y0 + 1 * L, a1), store(y0 + 2 * L, a2), store(y0 + 3 * L, a3);
        store(y0 + 4 * L, a4), store(y0 + 5 * L, a5), store(y0 + 6 * L, a6), store(y0 + 7 * L, a7);
    }
    /* The rest through mix_dense: smaller tiles, then sample by sample. */
    mix_addend z = {.rows = &add};
    mix_dense(g, g, 1, n_in, x, add ? &z : NULL, &y, t0, n); /* one row is its own tile */
}
ADAC_DISPATCH_LEVEL(static, mix_row,
                    (const adac_sample *g, int n_in, const adac_sample *const *x, const adac_sample *add, adac_sample *y, int n),
                    (g, n_in, x, add, y, n))

/* Rows o .. o + rows - 1 of y = G x, samples t0 .. t0 + vectors * L - 1, with
 * rows x vectors accumulators in registers. Six rows by two vectors (12
 * accumulators, the two input vectors and the broadcast gain: 15 of 16
 * registers) spends one broadcast per two fused multiply-adds, and the loads
 * (two inputs, six gains) stay under the core's three per cycle
 * (tile_rows_max for SSE2).
 * rows and vectors are constants where it is inlined, so the loops unroll and
 * the accumulators live in registers. tiled holds the gains as tile_gains lays
 * them out. */
static ADAC_BODY void dense_tile(adac_simd_level level, const adac_sample *tiled, int n_in, const adac_sample *const *x,
                                 const mix_addend *z, adac_sample *const *y, int o, int rows, int t0, int vectors)
{
    adac_vec acc[6][2];
#pragma GCC unroll 6
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 2
        for (int v = 0; v < vectors; v++) acc[r][v] = (adac_vec){0};
    const adac_sample *g0 = tiled + (size_t)o * n_in;
    for (int i = 0; i < n_in; i++, g0 += rows) {
        const adac_sample *xi = x[i] + t0;
        __builtin_prefetch(xi + vectors * L);
#pragma GCC unroll 6
        for (int r = 0; r < rows; r++) {
            /* An empty asm: the compiler no longer sees the gains as one vector and
             * so broadcasts each from memory (one load) instead of loading four
             * and permuting them on the multiply-add pipes. */
            __asm__("" : "+r"(g0));
            adac_vec p = gain_vec(level, g0[r]);
#pragma GCC unroll 2
            for (int v = 0; v < vectors; v++) acc[r][v] = fused(level, p, load(xi + v * L), acc[r][v]);
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 2
        for (int v = 0; v < vectors; v++) {
            if (z) acc[r][v] += addend_vec(level, z, o + r, t0 + v * L);
            store(y[o + r] + t0 + v * L, acc[r][v]);
        }
}

/* Every output over tiles of `vectors` vectors from t0, rows as tile_rows
 * splits them (tile_gains lays the gains out by the same split). */
static ADAC_BODY void dense_columns(adac_simd_level level, const adac_sample *tiled, int n_out, int n_in,
                                    const adac_sample *const *x, const mix_addend *z, adac_sample *const *y, int t0,
                                    int vectors)
{
    for (int o = 0, rows; o < n_out; o += rows) {
        rows = tile_rows(level, n_out - o);
        /* One call per shape, each with constant bounds. */
        switch (rows) {
        case 6: dense_tile(level, tiled, n_in, x, z, y, o, 6, t0, vectors); break;
        case 5: dense_tile(level, tiled, n_in, x, z, y, o, 5, t0, vectors); break;
        case 4: dense_tile(level, tiled, n_in, x, z, y, o, 4, t0, vectors); break;
        case 3: dense_tile(level, tiled, n_in, x, z, y, o, 3, t0, vectors); break;
        case 2: dense_tile(level, tiled, n_in, x, z, y, o, 2, t0, vectors); break;
        default: dense_tile(level, tiled, n_in, x, z, y, o, 1, t0, vectors); break;
        }
    }
}

/* Samples t_begin .. n-1: tiles of two vectors, then of one, then sample by
 * sample. Every output sample is the same sum in every tile shape (products
 * fused into it in input order, from a zero), so the tiling does not change a
 * bit. */
static ADAC_BODY void mix_dense_body(adac_simd_level level, const adac_sample *tiled, const adac_sample *g, int n_out,
                                     int n_in, const adac_sample *const *x, const mix_addend *z, adac_sample *const *y,
                                     int t_begin, int n)
{
#ifdef ADAC_SAMPLE_SINGLE
    /* Floats in SSE2 take one vector per tile: two spilled (5x slower). */
    const int wide = level <= ADAC_SIMD_BASELINE ? 1 : 2;
#else
    const int wide = 2;
#endif
    int t0 = t_begin;
    for (; t0 + wide * L <= n; t0 += wide * L) dense_columns(level, tiled, n_out, n_in, x, z, y, t0, wide);
    for (; t0 + L <= n; t0 += L) dense_columns(level, tiled, n_out, n_in, x, z, y, t0, 1);
    for (int t = t0; t < n; t++)
        for (int o = 0; o < n_out; o++) {
            const adac_sample *go = g + (size_t)o * n_in;
            adac_sample acc = 0;
            for (int i = 0; i < n_in; i++) acc = fused1(level, go[i], x[i][t], acc);
            y[o][t] = z ? acc + addend1(level, z, o, t) : acc;
        }
}
ADAC_DISPATCH_LEVEL(static, mix_dense,
                    (const adac_sample *tiled, const adac_sample *g, int n_out, int n_in, const adac_sample *const *x,
                     const mix_addend *z, adac_sample *const *y, int t_begin, int n),
                    (tiled, g, n_out, n_in, x, z, y, t_begin, n))

/* s (I - 2uu^T) x = s x - (2 s u) (u^T x). */
static ADAC_BODY void mix_householder_body(const adac_sample *u, adac_sample s, int N, const adac_sample *const *x,
                                           const adac_sample *const *add, adac_sample *const *y, int n)
{
    int t0 = 0;
    for (; t0 + TILE <= n; t0 += TILE) {
        adac_vec w0 = {0}, w1 = {0}, w2 = {0}, w3 = {0};
        for (int i = 0; i < N; i++) {
            const adac_sample *xi = x[i] + t0;
            adac_vec p = adac_vec_splat(u[i]);
            w0 += p * load(xi), w1 += p * load(xi + 1 * L), w2 += p * load(xi + 2 * L), w3 += p * load(xi + 3 * L);
        }
        adac_vec vs = adac_vec_splat(s);
        for (int i = 0; i < N; i++) {
            const adac_sample *xi = x[i] + t0;
            adac_sample *yi = y[i] + t0;
            adac_vec q = adac_vec_splat(2.0 * s * u[i]);
            adac_vec r0 = vs * load(xi) - q * w0, r1 = vs * load(xi + 1 * L) - q * w1;
            adac_vec r2 = vs * load(xi + 2 * L) - q * w2, r3 = vs * load(xi + 3 * L) - q * w3;
            if (add) {
                const adac_sample *z = add[i] + t0;
                r0 += load(z), r1 += load(z + 1 * L), r2 += load(z + 2 * L), r3 += load(z + 3 * L);
            }
            store(yi, r0), store(yi + 1 * L, r1), store(yi + 2 * L, r2), store(yi + 3 * L, r3);
        }
    }
    for (int t = t0; t < n; t++) {
        adac_sample w = 0;
        for (int i = 0; i < N; i++) w += u[i] * x[i][t];
        for (int i = 0; i < N; i++) {
            adac_sample r = s * x[i][t] - (adac_sample)(2.0 * s * u[i]) * w;
            y[i][t] = add ? r + add[i][t] : r;
        }
    }
}
ADAC_DISPATCH(static, mix_householder,
              (const adac_sample *u, adac_sample s, int N, const adac_sample *const *x, const adac_sample *const *add,
               adac_sample *const *y, int n),
              (u, s, N, x, add, y, n))

/* Sylvester-ordered fast Walsh-Hadamard transform. Stage h (h = 1, 2, 4, ... N/2)
 * maps each pair (j, j + h) to (a + b, a - b); the last stage also applies the
 * scale. Up to three consecutive stages run together in registers on the 2, 4 or
 * 8 channels they mix, four samples at a time, so a pass over the bus does three
 * stages instead of one. Every value is the same sum of the same operands as in
 * the stage-by-stage order (and as the FAUST emitter's butterflies). */
static ADAC_BODY void butterfly(adac_vec *a, adac_vec *b, adac_vec g)
{
    adac_vec sum = *a + *b, diff = *a - *b;
    *a = g * sum, *b = g * diff;
}

/* Stages h0, 2 h0, ... (2^r stages of them, r <= 3) on channels j + m h0. */
static ADAC_BODY void hadamard_pass_body(int r, int h0, int N, adac_sample s, const adac_sample *const *x, adac_sample *const *y, int n)
{
    int span = h0 << r, last = span == N;
    adac_vec one = adac_vec_splat(1.0), g_last = adac_vec_splat(last ? s : 1.0);
    for (int hi = 0; hi < N; hi += span)
        for (int lo = 0; lo < h0; lo++) {
            int j = hi + lo;
            for (int t = 0; t + L <= n; t += L) {
                adac_vec v0 = load(x[j] + t), v1 = load(x[j + h0] + t), v2 = {0}, v3 = {0};
                adac_vec v4 = {0}, v5 = {0}, v6 = {0}, v7 = {0};
                if (r == 1) {
                    butterfly(&v0, &v1, g_last);
                } else if (r == 2) {
                    v2 = load(x[j + 2 * h0] + t), v3 = load(x[j + 3 * h0] + t);
                    butterfly(&v0, &v1, one), butterfly(&v2, &v3, one);
                    butterfly(&v0, &v2, g_last), butterfly(&v1, &v3, g_last);
                } else {
                    v2 = load(x[j + 2 * h0] + t), v3 = load(x[j + 3 * h0] + t);
                    v4 = load(x[j + 4 * h0] + t), v5 = load(x[j + 5 * h0] + t);
                    v6 = load(x[j + 6 * h0] + t), v7 = load(x[j + 7 * h0] + t);
                    butterfly(&v0, &v1, one), butterfly(&v2, &v3, one);
                    butterfly(&v4, &v5, one), butterfly(&v6, &v7, one);
                    butterfly(&v0, &v2, one), butterfly(&v1, &v3, one);
                    butterfly(&v4, &v6, one), butterfly(&v5, &v7, one);
                    butterfly(&v0, &v4, g_last), butterfly(&v1, &v5, g_last);
                    butterfly(&v2, &v6, g_last), butterfly(&v3, &v7, g_last);
                }
                store(y[j] + t, v0), store(y[j + h0] + t, v1);
                if (r >= 2) store(y[j + 2 * h0] + t, v2), store(y[j + 3 * h0] + t, v3);
                if (r == 3) {
                    store(y[j + 4 * h0] + t, v4), store(y[j + 5 * h0] + t, v5);
                    store(y[j + 6 * h0] + t, v6), store(y[j + 7 * h0] + t, v7);
                }
            }
        }
}
ADAC_DISPATCH(static, hadamard_pass, (int r, int h0, int N, adac_sample s, const adac_sample *const *x, adac_sample *const *y, int n), (r, h0, N, s, x, y, n))

static void mix_hadamard(adac_sample s, int N, const adac_sample *const *x, adac_sample *const *y, int n)
{
    if (N == 1) {
        for (int t = 0; t < n; t++) y[0][t] = s * x[0][t];
        return;
    }
    int stages = 0;
    while ((1 << stages) < N) stages++;
    const adac_sample *const *src = x;
    for (int done = 0; done < stages;) {
        int r = stages - done >= 3 ? 3 : stages - done;
        hadamard_pass(r, 1 << done, N, s, src, y, n);
        src = (const adac_sample *const *)y;
        done += r;
    }
    /* The samples past the last whole vector, stage by stage. */
    int t0 = n / L * L;
    for (int h = 1; h < N; h *= 2) {
        adac_sample g = 2 * h == N ? s : 1.0;
        for (int blk = 0; blk < N; blk += 2 * h)
            for (int j = blk; j < blk + h; j++) {
                const adac_sample *a = h == 1 ? x[j] : y[j], *b = h == 1 ? x[j + h] : y[j + h];
                for (int t = t0; t < n; t++) {
                    adac_sample va = a[t], vb = b[t];
                    y[j][t] = g * (va + vb);
                    y[j + h][t] = g * (va - vb);
                }
            }
    }
}

static adac_sample *copy_gains(const double *g, size_t n)
{
    adac_sample *c = malloc((n ? n : 1) * sizeof *c);
    for (size_t k = 0; c && k < n; k++) c[k] = (adac_sample)g[k];
    return c;
}

/* The gains in the order dense_tile reads them at the level in use (fixed when
 * the library loads): each tile of rows, split as dense_columns splits them,
 * keeps its place, n_in x rows with the rows of one input side by side, so a
 * tile's broadcasts are one forward stream. */
static adac_sample *tile_gains(const adac_sample *g, int n_out, int n_in)
{
    size_t count = (size_t)n_out * n_in;
    adac_sample *t = g ? malloc((count > 0 ? count : 1) * sizeof *t) : NULL;
    for (int o = 0, rows; t && o < n_out; o += rows) {
        rows = tile_rows(adac_simd_level_in_use(), n_out - o);
        for (int i = 0; i < n_in; i++)
            for (int r = 0; r < rows; r++) t[(size_t)o * n_in + (size_t)i * rows + r] = g[(size_t)(o + r) * n_in + i];
    }
    return t;
}

int adac_matrix_mix_prepare(adac_matrix_mixer *m, const adac_node *leaf)
{
    memset(m, 0, sizeof *m);
    m->structure = leaf->structure;
    m->n_in = leaf->n_in;
    m->n_out = leaf->n_out;
    m->scale = (adac_sample)leaf->structure_scale;
    switch (leaf->structure) {
    case ADAC_MATRIX_HOUSEHOLDER: return (m->u = copy_gains(leaf->structure_u, (size_t)leaf->n_in)) != NULL;
    case ADAC_MATRIX_HADAMARD: return 1;
    default:
        m->gain = copy_gains(leaf->gain, (size_t)leaf->n_out * leaf->n_in);
        m->tiled = tile_gains(m->gain, leaf->n_out, leaf->n_in);
        return m->gain && m->tiled;
    }
}

void adac_matrix_mix_add(const adac_matrix_mixer *m, const adac_sample *const *x, const adac_sample *const *add,
                         adac_sample *const *y, int n)
{
    switch (m->structure) {
    case ADAC_MATRIX_HOUSEHOLDER:
        mix_householder(m->u, m->scale, m->n_in, x, add, y, n);
        break;
    case ADAC_MATRIX_HADAMARD:
        /* The butterflies pass over the bus stage by stage; the add is one more pass. */
        mix_hadamard(m->scale, m->n_in, x, y, n);
        for (int c = 0; add && c < m->n_out; c++) adac_vec_add(y[c], add[c], n);
        break;
    default:
        if (m->n_out == 1)
            mix_row(m->gain, m->n_in, x, add ? add[0] : NULL, y[0], n);
        else
            mix_dense(m->tiled, m->gain, m->n_out, m->n_in, x, add ? &(mix_addend){.rows = add} : NULL, y, 0, n);
        break;
    }
}

void adac_matrix_mix_add_column(const adac_matrix_mixer *m, const adac_sample *const *x, const adac_sample *column,
                                const adac_sample *input, adac_sample *const *y, int n)
{
    mix_dense(m->tiled, m->gain, m->n_out, m->n_in, x, &(mix_addend){.column = column, .input = input}, y, 0, n);
}

void adac_matrix_mix(const adac_matrix_mixer *m, const adac_sample *const *x, adac_sample *const *y, int n)
{
    adac_matrix_mix_add(m, x, NULL, y, n);
}

void adac_matrix_mix_free(adac_matrix_mixer *m)
{
    free(m->gain);
    free(m->tiled);
    free(m->u);
    memset(m, 0, sizeof *m);
}
