/* The IR document as JSON, read so that every reader agrees on what it says.
 * Python's json and cJSON differ where JSON is loose (duplicate keys: first vs
 * last wins; an escaped NUL: the end of a C string) and on bytes that are not
 * text; such documents are refused here, before the graph is built, with the
 * JSON path (or line and column) of the problem. */
#ifndef ADAC_JSON_DOC_H
#define ADAC_JSON_DOC_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Largest model file the tools read: far above any real model (a 64-line FDN
 * with filters is a few hundred kB), small enough to refuse a hostile one early. */
#define ADAC_MAX_DOCUMENT_BYTES ((size_t)256 << 20)

/* Parses text[0..len) as one JSON document and checks it: valid UTF-8, no NUL
 * byte and no \u0000 escape, no object with the same key twice. Returns the
 * tree (free with cJSON_Delete) or NULL with a message starting with "$". */
cJSON *adac_json_parse_strict(const char *text, size_t len, char *err, size_t err_len);

/* Reads a whole regular file of at most max_bytes into a NUL-terminated buffer
 * (free with free), its length in *len. NULL with a message naming the file
 * otherwise (a directory, a device, too large, unreadable). */
char *adac_read_text_file(const char *path, size_t max_bytes, size_t *len, char *err, size_t err_len);

#endif
