#include "json_doc.h"

#include "text_escape.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void line_col(const char *text, size_t at, int *line, int *col)
{
    *line = 1, *col = 1;
    for (size_t i = 0; i < at && text[i]; i++) {
        if (text[i] == '\n')
            (*line)++, *col = 1;
        else
            (*col)++;
    }
}

/* One step of a JSON path, kept on the stack while the walk descends. */
typedef struct path_step {
    const struct path_step *up;
    const char *key; /* NULL: an array index */
    int index;
} path_step;

static size_t render_path(const path_step *s, char *buf, size_t len)
{
    if (!s) return (size_t)snprintf(buf, len, "$");
    size_t k = render_path(s->up, buf, len);
    if (k >= len) return k;
    if (s->key) {
        char shown[80];
        adac_escape_comment(s->key, 48, shown, sizeof shown);
        return k + (size_t)snprintf(buf + k, len - k, ".%s", shown);
    }
    return k + (size_t)snprintf(buf + k, len - k, "[%d]", s->index);
}

static int by_key(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Sorting each object's keys finds a repeated one in O(k log k). */
static int check_unique_keys(const cJSON *v, const path_step *at, char *err, size_t err_len)
{
    if (cJSON_IsObject(v)) {
        size_t k = 0;
        for (const cJSON *c = v->child; c; c = c->next) k++;
        if (k > 1) {
            const cJSON **keys = malloc(k * sizeof *keys);
            if (!keys) {
                size_t n = render_path(at, err, err_len);
                if (n < err_len) snprintf(err + n, err_len - n, ": out of memory");
                return 0;
            }
            size_t i = 0;
            for (const cJSON *c = v->child; c; c = c->next) keys[i++] = c;
            qsort(keys, k, sizeof *keys, by_key);
            for (i = 1; i < k; i++)
                if (!strcmp(keys[i - 1]->string, keys[i]->string)) {
                    char shown[80];
                    adac_escape_comment(keys[i]->string, 48, shown, sizeof shown);
                    size_t n = render_path(at, err, err_len);
                    if (n < err_len)
                        snprintf(err + n, err_len - n,
                                 ": key \"%s\" appears more than once (readers disagree on which one "
                                 "counts): keep one",
                                 shown);
                    free(keys);
                    return 0;
                }
            free(keys);
        }
    }
    int index = 0;
    for (const cJSON *c = v->child; c; c = c->next, index++) {
        path_step step = {at, cJSON_IsObject(v) ? c->string : NULL, index};
        if (!check_unique_keys(c, &step, err, err_len)) return 0;
    }
    return 1;
}

/* An escaped NUL (\u0000) inside a string: a C reader sees the string end there. */
static size_t find_escaped_nul(const char *text, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++) {
        if (text[i] != '\\') continue;
        if (!strncmp(text + i + 1, "u0000", 5)) return i;
        i++; /* skip the escaped character, e.g. the second of "\\" */
    }
    return len;
}

cJSON *adac_json_parse_strict(const char *text, size_t len, char *err, size_t err_len)
{
    int line, col;
    const void *nul = memchr(text, 0, len);
    if (nul) {
        line_col(text, (size_t)((const char *)nul - text), &line, &col);
        snprintf(err, err_len, "$: NUL byte at line %d, column %d: not a JSON text", line, col);
        return NULL;
    }
    size_t valid = adac_utf8_valid_prefix((const unsigned char *)text, len);
    if (valid < len) {
        line_col(text, valid, &line, &col);
        snprintf(err, err_len, "$: invalid UTF-8 at line %d, column %d (byte %zu): JSON text is UTF-8",
                 line, col, valid);
        return NULL;
    }
    size_t esc = find_escaped_nul(text, len);
    if (esc < len) {
        line_col(text, esc, &line, &col);
        snprintf(err, err_len, "$: \\u0000 at line %d, column %d: strings may not contain NUL", line, col);
        return NULL;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (doc) {
        /* Only white space may follow the document. */
        while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) end++;
        if (end < text + len) {
            cJSON_Delete(doc);
            doc = NULL;
        }
    }
    if (!doc) {
        size_t at = end ? (size_t)(end - text) : len;
        const char *e = cJSON_GetErrorPtr();
        if (!end && e && e >= text && e <= text + len) at = (size_t)(e - text);
        line_col(text, at, &line, &col);
        snprintf(err, err_len, "$: malformed JSON at line %d, column %d", line, col);
        return NULL;
    }
    if (!check_unique_keys(doc, NULL, err, err_len)) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

char *adac_read_text_file(const char *path, size_t max_bytes, size_t *len, char *err, size_t err_len)
{
    char shown[512];
    adac_escape_terminal(path, shown, sizeof shown);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot open file (%s)", shown, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s: not a regular file", shown);
        close(fd);
        return NULL;
    }
    if ((size_t)st.st_size > max_bytes) {
        snprintf(err, err_len, "%s: %lld bytes is larger than the limit of %zu MiB", shown,
                 (long long)st.st_size, max_bytes >> 20);
        close(fd);
        return NULL;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *buf = malloc(n + 1);
    while (buf && got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf || got != n) {
        snprintf(err, err_len, "%s: cannot read file", shown);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}
