/* Command-line values read strictly: a number option takes the whole argument
 * as a number within its range, or the tool stops and says why ("1e5" is not an
 * integer, "48000abc" is not a number, 4294967297 is out of range: none is read
 * as something else). Messages go through tool_say, which escapes control
 * characters, since file names and model strings reach the terminal. */
#ifndef ADAC_TOOL_ARGS_H
#define ADAC_TOOL_ARGS_H

#include <stdio.h>

/* Prints "tool: message" on stream with control characters escaped. */
void adac_tool_say(FILE *stream, const char *tool, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same without the tool's name: one line of a report. */
void adac_tool_print(FILE *stream, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An integer in [min, max]; 0 (having said why on stderr) otherwise. */
int adac_arg_long(const char *tool, const char *option, const char *text, long min, long max, long *out);
int adac_arg_int(const char *tool, const char *option, const char *text, int min, int max, int *out);
/* A finite decimal number in [min, max]; 0 (having said why) otherwise. */
int adac_arg_double(const char *tool, const char *option, const char *text, double min, double max,
                    double *out);

/* "--version": prints "TOOL ADAC_VERSION (IR version N)". */
void adac_tool_version(const char *tool);

#endif
