#include "bench_model.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *adac_bench_kind_name(adac_bench_kind k)
{
    switch (k) {
    case ADAC_BENCH_DENSE: return "dense";
    case ADAC_BENCH_HOUSEHOLDER: return "householder";
    case ADAC_BENCH_HADAMARD: return "hadamard";
    case ADAC_BENCH_DIAGONAL: return "diagonal";
    }
    return "?";
}

int adac_bench_kind_parse(const char *name, adac_bench_kind *k)
{
    for (int i = ADAC_BENCH_DENSE; i <= ADAC_BENCH_DIAGONAL; i++)
        if (!strcmp(name, adac_bench_kind_name((adac_bench_kind)i))) {
            *k = (adac_bench_kind)i;
            return 1;
        }
    return 0;
}

int adac_bench_kind_fits(adac_bench_kind k, int n)
{
    return n >= 2 && (k != ADAC_BENCH_HADAMARD || (n & (n - 1)) == 0);
}

/* xorshift64*: reproducible across platforms, unlike rand(). */
static double uniform(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static double gaussian(uint64_t *s)
{
    double u = uniform(s), v = uniform(s);
    return sqrt(-2.0 * log(u > 0 ? u : 1e-300)) * cos(2.0 * M_PI * v);
}

static int is_prime(long m)
{
    if (m < 2) return 0;
    for (long d = 2; d * d <= m; d++)
        if (m % d == 0) return 0;
    return 1;
}

/* Q of the QR factorisation of a Gaussian matrix: a random orthogonal matrix. */
static int random_orthogonal(int n, uint64_t *s, double *q)
{
    double tau[256];
    /* One core is measured: OpenBLAS's spinning helper threads would share it. */
    openblas_set_num_threads(1);
    for (int i = 0; i < n * n; i++) q[i] = gaussian(s);
    if (LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, n, n, q, n, tau)) return 0;
    return LAPACKE_dorgqr(LAPACK_ROW_MAJOR, n, n, n, q, n, tau) == 0;
}

static cJSON *matrix_json(const double *m, int rows, int cols)
{
    cJSON *a = cJSON_CreateArray();
    for (int r = 0; r < rows; r++) cJSON_AddItemToArray(a, cJSON_CreateDoubleArray(m + (size_t)r * cols, cols));
    return a;
}

static cJSON *leaf(const char *type, const char *model_path)
{
    cJSON *n = cJSON_CreateObject();
    cJSON_AddStringToObject(n, "type", type);
    cJSON_AddStringToObject(n, "model_path", model_path);
    cJSON_AddItemToObject(n, "params", cJSON_CreateObject());
    return n;
}

/* One first-order shelf section per factor, two factors per line: a biquad whose
 * gain runs monotonically from g_dc to g_ny within each factor. */
static void absorption_section(double g_dc, double g_ny, double *sos)
{
    const double poles[2] = {0.35, 0.7};
    double b[2][2], a[2][2];
    for (int f = 0; f < 2; f++) {
        double p = poles[f], gd = sqrt(g_dc), gn = sqrt(g_ny);
        b[f][0] = 0.5 * (gd * (1 - p) + gn * (1 + p));
        b[f][1] = 0.5 * (gd * (1 - p) - gn * (1 + p));
        a[f][0] = 1.0;
        a[f][1] = -p;
    }
    sos[0] = b[0][0] * b[1][0];
    sos[1] = b[0][0] * b[1][1] + b[0][1] * b[1][0];
    sos[2] = b[0][1] * b[1][1];
    sos[3] = 1.0;
    sos[4] = a[0][1] + a[1][1];
    sos[5] = a[0][1] * a[1][1];
}

char *adac_bench_fdn_ir(int n, adac_bench_kind kind, double fs, unsigned seed)
{
    if (!adac_bench_kind_fits(kind, n) || n > 256) return NULL;
    uint64_t s = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed << 17) ^ (uint64_t)n;
    double *m = calloc((size_t)n * n, sizeof *m), *u = calloc(n, sizeof *u);
    double *b = calloc(n, sizeof *b), *c = calloc(n, sizeof *c), *delays = calloc(n, sizeof *delays);
    char *text = NULL;
    cJSON *doc = NULL;
    if (!m || !u || !b || !c || !delays) goto done;

    double norm = 0;
    switch (kind) {
    case ADAC_BENCH_DENSE:
        if (!random_orthogonal(n, &s, m)) goto done;
        break;
    case ADAC_BENCH_HOUSEHOLDER:
        for (int i = 0; i < n; i++) {
            u[i] = gaussian(&s);
            norm += u[i] * u[i];
        }
        for (int i = 0; i < n; i++) u[i] /= sqrt(norm);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i * n + j] = (i == j) - 2.0 * u[i] * u[j];
        break;
    case ADAC_BENCH_HADAMARD: {
        /* Sylvester order, as FLAMO's HadamardMatrix builds it. */
        double scale = 1.0;
        for (int k = 1; k < n; k *= 2) scale /= sqrt(2.0);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i * n + j] = (__builtin_popcount(i & j) & 1) ? -scale : scale;
        break;
    }
    case ADAC_BENCH_DIAGONAL:
        break;
    }
    for (int i = 0; i < n; i++) {
        b[i] = gaussian(&s) / sqrt(n);
        c[i] = gaussian(&s) / sqrt(n);
    }
    /* Distinct primes spread log-uniformly over 12..45 ms, so loops are longer
     * than any usual block. */
    for (int i = 0; i < n; i++) {
        double target = fs * 0.012 * pow(45.0 / 12.0, (i + uniform(&s)) / n);
        long d = (long)target;
        for (;;) {
            int clash = 0;
            for (int j = 0; j < i; j++) clash |= delays[j] == (double)d;
            if (is_prime(d) && !clash) break;
            d++;
        }
        delays[i] = (double)d;
    }

    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "format", "adac-ir");
    cJSON_AddNumberToObject(doc, "version", 1);
    char name[64];
    snprintf(name, sizeof name, "BenchFDN%d_%s", n, adac_bench_kind_name(kind));
    cJSON_AddStringToObject(doc, "name", name);
    cJSON_AddNumberToObject(doc, "fs", fs);

    cJSON *root = cJSON_CreateObject(), *children = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "type", "series");
    cJSON_AddItemToObject(root, "children", children);
    cJSON_AddItemToObject(doc, "graph", root);

    cJSON *in = leaf("gain", "fdn.input_gain");
    cJSON_AddItemToObject(cJSON_GetObjectItem(in, "params"), "matrix", matrix_json(b, n, 1));
    cJSON_AddItemToArray(children, in);

    cJSON *loop = cJSON_CreateObject(), *ff = cJSON_CreateObject(), *ff_children = cJSON_CreateArray();
    cJSON_AddStringToObject(loop, "type", "recursion");
    cJSON_AddStringToObject(loop, "model_path", "fdn.loop");
    cJSON_AddStringToObject(ff, "type", "series");
    cJSON_AddItemToObject(ff, "children", ff_children);
    cJSON *dl = leaf("parallel_delay", "fdn.loop.delays");
    cJSON_AddItemToObject(cJSON_GetObjectItem(dl, "params"), "samples", cJSON_CreateDoubleArray(delays, n));
    cJSON_AddItemToArray(ff_children, dl);
    cJSON *absorb = leaf("parallel_sos", "fdn.loop.absorption"), *sections = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        double sos[6];
        double g_dc = pow(10.0, -3.0 * delays[i] / (2.0 * fs)), g_ny = pow(10.0, -3.0 * delays[i] / (0.5 * fs));
        absorption_section(g_dc, g_ny, sos);
        cJSON *line = cJSON_CreateArray();
        cJSON_AddItemToArray(line, cJSON_CreateDoubleArray(sos, 6));
        cJSON_AddItemToArray(sections, line);
    }
    cJSON_AddItemToObject(cJSON_GetObjectItem(absorb, "params"), "sections", sections);
    cJSON_AddItemToArray(ff_children, absorb);
    cJSON_AddItemToObject(loop, "fF", ff);

    cJSON *fb = leaf(kind == ADAC_BENCH_DIAGONAL ? "parallel_gain" : "gain", "fdn.loop.feedback");
    cJSON *fb_params = cJSON_GetObjectItem(fb, "params");
    if (kind == ADAC_BENCH_DIAGONAL) {
        for (int i = 0; i < n; i++) m[i] = 1.0;
        cJSON_AddItemToObject(fb_params, "gains", cJSON_CreateDoubleArray(m, n));
    } else {
        cJSON_AddItemToObject(fb_params, "matrix", matrix_json(m, n, n));
    }
    if (kind == ADAC_BENCH_HOUSEHOLDER) {
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "kind", "householder");
        cJSON_AddItemToObject(st, "u", cJSON_CreateDoubleArray(u, n));
        cJSON_AddItemToObject(fb_params, "structure", st);
    } else if (kind == ADAC_BENCH_HADAMARD) {
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "kind", "hadamard");
        cJSON_AddItemToObject(fb_params, "structure", st);
    }
    cJSON_AddItemToObject(loop, "fB", fb);
    cJSON_AddItemToArray(children, loop);

    cJSON *out = leaf("gain", "fdn.output_gain");
    cJSON_AddItemToObject(cJSON_GetObjectItem(out, "params"), "matrix", matrix_json(c, 1, n));
    cJSON_AddItemToArray(children, out);
    text = cJSON_Print(doc);

done:
    cJSON_Delete(doc);
    free(m);
    free(u);
    free(b);
    free(c);
    free(delays);
    return text;
}
