#include "tool_model.h"

#include "graph.h"

#include <stdio.h>

adac_graph *adac_tool_load_model(const char *tool, const char *path, const char *controls_json,
                                 adac_controls *controls, int *exit_code)
{
    char err[ADAC_ERR_LEN];
    adac_graph *g = adac_graph_load_file(path, err, sizeof err);
    if (!g) {
        fprintf(stderr, "%s: %s: %s\n", tool, path, err);
        *exit_code = 1;
        return NULL;
    }
    if (!adac_controls_parse(controls_json, g, controls, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", tool, err);
        adac_graph_free(g);
        *exit_code = 2;
        return NULL;
    }
    return g;
}

int adac_tool_operand(const char *tool, const char *arg, const char **first, const char **second)
{
    if (arg[0] == '-') {
        fprintf(stderr, "%s: unknown option or missing value: %s\n", tool, arg);
        return 0;
    }
    if (!*first) {
        *first = arg;
    } else if (second && !*second) {
        *second = arg;
    } else {
        fprintf(stderr, "%s: too many arguments (one model at a time): %s\n", tool, arg);
        return 0;
    }
    return 1;
}
