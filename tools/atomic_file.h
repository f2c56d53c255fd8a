/* Outputs appear whole or not at all: written to a temporary file beside the
 * target (same directory, so the final rename is atomic), then renamed over it.
 * The temporary name is short (".adac-XXXXXX"), so any legal target name works;
 * it is removed on failure and when the tool is stopped by SIGINT, SIGTERM or
 * SIGHUP. A target that is a symbolic link or a directory is refused: renaming
 * over a link would replace the link, not write where it points. Messages name
 * the path as given; the tools print them through adac_tool_say, which escapes. */
#ifndef ADAC_ATOMIC_FILE_H
#define ADAC_ATOMIC_FILE_H

#include <stddef.h>

/* Checks that path can be a tool's output (not a link, not a directory, its
 * directory exists), so a tool can refuse before doing any work. */
int adac_output_check(const char *path, char *err, size_t err_len);
/* Creates the temporary file for path: returns an open descriptor and its name
 * in *tmp (caller frees), or -1 with err set. */
int adac_temp_create(const char *path, char **tmp, char *err, size_t err_len);
/* Moves tmp over path; removes tmp on failure. Either way tmp is forgotten. */
int adac_commit_temp(const char *tmp, const char *path, char *err, size_t err_len);
/* Removes tmp (after a failed write). */
void adac_discard_temp(const char *tmp);
/* Writes text to path atomically. Returns 1 on success, else 0 with err set. */
int adac_write_text_atomic(const char *path, const char *text, char *err, size_t err_len);

#endif
