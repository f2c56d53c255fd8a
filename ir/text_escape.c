#include "text_escape.h"

#include <stdio.h>
#include <string.h>

size_t adac_utf8_valid_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (i + k >= n) return i; /* truncated sequence */
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += k + 1;
    }
    return n;
}

/* Appends text to buf at *k if it fits with room for the terminator and the
 * truncation mark; returns 0 when it did not. */
static int put(char *buf, size_t len, size_t *k, const char *text, size_t n)
{
    if (*k + n + 4 > len) return 0;
    memcpy(buf + *k, text, n);
    *k += n;
    return 1;
}

static void finish(char *buf, size_t len, size_t k, int truncated)
{
    if (truncated && k + 4 <= len) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k < len ? k : len - 1] = 0;
}

char *adac_escape_comment(const char *s, size_t max_chars, char *buf, size_t len)
{
    if (!len) return buf;
    size_t k = 0, shown = 0;
    int truncated = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++, shown++) {
        char esc[8];
        size_t n;
        if (shown == max_chars) {
            truncated = 1;
            break;
        }
        if (*p == '\\') {
            n = 2, memcpy(esc, "\\\\", 2);
        } else if (*p >= 0x20 && *p < 0x7F) {
            n = 1, esc[0] = (char)*p;
        } else {
            n = (size_t)snprintf(esc, sizeof esc, "\\x%02X", *p);
        }
        if (!put(buf, len, &k, esc, n)) {
            truncated = 1;
            break;
        }
    }
    finish(buf, len, k, truncated);
    return buf;
}

char *adac_escape_faust_string(const char *s, char *buf, size_t len)
{
    if (!len) return buf;
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && k + 1 < len; p++)
        buf[k++] = (*p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7F) ? '_' : (char)*p;
    /* Cut short: never end inside a multi-byte character. */
    if (s && s[k]) k = adac_utf8_valid_prefix((const unsigned char *)buf, k);
    buf[k] = 0;
    return buf;
}

char *adac_escape_terminal(const char *s, char *buf, size_t len)
{
    if (!len) return buf;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), k = 0, i = 0;
    int truncated = 0;
    while (i < n) {
        char esc[8];
        size_t take, valid = adac_utf8_valid_prefix(p + i, n - i > 4 ? 4 : n - i);
        unsigned c = p[i];
        if (c >= 0x80 && valid > 0) {
            /* One whole code point: its length from the lead byte. */
            take = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (take > valid) take = 0;
        } else {
            take = c < 0x80 ? 1 : 0;
        }
        int control = take == 0 || c < 0x20 || c == 0x7F || (c == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] < 0xA0);
        if (!control) {
            if (!put(buf, len, &k, (const char *)p + i, take)) {
                truncated = 1;
                break;
            }
            i += take;
            continue;
        }
        size_t m = c == '\n' ? (size_t)snprintf(esc, sizeof esc, "\\n")
                             : (size_t)snprintf(esc, sizeof esc, "\\x%02X", c);
        if (!put(buf, len, &k, esc, m)) {
            truncated = 1;
            break;
        }
        i++;
    }
    finish(buf, len, k, truncated);
    return buf;
}
