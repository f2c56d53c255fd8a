/* What every tool does first: load MODEL.json through the validating loader and
 * check a macro-control request against it, saying why not on stderr. */
#ifndef ADAC_TOOL_MODEL_H
#define ADAC_TOOL_MODEL_H

#include "controls.h"
#include "graph.h"

/* Returns the graph with *controls parsed from controls_json (NULL: none), or NULL
 * with *exit_code set: 1 when the model does not load, 2 when the request is not
 * valid for it (both already reported, prefixed by tool). */
adac_graph *adac_tool_load_model(const char *tool, const char *path, const char *controls_json,
                                 adac_controls *controls, int *exit_code);

/* An argument no option of the tool took: the next of its file operands (first,
 * then second if the tool takes two; NULL when it takes one). Returns 0, having
 * said why on stderr, for an unknown option (or one missing its value) and for
 * one file too many; the caller then shows its usage and exits 2. */
int adac_tool_operand(const char *tool, const char *arg, const char **first, const char **second);

#endif
