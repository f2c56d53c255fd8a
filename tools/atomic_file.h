/* Outputs appear whole or not at all: write to a temporary name beside the target,
 * then rename over it. */
#ifndef ADAC_ATOMIC_FILE_H
#define ADAC_ATOMIC_FILE_H

#include <stddef.h>

/* Writes text to path atomically. Returns 1 on success, else 0 with err set. */
int adac_write_text_atomic(const char *path, const char *text, char *err, size_t err_len);
/* Temporary sibling name for path ("<path>.tmp-<pid>"); caller frees. */
char *adac_temp_name(const char *path);
/* Moves tmp over path; removes tmp on failure. */
int adac_commit_temp(const char *tmp, const char *path, char *err, size_t err_len);

#endif
