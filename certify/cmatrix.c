#include "cmatrix.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cm_mul(const cplx *a, const cplx *b, cplx *c, int m, int k, int n)
{
    /* In real arithmetic, row by row (C99's complex product checks for
     * infinities on every multiply; these matrices are finite). */
    const double *ar = (const double *)a, *br = (const double *)b;
    double *cr = (double *)c;
    for (int i = 0; i < m; i++) {
        double *row = cr + 2 * (size_t)i * n;
        for (int j = 0; j < 2 * n; j++) row[j] = 0;
        for (int t = 0; t < k; t++) {
            double x = ar[2 * ((size_t)i * k + t)], y = ar[2 * ((size_t)i * k + t) + 1];
            const double *brow = br + 2 * (size_t)t * n;
            for (int j = 0; j < n; j++) {
                double u = brow[2 * j], v = brow[2 * j + 1];
                row[2 * j] += x * u - y * v;
                row[2 * j + 1] += x * v + y * u;
            }
        }
    }
}

int rm_sv_extremes(const double *a, int m, int n, double *smax, double *smin)
{
    int k = m < n ? m : n;
    double *copy = malloc((size_t)m * n * sizeof *copy), *s = malloc(k * sizeof *s), *work = malloc(k * sizeof *work);
    int ok = copy && s && work;
    if (ok) {
        memcpy(copy, a, (size_t)m * n * sizeof *copy);
        ok = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', m, n, copy, n, s, NULL, 1, NULL, 1, work) == 0;
    }
    if (ok) {
        *smax = s[0];
        *smin = s[k - 1];
    }
    free(copy);
    free(s);
    free(work);
    return ok;
}

int cm_sv_extremes(const cplx *a, int m, int n, double *smax, double *smin)
{
    int k = m < n ? m : n;
    lapack_complex_double *copy = malloc((size_t)m * n * sizeof *copy);
    double *s = malloc(k * sizeof *s), *work = malloc(k * sizeof *work);
    int ok = copy && s && work;
    if (ok) {
        memcpy(copy, a, (size_t)m * n * sizeof *copy);
        ok = LAPACKE_zgesvd(LAPACK_ROW_MAJOR, 'N', 'N', m, n, copy, n, s, NULL, 1, NULL, 1, work) == 0;
    }
    if (ok) {
        *smax = s[0];
        *smin = s[k - 1];
    }
    free(copy);
    free(s);
    free(work);
    return ok;
}

int cm_log_det(cplx *a, int n, double *log_abs, double *arg)
{
    lapack_int *piv = malloc(n * sizeof *piv);
    if (!piv) return 0;
    lapack_int info = LAPACKE_zgetrf(LAPACK_ROW_MAJOR, n, n, (lapack_complex_double *)a, n, piv);
    int ok = info == 0;
    double la = 0, ph = 0;
    for (int i = 0; ok && i < n; i++) {
        cplx u = a[i * n + i];
        la += log(cabs(u));
        ph += carg(u);
        if (piv[i] != i + 1) ph += M_PI;
    }
    free(piv);
    *log_abs = la;
    *arg = ph;
    return ok;
}

int cm_solve(cplx *a, cplx *b, int n, int nrhs)
{
    lapack_int *piv = malloc(n * sizeof *piv);
    if (!piv) return 0;
    int ok = LAPACKE_zgesv(LAPACK_ROW_MAJOR, n, nrhs, (lapack_complex_double *)a, n, piv,
                           (lapack_complex_double *)b, nrhs) == 0;
    free(piv);
    return ok;
}
