/* adac-faust: IR -> FAUST .dsp */
#include "atomic_file.h"
#include "faust_emit.h"
#include "tool_args.h"
#include "tool_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: adac-faust MODEL.json [-o OUT.dsp] [--controls JSON]\n"
            "\n"
            "Compiles an ADAC IR model to readable, deterministic FAUST. Without -o the\n"
            "code goes to standard output. Nothing is written if the model is invalid.\n"
            "\n"
            "  -o, --output FILE   write the .dsp to FILE (atomically)\n"
            "  --controls JSON     macro-controls as sliders, e.g. '{\"rt60\": true, \"dry_wet\":\n"
            "                      {\"init\": 0.5}, \"pre_delay\": true}' (see docs/controls.md)\n"
            "  --version           print the version\n"
            "  -h, --help          show this help\n");
}

int main(int argc, char **argv)
{
    const char *model = NULL, *outp = NULL, *controls_json = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--version")) {
            adac_tool_version("adac-faust");
            return 0;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            outp = argv[++i];
        } else if (!strcmp(argv[i], "--controls") && i + 1 < argc) {
            controls_json = argv[++i];
        } else if (!adac_tool_operand("adac-faust", argv[i], &model, NULL)) {
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
    adac_graph *g = adac_tool_load_model("adac-faust", model, controls_json, &controls, &exit_code);
    if (!g) return exit_code;
    if (controls.omitted[0])
        adac_tool_say(stderr, "adac-faust", "note: rt60 does not reach the loop(s) at %s", controls.omitted);
    char err[ADAC_ERR_LEN];
    char *code = adac_faust_emit_controlled(g, &controls, err, sizeof err);
    adac_controls_free(&controls);
    adac_graph_free(g);
    if (!code) {
        adac_tool_say(stderr, "adac-faust", "%s", err);
        return 1;
    }
    int rc = 0;
    if (outp) {
        if (!adac_write_text_atomic(outp, code, err, sizeof err)) {
            adac_tool_say(stderr, "adac-faust", "%s", err);
            rc = 1;
        }
    } else {
        fputs(code, stdout);
    }
    free(code);
    return rc;
}
