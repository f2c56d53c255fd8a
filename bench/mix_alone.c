#include "mix_alone.h"
#include "bench_clock.h"

#include "engine.h"
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 64 /* one slice of the engine, rows back to back as its buses hold them */

/* An orthogonal-looking dense matrix is not needed: any finite gains cost the same. */
static char *gain_ir(int n)
{
    size_t cap = (size_t)n * n * 24 + 256, len = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    len += (size_t)snprintf(s + len, cap - len,
                            "{\"format\": \"adac-ir\", \"version\": 1, \"fs\": 48000, \"graph\": "
                            "{\"type\": \"gain\", \"params\": {\"matrix\": [");
    for (int o = 0; o < n; o++) {
        len += (size_t)snprintf(s + len, cap - len, "%s[", o ? ", " : "");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(s + len, cap - len, "%s%.6f", i ? ", " : "", ((o * 7 + i * 13) % 17 - 8) / 17.0);
        len += (size_t)snprintf(s + len, cap - len, "]");
    }
    snprintf(s + len, cap - len, "]}}}");
    return s;
}

/* Best samples per second of `tries` runs of about seconds / tries each. */
static double best_rate(adac_engine *e, int n, double seconds, int single, void *in_mem, void *out_mem)
{
    void *in[256], *out[256];
    size_t size = single ? sizeof(float) : sizeof(double);
    for (int c = 0; c < n; c++) {
        in[c] = (char *)in_mem + (size_t)c * BLOCK * size;
        out[c] = (char *)out_mem + (size_t)c * BLOCK * size;
    }
    double best = 0;
    for (int t = 0; t < 10; t++) {
        long blocks = 0;
        double t0 = adac_bench_now_s(), t1 = t0;
        while (t1 - t0 < seconds / 10) {
            for (int k = 0; k < 16; k++, blocks++) {
                if (single)
                    adac_engine_process_float(e, (const float *const *)in, (float *const *)out, BLOCK);
                else
                    adac_engine_process(e, (const double *const *)in, (double *const *)out, BLOCK);
            }
            t1 = adac_bench_now_s();
        }
        double rate = blocks * (double)BLOCK / (t1 - t0);
        if (rate > best) best = rate;
    }
    return best;
}

int adac_mix_alone_measure(int n, double seconds, adac_mix_alone *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n < 1 || n > 256) return 0;
    char *ir = gain_ir(n), err[256];
    double *in = calloc((size_t)n * BLOCK, sizeof *in), *res = calloc((size_t)n * BLOCK, sizeof *res);
    int ok = ir && in && res;
    for (size_t k = 0; ok && k < (size_t)n * BLOCK; k++) in[k] = (double)((k * 2654435761u) % 1000) / 500.0 - 1.0;
    for (int single = 0; ok && single <= 1; single++) {
        adac_engine *e = adac_engine_from_json(ir, NULL, BLOCK, single ? ADAC_PRECISION_SINGLE : ADAC_PRECISION_DOUBLE,
                                               err, sizeof err);
        if (!e) {
            ok = 0;
            break;
        }
        if (single) /* the same noise as floats, in the first half of the buffer */
            for (size_t k = 0; k < (size_t)n * BLOCK; k++) ((float *)res)[k] = (float)in[k];
        double rate = single ? best_rate(e, n, seconds, 1, res, (float *)res + (size_t)n * BLOCK)
                             : best_rate(e, n, seconds, 0, in, res);
        double gflops = rate * (2.0 * n - 1) * n / 1e9; /* as bench/model_flops.c counts a dense gain */
        if (single)
            out->single_gflops = gflops;
        else
            out->double_gflops = gflops;
        adac_engine_free(e);
    }
    free(ir);
    free(in);
    free(res);
    return ok;
}
