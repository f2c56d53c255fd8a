#include "scaled_gain.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* |E|, n_out x n_in, row-major; 0 when the element is not of a kind taken. */
static int magnitude_matrix(const cnode *c, double *out)
{
    const adac_node *n = c->node;
    int ni = n->n_in, no = n->n_out;
    memset(out, 0, (size_t)ni * no * sizeof *out);
    switch (n->type) {
    case ADAC_NODE_GAIN:
        for (int e = 0; e < no * ni; e++) out[e] = fabs(c->matrix[e]);
        return 1;
    case ADAC_NODE_PARALLEL_GAIN:
        for (int e = 0; e < n->n_entries; e++) out[(size_t)e * ni + e] = fabs(c->matrix[e]);
        return 1;
    case ADAC_NODE_DELAY:
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_DELAY:
    case ADAC_NODE_PARALLEL_FIR: {
        int parallel = n->type == ADAC_NODE_PARALLEL_DELAY || n->type == ADAC_NODE_PARALLEL_FIR;
        for (int e = 0; e < n->n_entries; e++) {
            double s = 0;
            for (int k = 0; k < n->tap_count[e]; k++) s += fabs(c->tap_gain[(size_t)e * n->tap_stride + k]);
            out[parallel ? (size_t)e * ni + e : (size_t)e] = s;
        }
        return 1;
    }
    case ADAC_NODE_SOS:
    case ADAC_NODE_PARALLEL_SOS: /* each filter by its peak over all frequencies */
        for (int e = 0; e < n->n_entries; e++)
            out[n->type == ADAC_NODE_PARALLEL_SOS ? (size_t)e * ni + e : (size_t)e] = cnode_entry_peak(c, e);
        return 1;
    default:
        return 0;
    }
}

/* out = a (r x k) * b (k x c), all non-negative */
static void multiply(const double *a, const double *b, double *out, int r, int k, int c)
{
    for (int i = 0; i < r; i++)
        for (int j = 0; j < c; j++) {
            double s = 0;
            for (int t = 0; t < k; t++) s += a[(size_t)i * k + t] * b[(size_t)t * c + j];
            out[(size_t)i * c + j] = s;
        }
}

/* rho(M), from its eigenvalues (a report, not part of the proof). */
static double spectral_radius(const double *m, int ch)
{
    double *a = malloc((size_t)ch * ch * sizeof *a), *wr = malloc((size_t)ch * sizeof *wr);
    double *wi = malloc((size_t)ch * sizeof *wi), rho = NAN;
    if (a && wr && wi) {
        memcpy(a, m, (size_t)ch * ch * sizeof *a);
        if (LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', ch, a, ch, wr, wi, NULL, 1, NULL, 1) == 0) {
            rho = 0;
            for (int i = 0; i < ch; i++) rho = fmax(rho, hypot(wr[i], wi[i]));
        }
    }
    free(a);
    free(wr);
    free(wi);
    return rho;
}

adac_scaled_gain adac_scaled_gain_bound(const cnode *const *items, int n, int ch)
{
    adac_scaled_gain r = {0, INFINITY, NAN, ""};
    size_t cap = 0;
    for (int i = 0; i < n; i++) {
        size_t sz = (size_t)items[i]->node->n_in * items[i]->node->n_out;
        if (sz > cap) cap = sz;
    }
    if ((size_t)ch * ch > cap) cap = (size_t)ch * ch;
    double *m = calloc((size_t)ch * ch, sizeof *m), *e = malloc(cap * sizeof *e), *t = malloc(cap * sizeof *t);
    double *a = malloc((size_t)ch * ch * sizeof *a), *v = malloc((size_t)ch * sizeof *v);
    lapack_int *piv = malloc((size_t)ch * sizeof *piv);
    if (!m || !e || !t || !a || !v || !piv) {
        snprintf(r.not_applicable, sizeof r.not_applicable, "out of memory");
        goto done;
    }
    for (int i = 0; i < ch; i++) m[(size_t)i * ch + i] = 1;
    int rows = ch; /* m: rows x ch so far (the product of the elements seen) */
    for (int i = 0; i < n; i++) {
        const adac_node *node = items[i]->node;
        if (!magnitude_matrix(items[i], e)) {
            snprintf(r.not_applicable, sizeof r.not_applicable, "%s is a nested structure", node->json_path);
            goto done;
        }
        multiply(e, m, t, node->n_out, rows, ch);
        rows = node->n_out;
        memcpy(m, t, (size_t)rows * ch * sizeof *m);
    }
    r.applies = 1;
    r.perron_hint = spectral_radius(m, ch);
    /* v = (I - M)^-1 1 */
    for (int i = 0; i < ch; i++) {
        v[i] = 1;
        for (int j = 0; j < ch; j++) a[(size_t)i * ch + j] = (i == j) - m[(size_t)i * ch + j];
    }
    if (LAPACKE_dgesv(LAPACK_ROW_MAJOR, ch, 1, a, ch, piv, v, 1) != 0) goto done;
    double bound = 0;
    for (int i = 0; i < ch; i++) {
        if (!(v[i] > 0)) goto done; /* rho(M) >= 1, or the solve failed: no certificate */
        double mv = 0;
        for (int j = 0; j < ch; j++) mv += m[(size_t)i * ch + j] * v[j];
        bound = fmax(bound, mv / v[i]);
    }
    r.bound = bound;
done:
    free(m);
    free(e);
    free(t);
    free(a);
    free(v);
    free(piv);
    return r;
}
