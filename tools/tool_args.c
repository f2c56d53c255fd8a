#include "tool_args.h"

#include "graph.h"
#include "text_escape.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#ifndef ADAC_VERSION
#define ADAC_VERSION "unknown"
#endif

static void print_escaped(FILE *stream, const char *prefix, const char *fmt, va_list ap)
{
    char raw[4096], shown[8192];
    vsnprintf(raw, sizeof raw, fmt, ap);
    fprintf(stream, "%s%s\n", prefix, adac_escape_terminal(raw, shown, sizeof shown));
}

void adac_tool_say(FILE *stream, const char *tool, const char *fmt, ...)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: ", tool);
    va_list ap;
    va_start(ap, fmt);
    print_escaped(stream, prefix, fmt, ap);
    va_end(ap);
}

void adac_tool_print(FILE *stream, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_escaped(stream, "", fmt, ap);
    va_end(ap);
}

int adac_arg_long(const char *tool, const char *option, const char *text, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno == ERANGE || v < min || v > max) {
        adac_tool_say(stderr, tool, "%s %s: expected a whole number from %ld to %ld", option, text, min, max);
        return 0;
    }
    *out = v;
    return 1;
}

int adac_arg_int(const char *tool, const char *option, const char *text, int min, int max, int *out)
{
    long v;
    if (!adac_arg_long(tool, option, text, min, max, &v)) return 0;
    *out = (int)v;
    return 1;
}

int adac_arg_double(const char *tool, const char *option, const char *text, double min, double max,
                    double *out)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || v < min || v > max) {
        adac_tool_say(stderr, tool, "%s %s: expected a number from %g to %g", option, text, min, max);
        return 0;
    }
    *out = v;
    return 1;
}

void adac_tool_version(const char *tool)
{
    printf("%s %s (ADAC IR version %d)\n", tool, ADAC_VERSION, ADAC_IR_VERSION);
}
