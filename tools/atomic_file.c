#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *adac_temp_name(const char *path)
{
    size_t n = strlen(path) + 32;
    char *t = malloc(n);
    if (t) snprintf(t, n, "%s.tmp-%ld", path, (long)getpid());
    return t;
}

int adac_commit_temp(const char *tmp, const char *path, char *err, size_t err_len)
{
    if (rename(tmp, path) != 0) {
        snprintf(err, err_len, "%s: cannot write (%s)", path, strerror(errno));
        remove(tmp);
        return 0;
    }
    return 1;
}

int adac_write_text_atomic(const char *path, const char *text, char *err, size_t err_len)
{
    char *tmp = adac_temp_name(path);
    FILE *f = tmp ? fopen(tmp, "wb") : NULL;
    if (!f) {
        snprintf(err, err_len, "%s: cannot open for writing (%s)", path, strerror(errno));
        free(tmp);
        return 0;
    }
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        snprintf(err, err_len, "%s: write failed (%s)", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return 0;
    }
    ok = adac_commit_temp(tmp, path, err, err_len);
    free(tmp);
    return ok;
}
