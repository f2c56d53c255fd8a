#include "mix_alone.h"
#include "bench_clock.h"

#include "engine.h"
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One slice of the engine (engine.h) per channel, rows back to back as its
 * buses hold them. */
#define SLICE_BYTES ADAC_SLICE_BYTES
#define BLOCK(single) (SLICE_BYTES / (int)((single) ? sizeof(float) : sizeof(double)))

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
    const int block = BLOCK(single);
    for (int c = 0; c < n; c++) {
        in[c] = (char *)in_mem + (size_t)c * SLICE_BYTES;
        out[c] = (char *)out_mem + (size_t)c * SLICE_BYTES;
    }
    double best = 0;
    for (int t = 0; t < 10; t++) {
        long blocks = 0;
        double t0 = adac_bench_now_s(), t1 = t0;
        while (t1 - t0 < seconds / 10) {
            for (int k = 0; k < 16; k++, blocks++) {
                if (single)
                    adac_engine_process_float(e, (const float *const *)in, (float *const *)out, block);
                else
                    adac_engine_process(e, (const double *const *)in, (double *const *)out, block);
            }
            t1 = adac_bench_now_s();
        }
        double rate = blocks * (double)block / (t1 - t0);
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
    /* One slice per channel in each precision; the same noise values. */
    size_t bytes = (size_t)n * SLICE_BYTES;
    double *in = calloc(1, bytes), *res = calloc(1, bytes);
    float *in_f = calloc(1, bytes), *res_f = calloc(1, bytes);
    int ok = ir && in && res && in_f && res_f;
    for (size_t k = 0; ok && k < bytes / sizeof *in_f; k++) {
        double v = (double)((k * 2654435761u) % 1000) / 500.0 - 1.0;
        in_f[k] = (float)v;
        if (k < bytes / sizeof *in) in[k] = v;
    }
    for (int single = 0; ok && single <= 1; single++) {
        adac_engine *e = adac_engine_from_json(ir, NULL, BLOCK(single),
                                               single ? ADAC_PRECISION_SINGLE : ADAC_PRECISION_DOUBLE, err, sizeof err);
        if (!e) {
            ok = 0;
            break;
        }
        double rate = single ? best_rate(e, n, seconds, 1, in_f, res_f) : best_rate(e, n, seconds, 0, in, res);
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
    free(in_f);
    free(res_f);
    return ok;
}
