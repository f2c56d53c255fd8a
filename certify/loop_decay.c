#include "loop_decay.h"

#include "loop_model.h"

#include <math.h>
#include <stdlib.h>

#define GRID 1024

/* Column norms |L(w) e_i| of the loop at w; 0 if it has no response there. */
static int column_gains(const cnode *ff, const cnode *fb, double w, int n, int k, cplx *F, cplx *B, cplx *L,
                        double *h)
{
    if (!cnode_response(ff, w, F) || !cnode_response(fb, w, B)) return 0;
    cm_mul(B, F, L, n, k, n); /* fB (n x k) fF (k x n) */
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int r = 0; r < n; r++) s += creal(L[r * n + i]) * creal(L[r * n + i]) + cimag(L[r * n + i]) * cimag(L[r * n + i]);
        h[i] = sqrt(s);
    }
    return 1;
}

int adac_loop_decay_measure(const adac_node *recursion, const adac_node *lines, double fs, adac_loop_decay *out)
{
    const adac_node *f = recursion->children[0], *b = recursion->children[1];
    int n = f->n_in, k = f->n_out;
    cnode *ff = cnode_build(f, 0, NULL, NULL, 0), *fb = cnode_build(b, 0, NULL, NULL, 0);
    cplx *F = malloc((size_t)k * n * sizeof *F), *B = malloc((size_t)n * k * sizeof *B);
    cplx *L = malloc((size_t)n * n * sizeof *L);
    double *h = malloc((size_t)n * sizeof *h), *hmax = calloc((size_t)n, sizeof *hmax);
    int ok = ff && fb && F && B && L && h && hmax;
    double total_m = 0;
    for (int i = 0; ok && i < n; i++) total_m += lines->delay[i];
    /* Mid band: the mean decay rate at 500 Hz, 1 kHz and 2 kHz (those below Nyquist). */
    const double mid_hz[3] = {500, 1000, 2000};
    double rate = 0;
    int used = 0;
    for (int j = 0; ok && j < 3; j++) {
        if (mid_hz[j] >= fs / 2) continue;
        if (!(ok = column_gains(ff, fb, 2 * M_PI * mid_hz[j] / fs, n, k, F, B, L, h))) break;
        double log_sum = 0;
        for (int i = 0; i < n; i++) log_sum += log10(fmax(h[i], 1e-300));
        rate += log_sum / total_m;
        used++;
    }
    if (ok && used == 0) { /* a very low fs: the middle of its band */
        ok = column_gains(ff, fb, M_PI / 2, n, k, F, B, L, h);
        for (int i = 0; ok && i < n; i++) rate += log10(fmax(h[i], 1e-300)) / total_m;
        used = 1;
    }
    if (ok) {
        rate /= used; /* log10 of the decay per sample */
        out->t60 = rate < -1e-15 ? -3.0 / (fs * rate) : INFINITY;
        /* The slowest-decaying frequency of each line bounds how far rt60 may push. */
        for (int g = 0; ok && g <= GRID; g++) {
            if (!(ok = column_gains(ff, fb, M_PI * g / GRID, n, k, F, B, L, h))) break;
            for (int i = 0; i < n; i++) hmax[i] = fmax(hmax[i], h[i]);
        }
        out->x_min = -INFINITY;
        for (int i = 0; ok && i < n; i++)
            out->x_min = fmax(out->x_min, fs * log10(fmax(hmax[i], 1e-300)) / (3.0 * lines->delay[i]));
    }
    cnode_free(ff);
    cnode_free(fb);
    free(F);
    free(B);
    free(L);
    free(h);
    free(hmax);
    return ok;
}
