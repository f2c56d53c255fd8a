/* Small dense complex matrices for the certificate: row-major, allocated by the
 * caller. Singular values and determinants through LAPACKE. */
#ifndef ADAC_CMATRIX_H
#define ADAC_CMATRIX_H

#include <complex.h>

typedef double complex cplx;

/* c (m x n) = a (m x k) * b (k x n); c must not alias a or b. */
void cm_mul(const cplx *a, const cplx *b, cplx *c, int m, int k, int n);
/* Largest and smallest singular value of a real (m x n) matrix; 0 on failure. */
int rm_sv_extremes(const double *a, int m, int n, double *smax, double *smin);
int cm_sv_extremes(const cplx *a, int m, int n, double *smax, double *smin);
/* det(a) of an n x n matrix as log|det| and arg(det); a is overwritten.
 * Returns 0 when a is exactly singular. */
int cm_log_det(cplx *a, int n, double *log_abs, double *arg);
/* Solves a x = b for x (n x nrhs) in place of b; a is overwritten. 0 if singular. */
int cm_solve(cplx *a, cplx *b, int n, int nrhs);

#endif
