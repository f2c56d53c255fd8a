#include "atomic_file.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temporary files not yet committed, for the signal handler to remove. A tool
 * writes one or two outputs at a time; the handler only calls unlink, which is
 * async-signal-safe. */
#define PENDING_MAX 8
static char *volatile pending[PENDING_MAX];

static void remove_pending_and_die(int sig)
{
    for (int i = 0; i < PENDING_MAX; i++)
        if (pending[i]) unlink(pending[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void track(char *tmp)
{
    static int handlers;
    if (!handlers) {
        handlers = 1;
        signal(SIGINT, remove_pending_and_die);
        signal(SIGTERM, remove_pending_and_die);
        signal(SIGHUP, remove_pending_and_die);
    }
    for (int i = 0; i < PENDING_MAX; i++)
        if (!pending[i]) {
            pending[i] = tmp;
            return;
        }
}

static void untrack(const char *tmp)
{
    for (int i = 0; i < PENDING_MAX; i++)
        if (pending[i] && !strcmp(pending[i], tmp)) pending[i] = NULL;
}

int adac_output_check(const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (!*path) {
        snprintf(err, err_len, "the output file name is empty");
        return 0;
    }
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            snprintf(err, err_len,
                     "%s: is a symbolic link; give the file it points to (an output replaces its target "
                     "name, and would replace the link)",
                     path);
            return 0;
        }
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, err_len, "%s: is a directory; give a file name", path);
            return 0;
        }
    }
    return 1;
}

int adac_temp_create(const char *path, char **tmp, char *err, size_t err_len)
{
    if (!adac_output_check(path, err, err_len)) return -1;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    char *name = malloc(dir_len + 16);
    if (!name) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    memcpy(name, path, dir_len);
    strcpy(name + dir_len, ".adac-XXXXXX");
    int fd = mkstemp(name);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot create a file in its folder (%s)", path, strerror(errno));
        free(name);
        return -1;
    }
    /* mkstemp makes it private; an output gets the usual permissions. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    track(name);
    *tmp = name;
    return fd;
}

int adac_commit_temp(const char *tmp, const char *path, char *err, size_t err_len)
{
    untrack(tmp);
    int ok = adac_output_check(path, err, err_len);
    if (ok && rename(tmp, path) != 0) {
        snprintf(err, err_len, "%s: cannot write (%s)", path,
                 strerror(errno));
        ok = 0;
    }
    if (!ok) unlink(tmp);
    return ok;
}

void adac_discard_temp(const char *tmp)
{
    untrack(tmp);
    unlink(tmp);
}

int adac_write_text_atomic(const char *path, const char *text, char *err, size_t err_len)
{
    char *tmp = NULL;
    int fd = adac_temp_create(path, &tmp, err, err_len);
    if (fd < 0) return 0;
    FILE *f = fdopen(fd, "wb");
    size_t len = strlen(text);
    int ok = f && fwrite(text, 1, len, f) == len;
    ok = (f ? fclose(f) == 0 : close(fd) == 0) && ok;
    if (!ok) {
        snprintf(err, err_len, "%s: write failed (%s)", path,
                 strerror(errno));
        adac_discard_temp(tmp);
        free(tmp);
        return 0;
    }
    ok = adac_commit_temp(tmp, path, err, err_len);
    free(tmp);
    return ok;
}
