/* JSON IR loader: parses, validates and builds the graph in one pass. Every error
 * message starts with the JSON path of what is wrong. */
#include "graph.h"

#include "json_doc.h"
#include "lagrange.h"
#include "text_escape.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *err;
    size_t err_len;
} load_ctx;

static int fail(load_ctx *c, const char *path, const char *fmt, ...)
{
    int k = snprintf(c->err, c->err_len, "%s: ", path);
    if (k < 0 || (size_t)k >= c->err_len) return 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + k, c->err_len - (size_t)k, fmt, ap);
    va_end(ap);
    return 0;
}

static char *path_join(const char *base, const char *fmt, ...)
{
    char tail[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail, sizeof tail, fmt, ap);
    va_end(ap);
    size_t n = strlen(base) + strlen(tail) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s", base, tail);
    return p;
}

static char *dup_str(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void node_free(adac_node *n)
{
    if (!n) return;
    for (int i = 0; i < n->n_children; i++) node_free(n->children[i]);
    free(n->children);
    free(n->json_path);
    free(n->model_path);
    free(n->module);
    free(n->gain);
    free(n->structure_u);
    free(n->delay);
    free(n->tap_count);
    free(n->tap_delay);
    free(n->tap_gain);
    free(n->sos);
    free(n->svf);
    free(n);
}

void adac_graph_free(adac_graph *g)
{
    if (!g) return;
    node_free(g->root);
    free(g->name);
    free(g);
}

static const struct {
    const char *name;
    adac_node_type type;
} node_types[] = {
    {"series", ADAC_NODE_SERIES},
    {"parallel", ADAC_NODE_PARALLEL},
    {"recursion", ADAC_NODE_RECURSION},
    {"shell", ADAC_NODE_SHELL},
    {"gain", ADAC_NODE_GAIN},
    {"parallel_gain", ADAC_NODE_PARALLEL_GAIN},
    {"delay", ADAC_NODE_DELAY},
    {"parallel_delay", ADAC_NODE_PARALLEL_DELAY},
    {"sos", ADAC_NODE_SOS},
    {"parallel_sos", ADAC_NODE_PARALLEL_SOS},
    {"fir", ADAC_NODE_FIR},
    {"parallel_fir", ADAC_NODE_PARALLEL_FIR},
};

const char *adac_node_type_name(adac_node_type t)
{
    for (size_t i = 0; i < sizeof node_types / sizeof node_types[0]; i++)
        if (node_types[i].type == t) return node_types[i].name;
    return "?";
}

int adac_node_is_leaf(const adac_node *n)
{
    return n->type >= ADAC_NODE_GAIN;
}

int adac_node_has_taps(const adac_node *n)
{
    return n->type == ADAC_NODE_DELAY || n->type == ADAC_NODE_PARALLEL_DELAY ||
           n->type == ADAC_NODE_FIR || n->type == ADAC_NODE_PARALLEL_FIR;
}

void adac_node_describe(const adac_node *n, char *buf, size_t len)
{
    char kind[128], where[256];
    adac_escape_terminal(n->module ? n->module : adac_node_type_name(n->type), kind, sizeof kind);
    if (n->model_path)
        snprintf(buf, len, "%s '%s'", kind, adac_escape_terminal(n->model_path, where, sizeof where));
    else
        snprintf(buf, len, "%s at %s", kind, n->json_path);
}

/* ---- numeric arrays ------------------------------------------------------ */

static int read_number(load_ctx *c, const cJSON *v, const char *path, double *out)
{
    if (!cJSON_IsNumber(v)) return fail(c, path, "expected a number");
    double x = v->valuedouble;
    if (!isfinite(x)) return fail(c, path, "value is not finite (%g)", x);
    *out = x;
    return 1;
}

/* An array of exactly `want` numbers (want < 0: any length >= 1, returned in *got). */
static int read_vector(load_ctx *c, const cJSON *arr, const char *path, int want,
                       double *dst, int *got, const char *what)
{
    if (!cJSON_IsArray(arr)) return fail(c, path, "expected an array of %s", what);
    int n = cJSON_GetArraySize(arr);
    if (want >= 0 && n != want)
        return fail(c, path, "has %d entries, expected %d", n, want);
    if (n == 0) return fail(c, path, "is empty");
    if (want < 0 && n > ADAC_MAX_CHANNELS)
        return fail(c, path, "has %d entries: more than %d channels (docs/security.md)", n, ADAC_MAX_CHANNELS);
    if (got) *got = n;
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        char p[512];
        snprintf(p, sizeof p, "%s[%d]", path, i);
        if (!read_number(c, v, p, &dst[i])) return 0;
        i++;
    }
    return 1;
}

/* A matrix given as rows: out rows of in entries. Fills rows x cols (row major). */
static double *read_matrix(load_ctx *c, const cJSON *arr, const char *path, int *rows,
                           int *cols)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        fail(c, path, "expected a non-empty array of rows");
        return NULL;
    }
    int r = cJSON_GetArraySize(arr);
    const cJSON *first = arr->child;
    if (!cJSON_IsArray(first) || cJSON_GetArraySize(first) == 0) {
        fail(c, path, "row 0 is not a non-empty array");
        return NULL;
    }
    int k = cJSON_GetArraySize(first);
    if (r > ADAC_MAX_CHANNELS || k > ADAC_MAX_CHANNELS) {
        fail(c, path, "%d x %d: more than %d channels (docs/security.md)", r, k, ADAC_MAX_CHANNELS);
        return NULL;
    }
    double *m = calloc((size_t)r * k, sizeof *m);
    if (!m) {
        fail(c, path, "out of memory");
        return NULL;
    }
    int i = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, arr)
    {
        char p[512];
        snprintf(p, sizeof p, "%s[%d]", path, i);
        if (!cJSON_IsArray(row)) {
            fail(c, p, "expected an array (row %d)", i);
            free(m);
            return NULL;
        }
        if (cJSON_GetArraySize(row) != k) {
            fail(c, path, "row %d has %d entries, expected %d", i, cJSON_GetArraySize(row), k);
            free(m);
            return NULL;
        }
        if (!read_vector(c, row, p, k, m + (size_t)i * k, NULL, "numbers")) {
            free(m);
            return NULL;
        }
        i++;
    }
    *rows = r;
    *cols = k;
    return m;
}

static int check_delay(load_ctx *c, const char *path, double x)
{
    if (x < 0) return fail(c, path, "negative delay (%g samples); delays must be >= 0", x);
    if (x > ADAC_MAX_DELAY_SAMPLES)
        return fail(c, path, "delay of %g samples is longer than the limit of %d samples (docs/security.md)",
                    x, ADAC_MAX_DELAY_SAMPLES);
    return 1;
}

/* Reads params.interpolation ({"method": "lagrange", "order": N}); absent means the
 * default order. Only consulted when an entry is fractional. */
static int read_interpolation(load_ctx *c, const cJSON *params, const char *pp, int *order)
{
    *order = ADAC_LAGRANGE_DEFAULT_ORDER;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(params, "interpolation");
    if (!in) return 1;
    char p[600];
    snprintf(p, sizeof p, "%s.interpolation", pp);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(in, "method");
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(in, "order");
    if (!cJSON_IsObject(in) || !cJSON_IsString(m) || strcmp(m->valuestring, "lagrange") != 0)
        return fail(c, p, "expected {\"method\": \"lagrange\", \"order\": N}");
    if (o) {
        if (!cJSON_IsNumber(o) || !(o->valuedouble >= 1 && o->valuedouble <= ADAC_LAGRANGE_MAX_ORDER) ||
            o->valuedouble != floor(o->valuedouble))
            return fail(c, p, "order must be an integer from 1 to %d", ADAC_LAGRANGE_MAX_ORDER);
        *order = (int)o->valuedouble;
    }
    return 1;
}

static int alloc_taps(adac_node *n, int stride)
{
    n->tap_stride = stride;
    n->tap_count = calloc(n->n_entries, sizeof *n->tap_count);
    n->tap_delay = calloc((size_t)n->n_entries * stride, sizeof *n->tap_delay);
    n->tap_gain = calloc((size_t)n->n_entries * stride, sizeof *n->tap_gain);
    return n->tap_count && n->tap_delay && n->tap_gain;
}

static int build_delay_taps(adac_node *n)
{
    if (!alloc_taps(n, n->interp_order + 1)) return 0;
    for (int e = 0; e < n->n_entries; e++) {
        int64_t start;
        size_t at = (size_t)e * n->tap_stride;
        n->tap_count[e] = adac_lagrange_taps(n->delay[e], n->interp_order, &start, n->tap_gain + at);
        for (int k = 0; k < n->tap_count[e]; k++) n->tap_delay[at + k] = start + k;
    }
    return 1;
}

/* Optional params.gains (same shape as samples): each entry's gain, applied to
 * its taps (FLAMO's GainDelay). */
static int read_delay_gains(load_ctx *c, const cJSON *params, const char *pp, adac_node *n)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(params, "gains");
    if (!g) return 1;
    char p[600];
    snprintf(p, sizeof p, "%s.gains", pp);
    double *gains;
    int ok = 1;
    if (n->type == ADAC_NODE_DELAY) {
        int rows, cols;
        gains = read_matrix(c, g, p, &rows, &cols);
        if (!gains) return 0;
        if (rows != n->n_out || cols != n->n_in)
            ok = fail(c, p, "is %d x %d, expected %d x %d like samples", rows, cols, n->n_out, n->n_in);
    } else {
        gains = calloc(n->n_entries, sizeof *gains);
        ok = gains && read_vector(c, g, p, n->n_entries, gains, NULL, "gains");
    }
    for (int e = 0; ok && e < n->n_entries; e++)
        for (int k = 0; k < n->tap_count[e]; k++) n->tap_gain[(size_t)e * n->tap_stride + k] *= gains[e];
    free(gains);
    return ok;
}

/* FIR coefficients (n_entries x len) as sparse taps: only the non-zero ones, so
 * a sparse filter matrix (velvet noise, scattering) costs what it holds. An
 * all-zero entry is one zero tap at the last position. */
static int build_fir_taps(adac_node *n, const double *coef, int len)
{
    if (!alloc_taps(n, len)) return 0;
    for (int e = 0; e < n->n_entries; e++) {
        size_t at = (size_t)e * len;
        int k = 0;
        for (int t = 0; t < len; t++)
            if (coef[at + t] != 0.0) {
                n->tap_delay[at + k] = t;
                n->tap_gain[at + k] = coef[at + t];
                k++;
            }
        if (k == 0) {
            n->tap_delay[at] = len - 1;
            n->tap_gain[at] = 0.0;
            k = 1;
        }
        n->tap_count[e] = k;
    }
    return 1;
}

/* One entry of a filter block: its JSON value and where it sits. */
typedef struct {
    const cJSON *item;
    int row, col; /* col < 0: a parallel block's entry, [row] */
} entry_ref;

/* The entry's JSON path, made when it is read (errors name it). */
static const char *entry_path(const char *block, const entry_ref *e, char *buf, size_t len)
{
    if (e->col < 0)
        snprintf(buf, len, "%s[%d]", block, e->row);
    else
        snprintf(buf, len, "%s[%d][%d]", block, e->row, e->col);
    return buf;
}

/* The entries of a filter block in entry order: [out][in][...] for a matrix
 * (every row as long as the first), [channel][...] for a parallel block. The
 * whole shape is walked once, in linear time, and checked before anything is
 * sized from it, so a declared shape can never overrun what is allocated. */
static entry_ref *collect_entries(load_ctx *c, const cJSON *s, const char *p, int matrix, int *rows,
                                  int *cols, const char *shape)
{
    if (!cJSON_IsArray(s) || !s->child) {
        fail(c, p, "expected a non-empty array %s", shape);
        return NULL;
    }
    size_t r = 0, k = 1;
    for (const cJSON *row = s->child; row; row = row->next) r++;
    if (matrix) {
        if (!cJSON_IsArray(s->child) || !s->child->child) {
            fail(c, p, "expected %s", shape);
            return NULL;
        }
        k = (size_t)cJSON_GetArraySize(s->child);
    }
    if (r > ADAC_MAX_CHANNELS || k > ADAC_MAX_CHANNELS) {
        fail(c, p, "%zu x %zu entries: more than %d channels (docs/security.md)", r, k, ADAC_MAX_CHANNELS);
        return NULL;
    }
    entry_ref *ent = calloc(r * k, sizeof *ent);
    if (!ent) {
        fail(c, p, "out of memory");
        return NULL;
    }
    size_t e = 0;
    int i = 0;
    for (const cJSON *row = s->child; row; row = row->next, i++) {
        if (!matrix) {
            ent[e++] = (entry_ref){row, i, -1};
            continue;
        }
        size_t got = cJSON_IsArray(row) ? (size_t)cJSON_GetArraySize(row) : 0;
        if (got != k) {
            char q[640];
            snprintf(q, sizeof q, "%s[%d]", p, i);
            if (cJSON_IsArray(row))
                fail(c, p, "row %d has %zu entries, expected %zu", i, got, k);
            else
                fail(c, q, "expected an array of %zu entries", k);
            free(ent);
            return NULL;
        }
        int j = 0;
        for (const cJSON *item = row->child; item; item = item->next, j++) ent[e++] = (entry_ref){item, i, j};
    }
    *rows = (int)r;
    *cols = (int)k;
    return ent;
}

/* Sections of one entry: an array of K arrays [b0 b1 b2 a0 a1 a2]; stored
 * normalised so that a0 = 1. */
static int read_sections(load_ctx *c, const cJSON *arr, const char *path, int *k,
                         double *dst)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return fail(c, path, "expected a non-empty array of sections [b0,b1,b2,a0,a1,a2]");
    int n = cJSON_GetArraySize(arr);
    if (*k > 0 && n != *k) return fail(c, path, "has %d sections, expected %d", n, *k);
    *k = n;
    int s = 0;
    for (const cJSON *item = arr->child; item; item = item->next, s++) {
        char p[768];
        snprintf(p, sizeof p, "%s[%d]", path, s);
        double *sec = dst + 6 * s;
        if (!read_vector(c, item, p, 6, sec, NULL, "coefficients"))
            return 0;
        if (fabs(sec[3]) < 1e-300) return fail(c, p, "a0 is zero; the section is not realisable");
        double a0 = sec[3];
        for (int j = 0; j < 6; j++) sec[j] /= a0;
    }
    return 1;
}

/* One form for the whole leaf, so that a bank runs one kernel across its
 * channels (section_form.h): direct form I where every section's round-off
 * gain is small; otherwise every section as a state-variable filter where each
 * maps to one; otherwise direct form I. */
static int choose_section_form(adac_node *n)
{
    size_t count = (size_t)n->n_entries * n->n_sections, quiet = 0;
    n->section_form = ADAC_SECTIONS_DF1;
    while (quiet < count && adac_df1_noise_gain(n->sos + 6 * quiet) <= ADAC_DF1_MAX_NOISE_GAIN) quiet++;
    if (quiet == count) return 1;
    if (!(n->svf = malloc(count * 6 * sizeof *n->svf))) return 0;
    for (size_t s = 0; s < count; s++)
        if (!adac_section_to_svf(n->sos + 6 * s, n->svf + 6 * s)) {
            free(n->svf);
            n->svf = NULL;
            return 1;
        }
    n->section_form = ADAC_SECTIONS_SVF;
    return 1;
}

/* ---- leaves --------------------------------------------------------------- */

static const cJSON *require(load_ctx *c, const cJSON *obj, const char *key, const char *path)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) fail(c, path, "missing required field \"%s\"", key);
    return v;
}

/* Sylvester-ordered Hadamard sign: H[i][j] = (-1)^popcount(i & j). */
static double hadamard_sign(int i, int j)
{
    return (__builtin_popcount((unsigned)(i & j)) & 1) ? -1.0 : 1.0;
}

/* Optional params.structure of a gain leaf: a fast form of the same matrix. The
 * dense matrix stays the meaning; the structure must reproduce it (1e-9), so a
 * fast path can never run a different model. */
static int read_structure(load_ctx *c, const cJSON *params, const char *pp, adac_node *n)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(params, "structure");
    if (!st) return 1;
    char p[600], q[640];
    snprintf(p, sizeof p, "%s.structure", pp);
    if (!cJSON_IsObject(st)) return fail(c, p, "expected an object with \"kind\"");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(st, "kind");
    snprintf(q, sizeof q, "%s.kind", p);
    if (!cJSON_IsString(kind))
        return fail(c, q, "expected \"householder\" or \"hadamard\"");
    int N = n->n_in;
    if (n->n_out != N)
        return fail(c, p, "a structured matrix must be square (this one is %d x %d)", n->n_out, N);
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(st, "scale");
    snprintf(q, sizeof q, "%s.scale", p);
    if (!strcmp(kind->valuestring, "householder")) {
        n->structure = ADAC_MATRIX_HOUSEHOLDER;
        n->structure_scale = 1.0;
        if (scale && !read_number(c, scale, q, &n->structure_scale)) return 0;
        const cJSON *u = require(c, st, "u", p);
        if (!u) return 0;
        snprintf(q, sizeof q, "%s.u", p);
        if (!(n->structure_u = calloc(N, sizeof *n->structure_u))) return fail(c, p, "out of memory");
        if (!read_vector(c, u, q, N, n->structure_u, NULL, "numbers")) return 0;
        double norm = 0;
        for (int i = 0; i < N; i++) norm += n->structure_u[i] * n->structure_u[i];
        if (!(norm > 0)) return fail(c, q, "is the zero vector");
        for (int i = 0; i < N; i++) n->structure_u[i] /= sqrt(norm);
    } else if (!strcmp(kind->valuestring, "hadamard")) {
        if (N & (N - 1))
            return fail(c, p, "a Hadamard matrix needs a power-of-two size (this one is %d)", N);
        n->structure = ADAC_MATRIX_HADAMARD;
        /* FLAMO's normalisation: one division by sqrt(2) per doubling. */
        n->structure_scale = 1.0;
        for (int k = 1; k < N; k *= 2) n->structure_scale /= sqrt(2.0);
        if (scale && !read_number(c, scale, q, &n->structure_scale)) return 0;
    } else {
        snprintf(q, sizeof q, "%s.kind", p);
        char shown[80];
        return fail(c, q, "unknown structure \"%s\" (expected \"householder\" or \"hadamard\")",
                    adac_escape_terminal(kind->valuestring, shown, sizeof shown));
    }
    double worst = 0, peak = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double want = n->structure == ADAC_MATRIX_HADAMARD
                              ? n->structure_scale * hadamard_sign(i, j)
                              : n->structure_scale * ((i == j) - 2.0 * n->structure_u[i] * n->structure_u[j]);
            double dev = fabs(want - n->gain[(size_t)i * N + j]);
            if (dev > worst) worst = dev;
            if (fabs(want) > peak) peak = fabs(want);
        }
    if (worst > 1e-9 * (peak > 1 ? peak : 1))
        return fail(c, p, "does not reproduce params.matrix (largest difference %.3g): fix the "
                          "matrix or drop the structure", worst);
    return 1;
}

static int load_leaf(load_ctx *c, const cJSON *j, adac_node *n)
{
    char pp[512];
    snprintf(pp, sizeof pp, "%s.params", n->json_path);
    const cJSON *params = require(c, j, "params", n->json_path);
    if (!params) return 0;
    if (!cJSON_IsObject(params)) return fail(c, pp, "expected an object");

    switch (n->type) {
    case ADAC_NODE_GAIN: {
        char p[600];
        snprintf(p, sizeof p, "%s.matrix", pp);
        const cJSON *m = require(c, params, "matrix", pp);
        if (!m) return 0;
        n->gain = read_matrix(c, m, p, &n->n_out, &n->n_in);
        if (!n->gain) return 0;
        n->n_entries = n->n_out * n->n_in;
        return read_structure(c, params, pp, n);
    }
    case ADAC_NODE_PARALLEL_GAIN: {
        char p[600];
        snprintf(p, sizeof p, "%s.gains", pp);
        const cJSON *g = require(c, params, "gains", pp);
        if (!g) return 0;
        int k = cJSON_IsArray(g) ? cJSON_GetArraySize(g) : 0;
        n->gain = calloc(k > 0 ? k : 1, sizeof *n->gain);
        if (!read_vector(c, g, p, -1, n->gain, &n->n_entries, "gains")) return 0;
        n->n_in = n->n_out = n->n_entries;
        return 1;
    }
    case ADAC_NODE_DELAY:
    case ADAC_NODE_PARALLEL_DELAY: {
        char p[600];
        snprintf(p, sizeof p, "%s.samples", pp);
        const cJSON *s = require(c, params, "samples", pp);
        if (!s) return 0;
        if (!read_interpolation(c, params, pp, &n->interp_order)) return 0;
        if (n->type == ADAC_NODE_DELAY) {
            n->delay = read_matrix(c, s, p, &n->n_out, &n->n_in);
            if (!n->delay) return 0;
            n->n_entries = n->n_out * n->n_in;
        } else {
            int k = cJSON_IsArray(s) ? cJSON_GetArraySize(s) : 0;
            n->delay = calloc(k > 0 ? k : 1, sizeof *n->delay);
            if (!read_vector(c, s, p, -1, n->delay, &n->n_entries, "delays in samples")) return 0;
            n->n_in = n->n_out = n->n_entries;
        }
        for (int e = 0; e < n->n_entries; e++) {
            char q[640];
            if (n->type == ADAC_NODE_DELAY)
                snprintf(q, sizeof q, "%s[%d][%d]", p, e / n->n_in, e % n->n_in);
            else
                snprintf(q, sizeof q, "%s[%d]", p, e);
            if (!check_delay(c, q, n->delay[e])) return 0;
        }
        if (!build_delay_taps(n)) return fail(c, p, "out of memory");
        return read_delay_gains(c, params, pp, n);
    }
    case ADAC_NODE_SOS:
    case ADAC_NODE_PARALLEL_SOS: {
        char p[600];
        snprintf(p, sizeof p, "%s.sections", pp);
        const cJSON *s = require(c, params, "sections", pp);
        if (!s) return 0;
        int rows, cols;
        entry_ref *ent = collect_entries(c, s, p, n->type == ADAC_NODE_SOS, &rows, &cols, "[out][in][section][6]");
        if (!ent) return 0;
        n->n_entries = rows * cols;
        /* Sized from the first entry's section count, checked for all. */
        int k0 = cJSON_IsArray(ent[0].item) ? cJSON_GetArraySize(ent[0].item) : 0;
        n->n_sections = k0;
        char q[700];
        int ok = k0 > 0 || fail(c, entry_path(p, &ent[0], q, sizeof q),
                                "expected a non-empty array of sections [b0,b1,b2,a0,a1,a2]");
        if (ok && !(n->sos = calloc((size_t)n->n_entries * k0 * 6, sizeof *n->sos))) ok = fail(c, p, "out of memory");
        for (int e = 0; ok && e < n->n_entries; e++)
            ok = read_sections(c, ent[e].item, entry_path(p, &ent[e], q, sizeof q), &n->n_sections,
                               n->sos + (size_t)e * k0 * 6);
        free(ent);
        n->n_out = rows;
        n->n_in = n->type == ADAC_NODE_SOS ? cols : rows;
        return ok && (choose_section_form(n) || fail(c, p, "out of memory"));
    }
    case ADAC_NODE_FIR:
    case ADAC_NODE_PARALLEL_FIR: {
        char p[600];
        snprintf(p, sizeof p, "%s.taps", pp);
        const cJSON *s = require(c, params, "taps", pp);
        if (!s) return 0;
        int rows, cols;
        entry_ref *ent = collect_entries(c, s, p, n->type == ADAC_NODE_FIR, &rows, &cols, "[out][in][taps]");
        if (!ent) return 0;
        n->n_entries = rows * cols;
        int len = cJSON_IsArray(ent[0].item) ? cJSON_GetArraySize(ent[0].item) : 0;
        char q[700];
        int ok = len > 0 || fail(c, entry_path(p, &ent[0], q, sizeof q), "expected a non-empty array of filter coefficients");
        double *coef = ok ? calloc((size_t)n->n_entries * len, sizeof *coef) : NULL;
        if (ok && !coef) ok = fail(c, p, "out of memory");
        for (int e = 0; ok && e < n->n_entries; e++)
            ok = read_vector(c, ent[e].item, entry_path(p, &ent[e], q, sizeof q), len, coef + (size_t)e * len, NULL,
                             "coefficients");
        free(ent);
        if (ok) {
            n->n_out = rows;
            n->n_in = n->type == ADAC_NODE_FIR ? cols : rows;
            ok = build_fir_taps(n, coef, len) || fail(c, p, "out of memory");
        }
        free(coef);
        return ok;
    }
    default:
        return fail(c, n->json_path, "internal error: not a leaf");
    }
}

/* ---- composites --------------------------------------------------------- */

static adac_node *load_node(load_ctx *c, const cJSON *j, const char *path);

static int add_child(load_ctx *c, adac_node *n, const cJSON *j, const char *path)
{
    adac_node *child = load_node(c, j, path);
    if (!child) return 0;
    n->children[n->n_children++] = child;
    return 1;
}

static int check_series(load_ctx *c, adac_node *n)
{
    for (int i = 0; i + 1 < n->n_children; i++) {
        adac_node *a = n->children[i], *b = n->children[i + 1];
        if (a->n_out != b->n_in) {
            char da[700], db[700];
            adac_node_describe(a, da, sizeof da);
            adac_node_describe(b, db, sizeof db);
            return fail(c, n->json_path,
                        "channel mismatch in series: %s has %d outputs but %s has %d inputs", da,
                        a->n_out, db, b->n_in);
        }
    }
    n->n_in = n->children[0]->n_in;
    n->n_out = n->children[n->n_children - 1]->n_out;
    int64_t lat = 0;
    for (int i = 0; i < n->n_children; i++) lat += n->children[i]->min_latency;
    n->min_latency = lat;
    return 1;
}

static int64_t leaf_min_latency(const adac_node *n)
{
    if (!adac_node_has_taps(n)) return 0;
    int64_t m = INT64_MAX;
    for (int e = 0; e < n->n_entries; e++)
        for (int k = 0; k < n->tap_count[e]; k++)
            if (n->tap_delay[(size_t)e * n->tap_stride + k] < m)
                m = n->tap_delay[(size_t)e * n->tap_stride + k];
    return m;
}

static adac_node *load_node(load_ctx *c, const cJSON *j, const char *path)
{
    if (!cJSON_IsObject(j)) {
        fail(c, path, "expected a node object");
        return NULL;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
    if (!cJSON_IsString(type)) {
        fail(c, path, "missing \"type\" (one of series, parallel, recursion, shell, gain, "
                      "parallel_gain, delay, parallel_delay, sos, parallel_sos)");
        return NULL;
    }
    char *cp = NULL;
    adac_node *n = calloc(1, sizeof *n);
    if (!n) {
        fail(c, path, "out of memory");
        return NULL;
    }
    n->json_path = dup_str(path);
    int found = 0;
    for (size_t i = 0; i < sizeof node_types / sizeof node_types[0]; i++)
        if (strcmp(node_types[i].name, type->valuestring) == 0) {
            n->type = node_types[i].type;
            found = 1;
        }
    if (!found) {
        char shown[80];
        fail(c, path, "unknown node type \"%s\"", adac_escape_terminal(type->valuestring, shown, sizeof shown));
        goto bad;
    }
    const cJSON *mp = cJSON_GetObjectItemCaseSensitive(j, "model_path");
    const cJSON *mod = cJSON_GetObjectItemCaseSensitive(j, "module");
    if (cJSON_IsString(mp)) n->model_path = dup_str(mp->valuestring);
    if (cJSON_IsString(mod)) n->module = dup_str(mod->valuestring);

    switch (n->type) {
    case ADAC_NODE_SERIES:
    case ADAC_NODE_PARALLEL: {
        const cJSON *ch = require(c, j, "children", path);
        if (!ch) goto bad;
        cp = path_join(path, ".children");
        int k = cJSON_IsArray(ch) ? cJSON_GetArraySize(ch) : -1;
        if (k < 1) {
            fail(c, cp, "expected a non-empty array of nodes");
            goto bad;
        }
        if (n->type == ADAC_NODE_PARALLEL && k != 2) {
            fail(c, cp, "a parallel node has exactly 2 children (branch A, branch B), got %d", k);
            goto bad;
        }
        n->children = calloc(k, sizeof *n->children);
        if (!n->children) {
            fail(c, cp, "out of memory");
            goto bad;
        }
        int i = 0;
        for (const cJSON *item = ch->child; item; item = item->next, i++) {
            char *p = path_join(cp, "[%d]", i);
            int ok = p && add_child(c, n, item, p);
            free(p);
            if (!ok) goto bad;
        }
        if (n->type == ADAC_NODE_SERIES) {
            if (!check_series(c, n)) goto bad;
            break;
        }
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive(j, "mode");
        if (mode && !(cJSON_IsString(mode) && (strcmp(mode->valuestring, "sum") == 0 ||
                                                strcmp(mode->valuestring, "concat") == 0))) {
            char *p = path_join(path, ".mode");
            fail(c, p, "expected \"sum\" or \"concat\"");
            free(p);
            goto bad;
        }
        n->concat = mode && strcmp(mode->valuestring, "concat") == 0;
        adac_node *a = n->children[0], *b = n->children[1];
        if (a->n_in != b->n_in) {
            fail(c, path, "channel mismatch in parallel: branch A has %d inputs, branch B has %d",
                 a->n_in, b->n_in);
            goto bad;
        }
        if (!n->concat && a->n_out != b->n_out) {
            fail(c, path,
                 "channel mismatch in parallel (sum): branch A has %d outputs, branch B has %d",
                 a->n_out, b->n_out);
            goto bad;
        }
        n->n_in = a->n_in;
        n->n_out = n->concat ? a->n_out + b->n_out : a->n_out;
        n->min_latency = a->min_latency < b->min_latency ? a->min_latency : b->min_latency;
        break;
    }
    case ADAC_NODE_RECURSION: {
        const cJSON *ff = require(c, j, "fF", path);
        const cJSON *fb = ff ? require(c, j, "fB", path) : NULL;
        if (!ff || !fb) goto bad;
        n->children = calloc(2, sizeof *n->children);
        cp = path_join(path, ".fF");
        if (!add_child(c, n, ff, cp)) goto bad;
        free(cp);
        cp = path_join(path, ".fB");
        if (!add_child(c, n, fb, cp)) goto bad;
        adac_node *f = n->children[0], *b = n->children[1];
        if (f->n_out != b->n_in || b->n_out != f->n_in) {
            fail(c, path,
                 "channel mismatch in recursion: fF is %d in -> %d out, fB is %d in -> %d out "
                 "(fB must map fF's outputs back to fF's inputs)",
                 f->n_in, f->n_out, b->n_in, b->n_out);
            goto bad;
        }
        if (f->min_latency + b->min_latency < 1) {
            char d[700];
            adac_node_describe(n, d, sizeof d);
            fail(c, path,
                 "delay-free loop: %s has no delay around its loop (fF %lld + fB "
                 "%lld samples); a causal system needs at least one sample, e.g. a delay line "
                 "in fF or fB",
                 d, (long long)f->min_latency, (long long)b->min_latency);
            goto bad;
        }
        n->n_in = f->n_in;
        n->n_out = f->n_out;
        n->min_latency = f->min_latency;
        break;
    }
    case ADAC_NODE_SHELL: {
        const cJSON *core = require(c, j, "core", path);
        if (!core) goto bad;
        n->children = calloc(1, sizeof *n->children);
        cp = path_join(path, ".core");
        if (!add_child(c, n, core, cp)) goto bad;
        n->n_in = n->children[0]->n_in;
        n->n_out = n->children[0]->n_out;
        n->min_latency = n->children[0]->min_latency;
        break;
    }
    default:
        if (!load_leaf(c, j, n)) goto bad;
        n->min_latency = leaf_min_latency(n);
        break;
    }
    free(cp);
    cp = NULL;
    if (n->n_in > ADAC_MAX_CHANNELS || n->n_out > ADAC_MAX_CHANNELS) {
        fail(c, path, "%d inputs, %d outputs: more than %d channels (docs/security.md)", n->n_in, n->n_out,
             ADAC_MAX_CHANNELS);
        goto bad;
    }

    /* Optional declared channel counts must agree with what the graph resolves. */
    const char *keys[2] = {"in", "out"};
    int have[2] = {n->n_in, n->n_out};
    for (int k = 0; k < 2; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, keys[k]);
        if (v && (!cJSON_IsNumber(v) || v->valuedouble != (double)have[k])) {
            char *p = path_join(path, ".%s", keys[k]);
            if (cJSON_IsNumber(v))
                fail(c, p, "declares %.17g %s channels but the node has %d", v->valuedouble, keys[k], have[k]);
            else
                fail(c, p, "expected the node's %s channel count, an integer (%d)", keys[k], have[k]);
            free(p);
            goto bad;
        }
    }
    return n;
bad:
    free(cp);
    node_free(n);
    return NULL;
}

/* Delay-line memory the engine will hold for one tap leaf: a line per input,
 * each as long as the longest tap that reads it. */
static double leaf_state_bytes(const adac_node *n)
{
    double bytes = 0;
    for (int line = 0; line < n->n_in; line++)
        bytes += (double)(adac_node_longest_tap(n, line) + 1) * sizeof(double);
    return bytes;
}

int64_t adac_node_longest_tap(const adac_node *n, int line)
{
    int64_t longest = 0;
    for (int e = 0; e < n->n_entries; e++) {
        if (line >= 0 && adac_node_entry_input(n, e) != line) continue;
        for (int k = 0; k < n->tap_count[e]; k++)
            if (n->tap_delay[(size_t)e * n->tap_stride + k] > longest)
                longest = n->tap_delay[(size_t)e * n->tap_stride + k];
    }
    return longest;
}

static void sum_state(const adac_node *n, double *total, const adac_node **largest, double *largest_bytes)
{
    if (adac_node_has_taps(n)) {
        double b = leaf_state_bytes(n);
        *total += b;
        if (b > *largest_bytes) *largest_bytes = b, *largest = n;
    }
    for (int i = 0; i < n->n_children; i++) sum_state(n->children[i], total, largest, largest_bytes);
}

/* Refuses, before any work starts, a model whose delay lines would not fit the
 * memory budget, naming the leaf that holds the most. */
static int check_state_budget(load_ctx *c, const adac_node *root)
{
    double total = 0, largest_bytes = 0;
    const adac_node *largest = NULL;
    sum_state(root, &total, &largest, &largest_bytes);
    if (total <= (double)ADAC_MAX_STATE_BYTES) return 1;
    char d[400];
    adac_node_describe(largest, d, sizeof d);
    return fail(c, largest->json_path,
                "the model's delay lines need %.0f MiB, more than the limit of %zu MiB; %s alone holds "
                "%.0f MiB (shorten its delays; docs/security.md)",
                total / 1048576.0, ADAC_MAX_STATE_BYTES >> 20, d, largest_bytes / 1048576.0);
}

int adac_node_entry_input(const adac_node *n, int e)
{
    return n->type == ADAC_NODE_DELAY || n->type == ADAC_NODE_FIR || n->type == ADAC_NODE_GAIN ||
                   n->type == ADAC_NODE_SOS
               ? e % n->n_in
               : e;
}

adac_graph *adac_graph_load_string(const char *text, char *err, size_t err_len)
{
    return adac_graph_load_text(text, strlen(text), err, err_len);
}

adac_graph *adac_graph_load_text(const char *text, size_t len, char *err, size_t err_len)
{
    load_ctx c = {err, err_len};
    if (err_len) err[0] = 0;
    if (len > ADAC_MAX_DOCUMENT_BYTES) {
        snprintf(err, err_len, "$: a document of %zu bytes is larger than the limit of %zu MiB", len,
                 ADAC_MAX_DOCUMENT_BYTES >> 20);
        return NULL;
    }
    cJSON *doc = adac_json_parse_strict(text, len, err, err_len);
    if (!doc) return NULL;
    adac_graph *g = calloc(1, sizeof *g);
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(doc, "fs");
    const cJSON *graph = cJSON_GetObjectItemCaseSensitive(doc, "graph");
    if (!cJSON_IsObject(doc)) {
        fail(&c, "$", "expected an object");
        goto bad;
    }
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "adac-ir") != 0) {
        fail(&c, "$.format", "expected \"adac-ir\"");
        goto bad;
    }
    if (!cJSON_IsNumber(ver)) {
        fail(&c, "$.version", "missing schema version (this build reads version %d)",
             ADAC_IR_VERSION);
        goto bad;
    }
    if (ver->valuedouble != ADAC_IR_VERSION) {
        fail(&c, "$.version", "unsupported schema version %g (this build reads version %d)",
             ver->valuedouble, ADAC_IR_VERSION);
        goto bad;
    }
    g->version = ADAC_IR_VERSION;
    if (name && !cJSON_IsString(name)) {
        fail(&c, "$.name", "expected a string");
        goto bad;
    }
    g->name = dup_str(name ? name->valuestring : "adac_model");
    if (!cJSON_IsNumber(fs) || !(fs->valuedouble >= ADAC_MIN_FS && fs->valuedouble <= ADAC_MAX_FS)) {
        fail(&c, "$.fs", "expected a sample rate in Hz from %g to %g", ADAC_MIN_FS, ADAC_MAX_FS);
        goto bad;
    }
    g->fs = fs->valuedouble;
    if (!graph) {
        fail(&c, "$", "missing required field \"graph\"");
        goto bad;
    }
    g->root = load_node(&c, graph, "$.graph");
    if (!g->root || !check_state_budget(&c, g->root)) goto bad;
    cJSON_Delete(doc);
    return g;
bad:
    cJSON_Delete(doc);
    adac_graph_free(g);
    return NULL;
}

adac_graph *adac_graph_load_file(const char *path, char *err, size_t err_len)
{
    size_t len;
    char *buf = adac_read_text_file(path, ADAC_MAX_DOCUMENT_BYTES, &len, err, err_len);
    if (!buf) return NULL;
    adac_graph *g = adac_graph_load_text(buf, len, err, err_len);
    free(buf);
    return g;
}
