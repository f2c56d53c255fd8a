#include "nyquist.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const cnode **t; /* the elements, rotated so that T_1's input is the narrowest point */
    int n, k;        /* k: channels at the cut, where A = I - L is formed */
    cplx **resp;     /* T_j(w) */
    cplx **suffix;   /* R_j = T_n ... T_j+1 (k x out_j); R_n = I */
    cplx **prefix;   /* S_j = T_j-1 ... T_1 (in_j x k); S_1 = I */
    cplx **ar;       /* D A^-1 R_j (k x out_j) */
    char **ar_mask;  /* where A^-1 R_j can be non-zero (the loop's channel paths) */
    cnode **merged;  /* the merged runs this evaluation owns */
    int n_merged, needs_inverse;
    double *absrow;
    cplx *a, *work; /* a: A, then its LU factors, or A^-1 where needs_inverse */
    lapack_int *piv;
    /* Per element, at the current w: */
    double *col_norm; /* diagonal T_j: |col_i(A^-1 R_j)|, concatenated */
    double *row_norm; /* diagonal T_j: |row_i(S_j)| */
    double *ar_norm, *s_norm; /* ||A^-1 R_j||_2, ||S_j||_2 bounds */
    size_t *at;       /* offset of element j in col_norm/row_norm */
    double *scale;    /* D at the cut (k): the bound is taken on D X D^-1, X's eigenvalues unchanged */
    int *block, *upstream; /* per channel at the cut: its block, and how many blocks reach it */
    char *closure; /* k x k: [x][y] when y reaches x in any number of trips (A^-1's pattern) */
    double *balance;  /* k x k: |A^-1 R_j| diag(slope) |S_j| summed, what D balances */
    double scaled_inv_norm; /* >= ||D A^-1||_2 */
    int *diagonal, *varies;
} loop_eval;

typedef struct {
    double log_abs, arg; /* of D(w) */
    double rcond;        /* LAPACK's estimate of 1 / cond_1(A), at 0 and pi only */
} point;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int rows(const cnode *c)
{
    return c->node->n_out;
}

static int cols(const cnode *c)
{
    return c->node->n_in;
}

static double mag(cplx z)
{
    return sqrt(creal(z) * creal(z) + cimag(z) * cimag(z));
}

/* An upper bound on ||M||_2: min(Frobenius, sqrt(||M||_1 ||M||_inf)). */
static double norm2_bound(const cplx *m, int r, int c)
{
    double frob = 0, n1 = 0, ninf = 0;
    for (int i = 0; i < r; i++) {
        double row = 0;
        for (int j = 0; j < c; j++) {
            double x = mag(m[(size_t)i * c + j]);
            row += x;
            frob += x * x;
        }
        ninf = fmax(ninf, row);
    }
    for (int j = 0; j < c; j++) {
        double col = 0;
        for (int i = 0; i < r; i++) col += mag(m[(size_t)i * c + j]);
        n1 = fmax(n1, col);
    }
    return fmin(sqrt(frob), sqrt(n1 * ninf)) * (1 + 1e-12);
}

static void identity(cplx *m, int k)
{
    memset(m, 0, (size_t)k * k * sizeof *m);
    for (int i = 0; i < k; i++) m[(size_t)i * k + i] = 1;
}

static int find_blocks(loop_eval *e);

/* A run of consecutive diagonal elements (delay lines, then their filters) acts
 * as one diagonal element: one product per channel instead of a matrix product,
 * and no second-order term between them. */
static const cnode *merge_run(loop_eval *e, const cnode *const *run, int len)
{
    if (len == 1) return run[0];
    adac_node *node = calloc(1, sizeof *node);
    cnode *c = calloc(1, sizeof *c);
    cnode **kids = malloc((size_t)len * sizeof *kids);
    if (!node || !c || !kids) {
        free(node);
        free(c);
        free(kids);
        return NULL;
    }
    node->type = ADAC_NODE_SERIES;
    node->n_in = node->n_out = run[0]->node->n_in;
    node->json_path = run[0]->node->json_path;
    for (int i = 0; i < len; i++) kids[i] = (cnode *)run[i];
    c->node = node;
    c->n_children = len;
    c->children = kids;
    c->diagonal = 1;
    e->merged[e->n_merged++] = c;
    return c;
}

static int setup(loop_eval *e, const cnode *const *items, int n)
{
    /* Cut at the narrowest point, where possible not inside a run of diagonal elements. */
    int cut = 0;
    for (int j = 1; j < n; j++) {
        int inside = items[(j + n - 1) % n]->diagonal && items[j]->diagonal, inside_cut = items[(cut + n - 1) % n]->diagonal && items[cut]->diagonal;
        if (cols(items[j]) < cols(items[cut]) || (cols(items[j]) == cols(items[cut]) && inside_cut && !inside)) cut = j;
    }
    e->merged = calloc((size_t)n, sizeof *e->merged);
    e->t = malloc((size_t)n * sizeof *e->t);
    if (!e->merged || !e->t) return 0;
    int m = 0;
    for (int j = 0; j < n;) {
        const cnode *first = items[(cut + j) % n];
        int len = 1;
        const cnode *run[64];
        run[0] = first;
        while (first->diagonal && j + len < n && len < 64 && items[(cut + j + len) % n]->diagonal &&
               cols(items[(cut + j + len) % n]) == cols(first))
            run[len] = items[(cut + j + len) % n], len++;
        if (!(e->t[m++] = merge_run(e, run, len))) return 0;
        j += len;
    }
    n = m;
    e->n = n;
    e->k = cols(e->t[0]);
    e->resp = calloc((size_t)n, sizeof *e->resp);
    e->suffix = calloc((size_t)n, sizeof *e->suffix);
    e->prefix = calloc((size_t)n, sizeof *e->prefix);
    e->ar = calloc((size_t)n, sizeof *e->ar);
    e->ar_mask = calloc((size_t)n, sizeof *e->ar_mask);
    e->ar_norm = malloc((size_t)n * sizeof *e->ar_norm);
    e->s_norm = malloc((size_t)n * sizeof *e->s_norm);
    e->at = malloc((size_t)(n + 1) * sizeof *e->at);
    e->diagonal = malloc((size_t)n * sizeof *e->diagonal);
    e->varies = malloc((size_t)n * sizeof *e->varies);
    if (!e->resp || !e->suffix || !e->prefix || !e->ar || !e->ar_mask || !e->ar_norm || !e->s_norm || !e->at ||
        !e->diagonal || !e->varies)
        return 0;
    int k = e->k, widest = k;
    e->at[0] = 0;
    for (int j = 0; j < n; j++) {
        const cnode *c = e->t[j];
        e->diagonal[j] = c->diagonal;
        e->varies[j] = c->node->type != ADAC_NODE_GAIN && c->node->type != ADAC_NODE_PARALLEL_GAIN;
        e->at[j + 1] = e->at[j] + (e->diagonal[j] ? (size_t)cols(c) : 0);
        if (rows(c) > widest) widest = rows(c);
        if (cols(c) > widest) widest = cols(c);
        e->resp[j] = malloc((size_t)rows(c) * cols(c) * sizeof(cplx));
        e->suffix[j] = malloc((size_t)k * rows(c) * sizeof(cplx));
        e->prefix[j] = malloc((size_t)cols(c) * k * sizeof(cplx));
        e->ar[j] = malloc((size_t)k * rows(c) * sizeof(cplx));
        e->ar_mask[j] = malloc((size_t)k * rows(c));
        if (!e->resp[j] || !e->suffix[j] || !e->prefix[j] || !e->ar[j] || !e->ar_mask[j]) return 0;
    }
    /* A^-1 itself is needed only for second-order terms: a varying element with
     * another varying one after it. Otherwise A^-1 R_j comes from the LU solve. */
    e->needs_inverse = 0;
    for (int j = 0; j < n; j++)
        for (int l = j + 1; l < n; l++) e->needs_inverse |= e->varies[j] && e->varies[l];
    e->col_norm = malloc((e->at[n] + 1) * sizeof *e->col_norm);
    e->row_norm = malloc((e->at[n] + 1) * sizeof *e->row_norm);
    e->a = malloc((size_t)k * k * sizeof *e->a);
    e->work = malloc((size_t)k * widest * sizeof *e->work);
    e->piv = malloc((size_t)k * sizeof *e->piv);
    e->absrow = malloc((size_t)k * sizeof *e->absrow);
    e->scale = malloc((size_t)k * sizeof *e->scale);
    e->balance = malloc((size_t)k * k * sizeof *e->balance);
    e->block = malloc((size_t)k * sizeof *e->block);
    e->upstream = malloc((size_t)k * sizeof *e->upstream);
    e->closure = malloc((size_t)k * k);
    if (!e->block || !e->upstream || !e->closure || !find_blocks(e)) return 0;
    return e->col_norm && e->row_norm && e->a && e->work && e->piv && e->absrow && e->scale &&
           e->balance;
}

static void release(loop_eval *e)
{
    for (int j = 0; e->resp && e->ar && j < e->n; j++) {
        free(e->resp[j]);
        free(e->suffix[j]);
        free(e->prefix[j]);
        free(e->ar[j]);
        if (e->ar_mask) free(e->ar_mask[j]);
    }
    free(e->ar);
    free(e->ar_mask);
    for (int i = 0; i < e->n_merged; i++) {
        free((void *)e->merged[i]->node);
        free(e->merged[i]->children);
        free(e->merged[i]);
    }
    free(e->merged);
    free(e->absrow);
    free(e->resp);
    free(e->suffix);
    free(e->prefix);
    free(e->t);
    free(e->ar_norm);
    free(e->s_norm);
    free(e->at);
    free(e->diagonal);
    free(e->varies);
    free(e->col_norm);
    free(e->row_norm);
    free(e->a);
    free(e->work);
    free(e->piv);
    free(e->scale);
    free(e->balance);
    free(e->block);
    free(e->upstream);
    free(e->closure);
}

/* A non-normal loop (a triangular mix with large couplings) has a determinant
 * that moves far less than ||A^-1|| ||dL|| says; a diagonal similarity D removes
 * most of that excess. Two parts:
 * - structure: channels that reach each other around the loop form blocks
 *   (strongly connected components of the loop's pattern of non-zeros); a
 *   channel downstream of more blocks gets a scale smaller by `block_step` per
 *   block, so what flows from block to block (exactly the part that cannot
 *   change the determinant of a block-triangular loop) weighs almost nothing;
 * - numbers: within a block, Osborne's balancing of b (d such that the row and
 *   column sums of d_i b_it / d_t off the diagonal match). */
static const double block_step = 1e-6;

static void balance_scaling(const loop_eval *e, const double *b, double *d)
{
    int k = e->k;
    for (int i = 0; i < k; i++) d[i] = 1;
    for (int sweep = 0; sweep < 20; sweep++)
        for (int i = 0; i < k; i++) {
            double row = 0, col = 0;
            for (int t = 0; t < k; t++) {
                if (t == i || e->block[t] != e->block[i]) continue;
                row += b[(size_t)i * k + t] / d[t];
                col += b[(size_t)t * k + i] * d[t];
            }
            /* row scales with d_i, col with 1 / d_i */
            if (row > 0 && col > 0) d[i] = fmin(fmax(sqrt(col / row), 1e-30), 1e30);
        }
    for (int i = 0; i < k; i++) d[i] *= pow(block_step, e->upstream[i]);
}

/* The loop's pattern at the cut: which channel reaches which (the product of the
 * elements' patterns, closed transitively); blocks and how many blocks lie
 * upstream of each channel. */
/* Whether input i of element c can reach its output o. */
static int element_link(const cnode *c, int diagonal, int o, int i)
{
    return diagonal ? o == i : c->node->type == ADAC_NODE_GAIN ? c->matrix[(size_t)o * cols(c) + i] != 0 : 1;
}

static int find_blocks(loop_eval *e)
{
    int k = e->k, width = k;
    for (int j = 0; j < e->n; j++) width = rows(e->t[j]) > width ? rows(e->t[j]) : width;
    char *reach = calloc((size_t)width * k, 1), *next = calloc((size_t)width * k, 1);
    if (!reach || !next) {
        free(reach);
        free(next);
        return 0;
    }
    for (int i = 0; i < k; i++) reach[(size_t)i * k + i] = 1; /* out x k: which input reaches which output */
    for (int j = 0; j < e->n; j++) {
        const cnode *c = e->t[j];
        int r = rows(c), cc = cols(c), diagonal = c->diagonal;
        memset(next, 0, (size_t)r * k);
        for (int o = 0; o < r; o++)
            for (int i = 0; i < cc; i++) {
                if (!element_link(c, diagonal, o, i)) continue;
                for (int x = 0; x < k; x++) next[(size_t)o * k + x] |= reach[(size_t)i * k + x];
            }
        memcpy(reach, next, (size_t)r * k);
    }
    /* reach[o][i]: input i reaches output o in one trip; close it. */
    for (int m = 0; m < k; m++)
        for (int o = 0; o < k; o++)
            if (reach[(size_t)o * k + m])
                for (int i = 0; i < k; i++) reach[(size_t)o * k + i] |= reach[(size_t)m * k + i];
    for (int x = 0; x < k; x++) {
        e->block[x] = x;
        for (int y = 0; y < x; y++)
            if (reach[(size_t)x * k + y] && reach[(size_t)y * k + x]) {
                e->block[x] = e->block[y];
                break;
            }
    }
    for (int x = 0; x < k; x++) { /* blocks that reach x, other than its own */
        int count = 0;
        for (int y = 0; y < k; y++)
            if (e->block[y] == y && y != e->block[x] && reach[(size_t)x * k + y]) count++;
        e->upstream[x] = count;
    }
    for (int x = 0; x < k; x++)
        for (int y = 0; y < k; y++) e->closure[(size_t)x * k + y] = x == y || reach[(size_t)x * k + y];
    /* A^-1 R_j's pattern: the closure times R_j's (built from the end: R_n = I). */
    for (int x = 0; x < k; x++)
        for (int y = 0; y < k; y++) reach[(size_t)x * k + y] = x == y; /* now R_j's pattern, k x rows_j */
    for (int j = e->n - 1; j >= 0; j--) {
        int r = rows(e->t[j]);
        for (int x = 0; x < k; x++)
            for (int y = 0; y < r; y++) {
                char any = 0;
                for (int t = 0; t < k && !any; t++) any = e->closure[(size_t)x * k + t] && reach[(size_t)t * r + y];
                e->ar_mask[j][(size_t)x * r + y] = any;
            }
        if (j == 0) break;
        /* R_j-1 = R_j T_j: k x rows_j-1 (= cols_j) */
        int c = cols(e->t[j]);
        for (int x = 0; x < k; x++)
            for (int y = 0; y < c; y++) {
                char any = 0;
                for (int t = 0; t < r && !any; t++)
                    any = reach[(size_t)x * r + t] && element_link(e->t[j], e->t[j]->diagonal, t, y);
                next[(size_t)x * c + y] = any;
            }
        memcpy(reach, next, (size_t)k * c);
    }
    free(reach);
    free(next);
    return 1;
}

/* out (k x cols_j) = m (k x rows_j) T_j, m the identity when `unit`: a diagonal
 * element scales columns instead of a full product. */
static void times_element(const loop_eval *e, int j, const cplx *m, cplx *out, int unit)
{
    int r = rows(e->t[j]), c = cols(e->t[j]), k = e->k;
    const cplx *t = e->resp[j];
    if (unit) {
        memcpy(out, t, (size_t)r * c * sizeof *out);
    } else if (e->diagonal[j]) {
        for (int x = 0; x < k; x++)
            for (int y = 0; y < c; y++) out[(size_t)x * c + y] = m[(size_t)x * r + y] * t[(size_t)y * c + y];
    } else {
        cm_mul(m, t, out, k, r, c);
    }
}

/* out (rows_j x k) = T_j m (m: cols_j x k), m the identity when `unit`. */
static void element_times(const loop_eval *e, int j, const cplx *m, cplx *out, int unit)
{
    int r = rows(e->t[j]), c = cols(e->t[j]), k = e->k;
    const cplx *t = e->resp[j];
    if (unit) {
        memcpy(out, t, (size_t)r * c * sizeof *out);
    } else if (e->diagonal[j]) {
        for (int x = 0; x < r; x++)
            for (int y = 0; y < k; y++) out[(size_t)x * k + y] = t[(size_t)x * c + x] * m[(size_t)x * k + y];
    } else {
        cm_mul(t, m, out, r, c, k);
    }
}

/* D(w), ||A(w)^-1|| and the exact factors of the step bound; 0 when A(w) is
 * singular or an element cannot be evaluated. */
static int evaluate(loop_eval *e, double w, point *p)
{
    int n = e->n, k = e->k;
    for (int j = 0; j < n; j++)
        if (!cnode_response(e->t[j], w, e->resp[j])) return 0;
    /* R_j from the end, S_j from the start. */
    identity(e->suffix[n - 1], k);
    for (int j = n - 2; j >= 0; j--) times_element(e, j + 1, e->suffix[j + 1], e->suffix[j], j + 1 == n - 1);
    identity(e->prefix[0], k);
    for (int j = 1; j < n; j++) element_times(e, j - 1, e->prefix[j - 1], e->prefix[j], j - 1 == 0);
    /* A = I - R_1 T_1 */
    times_element(e, 0, e->suffix[0], e->a, n == 1);
    for (int i = 0; i < k * k; i++) e->a[i] = -e->a[i];
    for (int i = 0; i < k; i++) e->a[(size_t)i * k + i] += 1;
    lapack_complex_double *a = (lapack_complex_double *)e->a;
    double anorm = 0;
    int ends = w == 0 || w == M_PI;
    for (int y = 0; ends && y < k; y++) {
        double col = 0;
        for (int x = 0; x < k; x++) col += mag(e->a[(size_t)x * k + y]);
        anorm = fmax(anorm, col);
    }
    if (LAPACKE_zgetrf(LAPACK_ROW_MAJOR, k, k, a, k, e->piv) != 0) return 0;
    p->rcond = 0;
    if (ends && LAPACKE_zgecon(LAPACK_ROW_MAJOR, '1', k, a, k, anorm, &p->rcond) != 0) p->rcond = 0;
    double la = 0, ph = 0;
    for (int i = 0; i < k; i++) {
        cplx u = e->a[(size_t)i * k + i];
        la += log(cabs(u));
        ph += carg(u);
        if (e->piv[i] != i + 1) ph += M_PI;
    }
    p->log_abs = la;
    p->arg = ph;
    if (!isfinite(la)) return 0;
    /* A^-1 R_j for every varying element: through A^-1 where second-order terms
     * need it, else by solving with the factors. Where no channel path exists the
     * exact value is 0; rounding there would be magnified by the block scaling. */
    if (e->needs_inverse) {
        if (LAPACKE_zgetri(LAPACK_ROW_MAJOR, k, a, k, e->piv) != 0) return 0;
        for (int i = 0; i < k * k; i++)
            if (!e->closure[i]) e->a[i] = 0;
    }
    for (int j = 0; j < n; j++) {
        if (!e->varies[j]) continue;
        int r = rows(e->t[j]);
        if (e->needs_inverse) {
            cm_mul(e->a, e->suffix[j], e->ar[j], k, k, r);
        } else {
            memcpy(e->ar[j], e->suffix[j], (size_t)k * r * sizeof(cplx));
            if (LAPACKE_zgetrs(LAPACK_ROW_MAJOR, 'N', k, r, a, k, e->piv, (lapack_complex_double *)e->ar[j], r) != 0)
                return 0;
        }
        for (int i = 0; i < k * r; i++)
            if (!e->ar_mask[j][i]) e->ar[j][i] = 0;
    }
    /* What D balances: the first-order sensitivity of X to each diagonal element,
     * sum_j |A^-1 R_j| diag(slope_j) |S_j|. */
    memset(e->balance, 0, (size_t)k * k * sizeof *e->balance);
    for (int j = 0; j < n; j++) {
        if (!e->varies[j]) continue;
        int r = rows(e->t[j]), c = cols(e->t[j]);
        if (!e->diagonal[j]) continue;
        for (int i = 0; i < c; i++) {
            double slope = cnode_entry_deviation(e->t[j], i, w, 1e-6).dev;
            if (!(slope > 0)) continue;
            for (int y = 0; y < k; y++) e->absrow[y] = slope * mag(e->prefix[j][(size_t)i * k + y]);
            for (int x = 0; x < k; x++) {
                double m = mag(e->ar[j][(size_t)x * r + i]);
                double *brow = e->balance + (size_t)x * k;
                for (int y = 0; y < k; y++) brow[y] += m * e->absrow[y];
            }
        }
    }
    balance_scaling(e, e->balance, e->scale);
    if (e->needs_inverse) { /* D A^-1 */
        for (int x = 0; x < k; x++)
            for (int y = 0; y < k; y++) e->work[(size_t)x * k + y] = e->scale[x] * e->a[(size_t)x * k + y];
        e->scaled_inv_norm = norm2_bound(e->work, k, k);
    }
    for (int j = 0; j < n; j++) {
        if (!e->varies[j]) continue;
        int r = rows(e->t[j]), c = cols(e->t[j]);
        cplx *dar = e->ar[j]; /* D A^-1 R_j: k x r */
        for (int x = 0; x < k; x++)
            for (int y = 0; y < r; y++) dar[(size_t)x * r + y] *= e->scale[x];
        for (int x = 0; x < c; x++) /* S_j D^-1: c x k */
            for (int y = 0; y < k; y++) e->prefix[j][(size_t)x * k + y] /= e->scale[y];
        e->ar_norm[j] = norm2_bound(dar, k, r);
        e->s_norm[j] = norm2_bound(e->prefix[j], c, k);
        if (!e->diagonal[j]) continue;
        double *cn = e->col_norm + e->at[j], *rn = e->row_norm + e->at[j];
        for (int i = 0; i < c; i++) {
            double sc = 0, sr = 0;
            for (int t = 0; t < k; t++) {
                cplx x = dar[(size_t)t * r + i], y = e->prefix[j][(size_t)i * k + t];
                sc += creal(x) * creal(x) + cimag(x) * cimag(x);
                sr += creal(y) * creal(y) + cimag(y) * cimag(y);
            }
            cn[i] = sqrt(sc) * (1 + 1e-12);
            rn[i] = sqrt(sr) * (1 + 1e-12);
        }
    }
    return 1;
}

/* Bounds on ||X||_* and ||X||_2 over |w' - w| <= h (see nyquist.h). */
typedef struct {
    double nuclear, spectral;
} step_size;

static step_size step_bound(const loop_eval *e, double w, double h)
{
    step_size r = {0, 0};
    for (int j = 0; j < e->n; j++) {
        if (!e->varies[j]) continue;
        const cnode *c = e->t[j];
        adac_dev_bound self = cnode_deviation(c, w, h);
        double first, first_2, tail = 0;
        if (e->diagonal[j]) {
            /* sum_i dT_ii m_i s_i^T: nuclear by the rank-one terms, spectral by
             * ||M|| max |dT_ii| ||S|| */
            first = 0;
            double largest = 0;
            const double *cn = e->col_norm + e->at[j], *rn = e->row_norm + e->at[j];
            for (int i = 0; i < cols(c); i++) {
                double dev = cnode_entry_deviation(c, i, w, h).dev;
                first += dev * cn[i] * rn[i];
                tail += dev * rn[i];
                largest = fmax(largest, dev);
            }
            first_2 = fmin(first, e->ar_norm[j] * largest * e->s_norm[j]);
        } else {
            first = e->ar_norm[j] * self.dev * e->s_norm[j];
            first_2 = first;
            tail = self.dev * e->s_norm[j];
        }
        /* D A^-1 (R_j(w') - R_j(w)) dT_j S_j D^-1 */
        double second = 0;
        if (j + 1 < e->n) {
            adac_dev_bound later = cnode_chain_deviation(e->t + j + 1, e->n - j - 1, w, h);
            if (later.dev > 0) second = e->scaled_inv_norm * later.dev * tail;
        }
        r.nuclear += first + second;
        r.spectral += first_2 + second;
    }
    if (isnan(r.nuclear) || isnan(r.spectral)) r.nuclear = r.spectral = INFINITY;
    return r;
}

/* A step is proven when every eigenvalue of X stays inside the unit disc
 * (spectral bound < 1: det(I + X) cannot vanish) and the phase, at most
 * sum asin|mu_i| <= (pi/2) sum |mu_i| <= (pi/2) nuclear, stays below pi: the
 * principal value of the phase change is the change. With margins for rounding. */
static const double spectral_budget = 0.9, nuclear_budget = 1.8;

static double step_excess(step_size s)
{
    return fmax(s.spectral / spectral_budget, s.nuclear / nuclear_budget);
}

/* A lower bound on |det(I + X)| = prod |1 + mu_i|: sum |mu_i| <= nuclear with each
 * |mu_i| <= spectral, so prod (1 - |mu_i|) >= (1 - spectral)^ceil(nuclear / spectral). */
static double det_factor_lower(step_size s)
{
    if (s.nuclear <= 0) return 1;
    return fmax(1 - s.nuclear, pow(1 - s.spectral, ceil(s.nuclear / s.spectral)));
}

static double wrap_pi(double a)
{
    a = fmod(a + M_PI, 2 * M_PI);
    if (a < 0) a += 2 * M_PI;
    return a - M_PI;
}

adac_nyquist adac_nyquist_count(const cnode *const *items, int n, long max_steps)
{
    double t0 = now();
    adac_nyquist r = {0, 0, 0, 0, 0, INFINITY, 0, INFINITY, 0, ""};
    loop_eval e = {0};
    point p, q;
    double w = 0, h = 1e-3, turned = 0;
    if (!setup(&e, items, n)) {
        snprintf(r.why, sizeof r.why, "out of memory");
        goto done;
    }
    if (!evaluate(&e, M_PI, &q)) {
        snprintf(r.why, sizeof r.why, "det(I - L) vanishes at fs/2 (a pole on the unit circle)");
        goto done;
    }
    if (!evaluate(&e, 0, &p)) {
        snprintf(r.why, sizeof r.why, "det(I - L) vanishes at 0 Hz (a pole on the unit circle)");
        goto done;
    }
    /* On the real axis D is real, continuous for |z| >= 1 and 1 at infinity
     * (every loop holds delay): negative at z = 1 or z = -1, it crosses 0 on the
     * way out, a real closed-loop pole beyond the circle. No count needed. */
    for (int end = 0; end < 2; end++) {
        const point *at = end ? &q : &p;
        /* The sign is sure when rounding in the factors (relative k eps cond(A)) is far below 1. */
        if (cos(at->arg) < -0.5 && at->rcond > 1e-8) {
            r.proven = 1;
            r.real_pole = end ? -1 : 1;
            r.unstable_poles = 1;
            r.min_abs_det = exp(at->log_abs);
            r.min_abs_det_w = end ? M_PI : 0;
            goto done;
        }
    }
    while (w < M_PI) {
        if (r.steps >= max_steps) {
            snprintf(r.why, sizeof r.why,
                     "the step budget (%ld) ran out at %.4g of fs/2: det(I - L) comes close to 0 or the loop's "
                     "delays are long",
                     max_steps, w / M_PI);
            goto done;
        }
        double here = exp(p.log_abs);
        if (here < r.min_abs_det) r.min_abs_det = here, r.min_abs_det_w = w;
        /* The longest step the bounds allow, starting from twice the last one. */
        h = fmin(2 * h, M_PI);
        step_size used;
        double excess;
        int tries = 0;
        while ((excess = step_excess(used = step_bound(&e, w, h))) > 1) {
            h *= fmax(0.05, 0.95 / excess);
            if (++tries > 60 || h < 1e-15) {
                snprintf(r.why, sizeof r.why,
                         "no step from %.6g rad/sample keeps det(I - L) provably away from 0 (|det| %.3g)", w, here);
                goto done;
            }
        }
        r.min_abs_det_lower = fmin(r.min_abs_det_lower, here * det_factor_lower(used));
        double next = fmin(w + h, M_PI);
        if (!evaluate(&e, next, &q)) {
            snprintf(r.why, sizeof r.why, "det(I - L) vanishes at %.6g rad/sample", next);
            goto done;
        }
        double step = wrap_pi(q.arg - p.arg);
        /* The bound says |step| < (pi/2) nuclear; a larger one is rounding gone wrong. */
        if (fabs(step) > M_PI / 2 * used.nuclear + 1e-6) {
            snprintf(r.why, sizeof r.why, "the phase step at %.6g rad/sample exceeds its bound", w);
            goto done;
        }
        turned += step;
        p = q;
        w = next;
        r.steps++;
    }
    {
        double here = exp(p.log_abs);
        if (here < r.min_abs_det) r.min_abs_det = here, r.min_abs_det_w = w;
    }
    /* D(1) and D(-1) are real: the half turn is a whole number of half turns. */
    double half_turns = turned / M_PI;
    if (fabs(half_turns - round(half_turns)) > 1e-3) {
        snprintf(r.why, sizeof r.why, "the phase over 0..fs/2 is not a multiple of pi (%.6g pi)", half_turns);
        goto done;
    }
    r.proven = 1;
    r.winding = (int)round(half_turns);
    r.unstable_poles = -r.winding;
done:
    release(&e);
    r.seconds = now() - t0;
    return r;
}
