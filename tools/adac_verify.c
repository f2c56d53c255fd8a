/* adac-verify: compile a .dsp with libfaust, render every input->output path, and
 * compare it sample by sample with the engine running the IR. */
#include "atomic_file.h"
#include "compare.h"
#include "engine.h"
#include "faust_dsp.h"
#include "tool_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: adac-verify MODEL.json REVERB.dsp [options]\n"
            "\n"
            "Compiles REVERB.dsp in-process with libfaust, renders the impulse response of\n"
            "every input->output path, renders the same with the ADAC engine from\n"
            "MODEL.json, and prints the worst error per path in dB relative to the path's\n"
            "peak. Exit status 0 only if every path is within the tolerance.\n"
            "\n"
            "  --length N        samples rendered per path (default: one second at the model's fs)\n"
            "  --tolerance DB    pass threshold in dB re peak (default -120)\n"
            "  --single          compile FAUST in single precision (default: -double)\n"
            "  --json FILE       also write the report as JSON\n"
            "  -q, --quiet       print only the verdict line\n"
            "  -h, --help        show this help\n");
}

static int read_file(const char *path, char **text, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: cannot open file", path);
        return 0;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *text = malloc(n + 1);
    int ok = *text && fread(*text, 1, n, f) == (size_t)n;
    fclose(f);
    if (!ok) {
        snprintf(err, err_len, "%s: cannot read file", path);
        return 0;
    }
    (*text)[n] = 0;
    return 1;
}

static void fmt_db(char *buf, size_t n, double db)
{
    if (isinf(db) && db < 0)
        snprintf(buf, n, "-inf");
    else
        snprintf(buf, n, "%.1f", db);
}

int main(int argc, char **argv)
{
    const char *model = NULL, *dsp_path = NULL, *json_out = NULL;
    double tol = -120.0;
    long length = -1;
    int dbl = 1, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--length") && i + 1 < argc) {
            length = strtol(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--tolerance") && i + 1 < argc) {
            tol = strtod(argv[++i], NULL);
        } else if (!strcmp(a, "--json") && i + 1 < argc) {
            json_out = argv[++i];
        } else if (!strcmp(a, "--single")) {
            dbl = 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!adac_tool_operand("adac-verify", a, &model, &dsp_path)) {
            usage(stderr);
            return 2;
        }
    }
    if (!model || !dsp_path) {
        usage(stderr);
        return 2;
    }
    char err[4096];
    adac_graph *g = adac_graph_load_file(model, err, sizeof err);
    if (!g) {
        fprintf(stderr, "adac-verify: %s: %s\n", model, err);
        return 1;
    }
    char *code = NULL;
    if (!read_file(dsp_path, &code, err, sizeof err)) {
        fprintf(stderr, "adac-verify: %s\n", err);
        adac_graph_free(g);
        return 1;
    }
    adac_faust_dsp *d = adac_faust_compile(g->name, code, dbl, err, sizeof err);
    free(code);
    if (!d) {
        fprintf(stderr, "adac-verify: %s: %s\n", dsp_path, err);
        adac_graph_free(g);
        return 1;
    }
    int ni = g->root->n_in, no = g->root->n_out;
    if (adac_faust_num_inputs(d) != ni || adac_faust_num_outputs(d) != no) {
        fprintf(stderr,
                "adac-verify: channel mismatch: %s has %d in / %d out, %s has %d in / %d out\n",
                model, ni, no, dsp_path, adac_faust_num_inputs(d), adac_faust_num_outputs(d));
        adac_faust_free(d);
        adac_graph_free(g);
        return 1;
    }
    int n = length > 0 ? (int)length : (int)lround(g->fs);
    size_t total = (size_t)ni * no * n;
    double *ref = malloc(total * sizeof *ref), *test = malloc(total * sizeof *test);
    adac_path_error *res = calloc((size_t)ni * no, sizeof *res);
    if (!ref || !test || !res || !adac_engine_render_impulse(g, n, 256, ref) ||
        !adac_faust_render_impulse(d, (int)lround(g->fs), n, test)) {
        fprintf(stderr, "adac-verify: out of memory\n");
        return 1;
    }
    double worst = adac_compare_paths(ref, test, no, ni, n, res);
    int pass = worst <= tol;
    char wb[32];
    fmt_db(wb, sizeof wb, worst);
    if (!quiet) {
        printf("adac-verify: %s vs %s\n", model, dsp_path);
        printf("  FAUST: libfaust %s, %s; engine: ADAC, double precision\n",
               adac_faust_version(), dbl ? "-double" : "single precision");
        printf("  %d samples per path at %g Hz, %d path(s)\n\n", n, g->fs, ni * no);
        printf("  %4s %4s %14s %14s %9s %12s\n", "out", "in", "peak", "max error", "at", "dB re peak");
        for (int p = 0; p < ni * no; p++) {
            char b[32];
            fmt_db(b, sizeof b, res[p].err_db);
            printf("  %4d %4d %14.6g %14.6g %9d %12s\n", res[p].out, res[p].in, res[p].peak,
                   res[p].max_err, res[p].worst_sample, b);
        }
        printf("\n");
    }
    printf("worst error %s dB re peak, tolerance %.1f dB: %s\n", wb, tol, pass ? "PASS" : "FAIL");
    int rc = pass ? 0 : 1;
    if (json_out) {
        size_t cap = 512 + (size_t)ni * no * 160;
        char *j = malloc(cap);
        size_t k = 0;
        k += snprintf(j + k, cap - k,
                      "{\n  \"model\": \"%s\",\n  \"dsp\": \"%s\",\n  \"samples\": %d,\n"
                      "  \"fs\": %g,\n  \"faust_precision\": \"%s\",\n  \"tolerance_db\": %g,\n"
                      "  \"worst_db\": %s,\n  \"pass\": %s,\n  \"paths\": [\n",
                      model, dsp_path, n, g->fs, dbl ? "double" : "single", tol,
                      isinf(worst) ? "null" : wb, pass ? "true" : "false");
        for (int p = 0; p < ni * no; p++) {
            char b[32];
            if (isinf(res[p].err_db))
                snprintf(b, sizeof b, "null");
            else
                snprintf(b, sizeof b, "%.3f", res[p].err_db);
            k += snprintf(j + k, cap - k,
                          "    {\"out\": %d, \"in\": %d, \"peak\": %.17g, \"max_error\": %.17g, "
                          "\"error_db\": %s}%s\n",
                          res[p].out, res[p].in, res[p].peak, res[p].max_err, b,
                          p + 1 < ni * no ? "," : "");
        }
        snprintf(j + k, cap - k, "  ]\n}\n");
        if (!adac_write_text_atomic(json_out, j, err, sizeof err)) {
            fprintf(stderr, "adac-verify: %s\n", err);
            rc = 1;
        }
        free(j);
    }
    free(ref);
    free(test);
    free(res);
    adac_faust_free(d);
    adac_graph_free(g);
    return rc;
}
