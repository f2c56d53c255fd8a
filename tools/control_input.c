#include "control_input.h"

#include "tool_args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#define TOOL "adac-run"

void adac_control_input_init(adac_control_input *ci, int fd)
{
    memset(ci, 0, sizeof *ci);
    ci->fd = fd;
    ci->open = 1;
}

static void apply_line(char *line, adac_hot_engine *h, double seconds_in)
{
    char *eq = strchr(line, '=');
    char *name = line;
    while (isspace((unsigned char)*name)) name++;
    if (!*name) return; /* an empty line */
    if (!eq) {
        adac_tool_say(stderr, TOOL, "ignored '%s': expected NAME=VALUE", name);
        return;
    }
    char *name_end = eq;
    while (name_end > name && isspace((unsigned char)name_end[-1])) name_end--;
    *name_end = 0;
    char *end = NULL;
    double v = strtod(eq + 1, &end);
    while (end && isspace((unsigned char)*end)) end++;
    if (end == eq + 1 || (end && *end)) {
        adac_tool_say(stderr, TOOL, "ignored '%s=%s': the value is not a number", name, eq + 1);
        return;
    }
    int id = adac_control_find(name);
    if (id < 0) {
        adac_tool_say(stderr, TOOL, "no control '%s' (known: rt60, dry_wet, pre_delay)", name);
        return;
    }
    if (!isfinite(v)) {
        adac_tool_say(stderr, TOOL, "ignored %s=%g: the value must be a finite number", name, v);
        return;
    }
    double took = adac_hot_set_control(h, (adac_control_id)id, v);
    if (isnan(took))
        adac_tool_say(stderr, TOOL, "no control '%s' in this run (enable it with --controls or --set)", name);
    else
        adac_tool_say(stderr, TOOL, "%s -> %g at %.2f s%s", name, took, seconds_in,
                      took != v ? " (clamped to its range)" : "");
}

void adac_control_input_poll(adac_control_input *ci, adac_hot_engine *h, double seconds_in)
{
    while (ci->open) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(ci->fd, &fds);
        struct timeval zero = {0, 0};
        if (select(ci->fd + 1, &fds, NULL, NULL, &zero) <= 0) return;
        char chunk[512];
        ssize_t got = read(ci->fd, chunk, sizeof chunk);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (got <= 0) { /* end of input: a last line without newline still counts */
            ci->open = 0;
            if (ci->len && !ci->overlong) {
                ci->line[ci->len] = 0;
                apply_line(ci->line, h, seconds_in);
            }
            ci->len = 0;
            return;
        }
        for (ssize_t i = 0; i < got; i++) {
            char c = chunk[i];
            if (c == '\n') {
                ci->line[ci->len] = 0;
                if (ci->overlong)
                    adac_tool_say(stderr, TOOL, "ignored a line longer than %zu characters", sizeof ci->line - 1);
                else
                    apply_line(ci->line, h, seconds_in);
                ci->len = 0;
                ci->overlong = 0;
            } else if (ci->len + 1 < sizeof ci->line) {
                ci->line[ci->len++] = c;
            } else {
                ci->overlong = 1;
            }
        }
    }
}
