/* A growable string for the emitters. */
#ifndef ADAC_STRBUF_H
#define ADAC_STRBUF_H

#include <stddef.h>

typedef struct {
    char *data;
    size_t len, cap;
    int failed; /* set on allocation failure; later appends are ignored */
} adac_strbuf;

void adac_strbuf_printf(adac_strbuf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Shortest text that reads back as exactly the same double. */
void adac_strbuf_number(adac_strbuf *s, double x);
char *adac_strbuf_take(adac_strbuf *s); /* caller frees; NULL if anything failed */
void adac_strbuf_free(adac_strbuf *s);

#endif
