/* adac-certify: stability certificate of an IR model's feedback loops. */
#include "atomic_file.h"
#include "tool_args.h"
#include "certificate.h"
#include "tool_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: adac-certify MODEL.json [options]\n"
            "\n"
            "Certifies every feedback loop of an ADAC IR model, each by the first method that\n"
            "decides it: a small-gain bound that holds at every frequency, a diagonally scaled\n"
            "bound that holds for any delay lengths, losslessness, or a proven Nyquist count\n"
            "of the closed-loop poles outside the unit circle.\n"
            "Verdicts, best to worst: certified-stable, marginally-stable, indeterminate,\n"
            "not-certified, unstable; the model gets its worst loop's. See docs/certificate.md.\n"
            "\n"
            "options:\n"
            "  --controls JSON   certify with macro-controls (rt60 at every knob position)\n"
            "  --double          parameters in double precision (a FAUST -double build or the\n"
            "                    engine); default single, as FAUST's default build holds them\n"
            "  --json FILE       write the certificate as JSON (atomically; '-' for stdout)\n"
            "  --dsp FILE.dsp    write the certificate next to FILE.dsp as FILE.cert.json\n"
            "  --strict          exit 3 unless the verdict is certified-stable or marginally-stable\n"
            "  --version         print the version\n"
            "  -h, --help        show this help\n");
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The report on stdout; the model's paths and names in it come from the model
 * file, so every line is printed escaped. */
static void print_report(const cJSON *doc)
{
    adac_tool_print(stdout, "adac-certify: %s (%s precision)", str(doc, "summary"), str(doc, "precision"));
    const cJSON *loop;
    cJSON_ArrayForEach(loop, cJSON_GetObjectItemCaseSensitive(doc, "loops"))
    {
        const cJSON *sg = cJSON_GetObjectItemCaseSensitive(loop, "small_gain");
        const char *model_path = str(loop, "model_path"), *reason = str(loop, "reason");
        adac_tool_print(stdout, "  loop %s%s%s%s (%g channels): %s", str(loop, "path"), *model_path ? " '" : "",
                        model_path, *model_path ? "'" : "", num(loop, "channels"), str(loop, "verdict"));
        char worst[64] = "";
        if (!isnan(num(sg, "worst_hz"))) snprintf(worst, sizeof worst, " worst at %.1f Hz", num(sg, "worst_hz"));
        if (isnan(num(sg, "bound")))
            adac_tool_print(stdout, "    small-gain bound: none finite (an element's bound grows without limit "
                                    "somewhere), %g intervals", num(sg, "intervals"));
        else
            adac_tool_print(stdout, "    small-gain bound %.9g (margin %.3g dB)%s, %g intervals", num(sg, "bound"),
                            num(sg, "margin_db"), worst, num(sg, "intervals"));
        /* The reason restates the bound printed above; print what it adds. */
        const char *rest = reason;
        if (!strncmp(reason, "small-gain bound ", 17)) {
            const char *semi = strstr(reason, "; ");
            rest = semi ? semi + 2 : "";
        }
        if (*rest) adac_tool_print(stdout, "    %s", rest);
        const cJSON *nq = cJSON_GetObjectItemCaseSensitive(loop, "nyquist");
        adac_tool_print(stdout, "    method: %s", str(loop, "method"));
        if (nq) adac_tool_print(stdout, "    Nyquist count: %g steps, %.3g s", num(nq, "steps"), num(nq, "seconds"));
        const char *rt60 = str(loop, "rt60_covered_by");
        if (*rt60) adac_tool_print(stdout, "    rt60 knob: %s", rt60);
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(doc, "filters"))
        adac_tool_print(stdout, "  filter %s (%s): largest pole radius %.9g: %s", str(f, "path"), str(f, "kind"),
                        num(f, "max_pole_radius"), str(f, "verdict"));
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "controls"), "rt60");
    if (rt) adac_tool_print(stdout, "  rt60: certified at %g s, which covers %s", num(rt, "certified_at"), str(rt, "covers"));
    adac_tool_print(stdout, "verdict: %s", str(doc, "verdict"));
}

int main(int argc, char **argv)
{
    const char *model = NULL, *json_out = NULL, *dsp = NULL, *controls_json = NULL;
    int strict = 0;
    adac_certify_options opt;
    adac_certify_defaults(&opt);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--version")) {
            adac_tool_version("adac-certify");
            return 0;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--controls") && more) {
            controls_json = argv[++i];
        } else if (!strcmp(a, "--double")) {
            opt.single_precision = 0;
        } else if (!strcmp(a, "--json") && more) {
            json_out = argv[++i];
        } else if (!strcmp(a, "--dsp") && more) {
            dsp = argv[++i];
        } else if (!strcmp(a, "--strict")) {
            strict = 1;
        } else if (!adac_tool_operand("adac-certify", a, &model, NULL)) {
            usage(stderr);
            return 2;
        }
    }
    if (!model) {
        usage(stderr);
        return 2;
    }
    adac_controls controls;
    int exit_code;
    adac_graph *g = adac_tool_load_model("adac-certify", model, controls_json, &controls, &exit_code);
    if (!g) return exit_code;
    char err[ADAC_ERR_LEN];
    cJSON *doc = adac_certify(g, &controls, &opt);
    adac_controls_free(&controls);
    adac_graph_free(g);
    if (!doc) {
        fprintf(stderr, "adac-certify: out of memory\n");
        return 1;
    }
    char *text = cJSON_Print(doc);
    int rc = 0;
    if (json_out && !strcmp(json_out, "-")) {
        puts(text);
    } else {
        print_report(doc);
        if (json_out && !adac_write_text_atomic(json_out, text, err, sizeof err)) {
            adac_tool_say(stderr, "adac-certify", "%s", err);
            rc = 1;
        }
    }
    if (dsp && !rc) {
        size_t n = strlen(dsp);
        size_t stem = n > 4 && !strcmp(dsp + n - 4, ".dsp") ? n - 4 : n;
        char *path = malloc(stem + 11);
        snprintf(path, stem + 11, "%.*s.cert.json", (int)stem, dsp);
        if (!adac_write_text_atomic(path, text, err, sizeof err)) {
            adac_tool_say(stderr, "adac-certify", "%s", err);
            rc = 1;
        } else if (!(json_out && !strcmp(json_out, "-"))) {
            adac_tool_say(stdout, "adac-certify", "wrote %s", path);
        }
        free(path);
    }
    const char *v = str(doc, "verdict");
    if (!rc && strict && strcmp(v, "certified-stable") && strcmp(v, "marginally-stable")) rc = 3;
    free(text);
    cJSON_Delete(doc);
    return rc;
}
