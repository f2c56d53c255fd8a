/* adac-verify: compile a .dsp with libfaust, render every input->output path, and
 * compare it sample by sample with the engine running the IR. */
#include "atomic_file.h"
#include "coef_floor.h"
#include "compare.h"
#include "engine.h"
#include "faust_dsp.h"
#include "faust_isolated.h"
#include "json_doc.h"
#include "text_escape.h"
#include "tool_args.h"
#include "tool_model.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOOL "adac-verify"
/* Rendered samples, engine and FAUST together, at most this many bytes. */
#define MAX_RENDER_BYTES ((size_t)4 << 30)
#define MAX_DSP_BYTES ((size_t)64 << 20)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: adac-verify MODEL.json REVERB.dsp [options]\n"
            "\n"
            "Compiles REVERB.dsp with libfaust (in a child process, with a time and memory\n"
            "limit), renders the impulse response of every input->output path, renders the\n"
            "same with the ADAC engine from MODEL.json, and prints the worst error per path\n"
            "in dB relative to the path's peak. Exit status 0 only if every path is within\n"
            "the tolerance; a reference that is silent over the compared samples never\n"
            "passes (nothing would have been compared).\n"
            "\n"
            "  --length N          samples rendered per path (default: one second at the model's\n"
            "                      fs after the model's earliest arrival)\n"
            "  --tolerance DB      pass threshold in dB re peak (default -120; with --single,\n"
            "                      6 dB above the model's coefficient-rounding floor, or -120\n"
            "                      if that is higher)\n"
            "  --single            compile FAUST in single precision (default: -double); the\n"
            "                      floor is the engine with every coefficient rounded to float\n"
            "                      against the engine, both in double: what no single-precision\n"
            "                      build can beat\n"
            "  --faust-timeout S   time limit for libfaust's compile and render (default %g s)\n"
            "  --json FILE         also write the report as JSON\n"
            "  -q, --quiet         print only the verdict line\n"
            "  --version           print the version\n"
            "  -h, --help          show this help\n",
            ADAC_FAUST_DEFAULT_SECONDS);
}

static void fmt_db(char *buf, size_t n, double db)
{
    if (isinf(db) && db < 0)
        snprintf(buf, n, "-inf");
    else
        snprintf(buf, n, "%.1f", db);
}

/* A file name as a JSON string: bytes that are not UTF-8 become U+FFFD, so the
 * report stays valid JSON whatever the name (cJSON escapes quotes and controls). */
static cJSON *json_name(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *buf = malloc(3 * n + 1);
    if (!buf) return cJSON_CreateNull();
    for (size_t i = 0; i < n;) {
        size_t valid = adac_utf8_valid_prefix((const unsigned char *)s + i, n - i);
        memcpy(buf + k, s + i, valid);
        k += valid, i += valid;
        if (i < n) {
            memcpy(buf + k, "\xEF\xBF\xBD", 3);
            k += 3, i++;
        }
    }
    buf[k] = 0;
    cJSON *v = cJSON_CreateString(buf);
    free(buf);
    return v;
}

static cJSON *json_db(double db)
{
    return isfinite(db) ? cJSON_CreateNumber(round(db * 1000) / 1000) : cJSON_CreateNull();
}

static char *report_json(const char *model, const char *dsp, int n, double fs, int dbl, double tol,
                         double floor_db, double worst, int pass, const char *reason, const adac_path_error *res,
                         int paths)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "model", json_name(model));
    cJSON_AddItemToObject(r, "dsp", json_name(dsp));
    cJSON_AddNumberToObject(r, "samples", n);
    cJSON_AddNumberToObject(r, "fs", fs);
    cJSON_AddStringToObject(r, "faust_precision", dbl ? "double" : "single");
    cJSON_AddNumberToObject(r, "tolerance_db", tol);
    if (!isnan(floor_db)) cJSON_AddItemToObject(r, "coefficient_floor_db", json_db(floor_db));
    cJSON_AddItemToObject(r, "worst_db", json_db(worst));
    cJSON_AddBoolToObject(r, "pass", pass);
    if (reason) cJSON_AddStringToObject(r, "reason", reason);
    cJSON *arr = cJSON_AddArrayToObject(r, "paths");
    for (int p = 0; p < paths; p++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "out", res[p].out);
        cJSON_AddNumberToObject(e, "in", res[p].in);
        cJSON_AddNumberToObject(e, "peak", res[p].peak);
        cJSON_AddNumberToObject(e, "max_error", isfinite(res[p].max_err) ? res[p].max_err : 1e308);
        cJSON_AddItemToObject(e, "error_db", json_db(res[p].err_db));
        cJSON_AddItemToArray(arr, e);
    }
    char *text = cJSON_Print(r);
    cJSON_Delete(r);
    if (!text) return NULL;
    /* cJSON's own allocation: copy into one the caller frees with free(). */
    size_t len = strlen(text);
    char *out = malloc(len + 2);
    if (out) memcpy(out, text, len), out[len] = '\n', out[len + 1] = 0;
    cJSON_free(text);
    return out;
}

int main(int argc, char **argv)
{
    const char *model = NULL, *dsp_path = NULL, *json_out = NULL;
    double tol = -120.0, faust_seconds = ADAC_FAUST_DEFAULT_SECONDS, floor_db = NAN;
    long length = -1;
    int dbl = 1, quiet = 0, tol_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            adac_tool_version(TOOL);
            return 0;
        } else if (!strcmp(a, "--length") && more) {
            if (!adac_arg_long(TOOL, a, argv[++i], 1, 100000000, &length)) return 2;
        } else if (!strcmp(a, "--tolerance") && more) {
            if (!adac_arg_double(TOOL, a, argv[++i], -1000, 1000, &tol)) return 2;
            tol_given = 1;
        } else if (!strcmp(a, "--faust-timeout") && more) {
            if (!adac_arg_double(TOOL, a, argv[++i], 0.1, 86400, &faust_seconds)) return 2;
        } else if (!strcmp(a, "--json") && more) {
            json_out = argv[++i];
        } else if (!strcmp(a, "--single")) {
            dbl = 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!adac_tool_operand(TOOL, a, &model, &dsp_path)) {
            usage(stderr);
            return 2;
        }
    }
    if (!model || !dsp_path) {
        usage(stderr);
        return 2;
    }
    char err[4096];
    if (json_out && !adac_output_check(json_out, err, sizeof err)) {
        adac_tool_say(stderr, TOOL, "%s", err);
        return 2;
    }
    adac_graph *g = adac_graph_load_file(model, err, sizeof err);
    if (!g) {
        adac_tool_say(stderr, TOOL, "%s: %s", model, err);
        return 1;
    }
    size_t dsp_len;
    char *code = adac_read_text_file(dsp_path, MAX_DSP_BYTES, &dsp_len, err, sizeof err);
    if (!code) {
        adac_tool_say(stderr, TOOL, "%s", err);
        adac_graph_free(g);
        return 1;
    }
    int ni = g->root->n_in, no = g->root->n_out, fs = (int)lround(g->fs);
    /* By default one second beyond the earliest arrival, so that a model whose
     * first sound comes late is still compared on sound, not on silence. */
    int64_t n64 = length > 0 ? length : (int64_t)fs + g->root->min_latency;
    size_t paths = (size_t)ni * no;
    if (n64 > 100000000 || (double)paths * (double)n64 * 2 * sizeof(double) > (double)MAX_RENDER_BYTES) {
        adac_tool_say(stderr, TOOL,
                      "%zu path(s) of %lld samples would need more than %zu MiB: give a shorter --length",
                      paths, (long long)n64, MAX_RENDER_BYTES >> 20);
        free(code);
        adac_graph_free(g);
        return 2;
    }
    int n = (int)n64;
    if (!dbl && !tol_given) {
        /* Single precision: what rounding the coefficients alone costs this model. */
        size_t len;
        char *text = adac_read_text_file(model, (size_t)1 << 30, &len, err, sizeof err);
        floor_db = text ? adac_coefficient_floor_db(text, n) : NAN;
        free(text);
        if (isnan(floor_db)) {
            adac_tool_say(stderr, TOOL, "cannot compute the coefficient-rounding floor of %s", model);
            free(code);
            adac_graph_free(g);
            return 1;
        }
        tol = fmax(floor_db + 6, -120.0);
    }
    double *ref = malloc(paths * n * sizeof *ref), *test = malloc(paths * n * sizeof *test);
    adac_path_error *res = calloc(paths, sizeof *res);
    int rc = 1;
    if (!ref || !test || !res || !adac_engine_render_impulse(g, n, 256, ref)) {
        adac_tool_say(stderr, TOOL, "out of memory");
        goto done;
    }
    adac_faust_job job = {code, dbl, fs, n, 0, NULL, NULL, (int)paths, faust_seconds, 0};
    int fi = 0, fo = 0;
    if (!adac_faust_render_isolated(&job, test, &fi, &fo, err, sizeof err)) {
        adac_tool_say(stderr, TOOL, "%s: %s", dsp_path, err);
        goto done;
    }
    if (fi != ni || fo != no) {
        adac_tool_say(stderr, TOOL, "channel mismatch: %s has %d in / %d out, %s has %d in / %d out", model, ni,
                      no, dsp_path, fi, fo);
        goto done;
    }
    double worst = adac_compare_paths(ref, test, no, ni, n, res);
    double ref_peak = 0;
    for (size_t p = 0; p < paths; p++) ref_peak = fmax(ref_peak, res[p].peak);
    /* A silent reference makes every error 0 and proves nothing about the .dsp. */
    const char *reason = ref_peak > 0 ? NULL : "the engine's response is silent over the compared samples";
    int pass = !reason && worst <= tol;
    char wb[32];
    fmt_db(wb, sizeof wb, worst);
    if (!quiet) {
        adac_tool_say(stdout, TOOL, "%s vs %s", model, dsp_path);
        printf("  FAUST: libfaust %s, %s; engine: ADAC, double precision\n", adac_faust_version(),
               dbl ? "-double" : "single precision, interpreter (every operation as written)");
        printf("  %d samples per path at %g Hz, %zu path(s)\n", n, g->fs, paths);
        if (!isnan(floor_db)) {
            char fb[32];
            fmt_db(fb, sizeof fb, floor_db);
            printf("  tolerance %.1f dB: %s dB is this model's coefficient-rounding floor (the engine with every\n"
                   "  coefficient rounded to float, against the engine), and the single build may lose 6 dB\n"
                   "  more%s\n",
                   tol, fb, tol == -120.0 ? " (or reach -120 dB, which is higher)" : "");
        }
        printf("\n");
        printf("  %4s %4s %14s %14s %9s %12s\n", "out", "in", "peak", "max error", "at", "dB re peak");
        for (size_t p = 0; p < paths; p++) {
            char b[32];
            fmt_db(b, sizeof b, res[p].err_db);
            printf("  %4d %4d %14.6g %14.6g %9d %12s\n", res[p].out, res[p].in, res[p].peak, res[p].max_err,
                   res[p].worst_sample, b);
        }
        printf("\n");
    }
    if (reason)
        printf("FAIL: %s (earliest arrival at sample %lld, %d compared): nothing was verified; give a longer "
               "--length\n",
               reason, (long long)g->root->min_latency, n);
    else
        printf("worst error %s dB re peak, tolerance %.1f dB: %s\n", wb, tol, pass ? "PASS" : "FAIL");
    rc = pass ? 0 : 1;
    if (json_out) {
        char *j = report_json(model, dsp_path, n, g->fs, dbl, tol, floor_db, worst, pass, reason, res, (int)paths);
        if (!j || !adac_write_text_atomic(json_out, j, err, sizeof err)) {
            adac_tool_say(stderr, TOOL, "%s", j ? err : "out of memory");
            rc = 1;
        }
        free(j);
    }
done:
    free(ref);
    free(test);
    free(res);
    free(code);
    adac_graph_free(g);
    return rc;
}
