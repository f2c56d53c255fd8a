#include "tool_model.h"

#include "graph.h"
#include "tool_args.h"

#include <stdio.h>

adac_graph *adac_tool_load_model(const char *tool, const char *path, const char *controls_json,
                                 adac_controls *controls, int *exit_code)
{
    char err[ADAC_ERR_LEN];
    adac_graph *g = adac_graph_load_file(path, err, sizeof err);
    if (!g) {
        adac_tool_say(stderr, tool, "%s: %s", path, err);
        *exit_code = 1;
        return NULL;
    }
    if (!adac_controls_parse(controls_json, g, controls, err, sizeof err)) {
        adac_tool_say(stderr, tool, "%s", err);
        adac_graph_free(g);
        *exit_code = 2;
        return NULL;
    }
    return g;
}

int adac_tool_operand(const char *tool, const char *arg, const char **first, const char **second)
{
    if (arg[0] == '-') {
        adac_tool_say(stderr, tool, "unknown option or missing value: %s", arg);
        return 0;
    }
    if (!*first) {
        *first = arg;
    } else if (second && !*second) {
        *second = arg;
    } else {
        adac_tool_say(stderr, tool, "too many arguments (one model at a time): %s", arg);
        return 0;
    }
    return 1;
}
