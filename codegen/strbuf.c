#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void adac_strbuf_printf(adac_strbuf *s, const char *fmt, ...)
{
    if (s->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = s->cap - s->len;
        int k = vsnprintf(s->data ? s->data + s->len : NULL, s->data ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            s->failed = 1;
            return;
        }
        if (s->data && (size_t)k < room) {
            s->len += (size_t)k;
            return;
        }
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + (size_t)k + 1) cap *= 2;
        char *d = realloc(s->data, cap);
        if (!d) {
            s->failed = 1;
            return;
        }
        s->data = d;
        s->cap = cap;
    }
}

void adac_strbuf_number(adac_strbuf *s, double x)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) break;
    }
    /* FAUST reads "1" as an integer: keep every constant a real number. */
    if (!strpbrk(buf, ".eEni")) strcat(buf, ".0");
    adac_strbuf_printf(s, "%s", buf);
}

char *adac_strbuf_take(adac_strbuf *s)
{
    if (s->failed) {
        adac_strbuf_free(s);
        return NULL;
    }
    char *d = s->data;
    s->data = NULL;
    s->len = s->cap = 0;
    return d;
}

void adac_strbuf_free(adac_strbuf *s)
{
    free(s->data);
    s->data = NULL;
    s->len = s->cap = 0;
}
