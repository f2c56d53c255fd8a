#include "wav_out.h"

#include "atomic_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int adac_wav_out_open(adac_wav_out *w, const char *path, int channels, double fs, int double_precision,
                      char *err, size_t err_len)
{
    *w = (adac_wav_out){0};
    w->path = path;
    w->channels = channels;
    SF_INFO info = {0};
    info.channels = channels;
    info.samplerate = (int)lround(fs);
    info.format = SF_FORMAT_WAV | (double_precision ? SF_FORMAT_DOUBLE : SF_FORMAT_FLOAT);
    if (!sf_format_check(&info)) {
        snprintf(err, err_len, "%s: WAV cannot hold %d channel(s) at %d Hz (WAV allows 1 to 1024 channels)",
                 path, channels, info.samplerate);
        return 0;
    }
    int fd = adac_temp_create(path, &w->tmp, err, err_len);
    if (fd < 0) return 0;
    w->file = sf_open_fd(fd, SFM_WRITE, &info, SF_TRUE);
    if (!w->file) {
        snprintf(err, err_len, "%s: %s", path, sf_strerror(NULL));
        close(fd);
        adac_wav_out_discard(w);
        return 0;
    }
    return 1;
}

int adac_wav_out_write(adac_wav_out *w, const double *interleaved, long frames, char *err, size_t err_len)
{
    if (sf_writef_double(w->file, interleaved, frames) != frames) {
        snprintf(err, err_len, "%s: write failed (%s)", w->path,
                 sf_strerror(w->file));
        return 0;
    }
    w->frames += frames;
    return 1;
}

int adac_wav_out_commit(adac_wav_out *w, char *err, size_t err_len)
{
    int ok = sf_close(w->file) == 0;
    w->file = NULL;
    if (!ok) {
        snprintf(err, err_len, "%s: write failed", w->path);
        adac_wav_out_discard(w);
        return 0;
    }
    ok = adac_commit_temp(w->tmp, w->path, err, err_len);
    free(w->tmp);
    w->tmp = NULL;
    return ok;
}

void adac_wav_out_discard(adac_wav_out *w)
{
    if (w->file) sf_close(w->file);
    w->file = NULL;
    if (w->tmp) adac_discard_temp(w->tmp);
    free(w->tmp);
    w->tmp = NULL;
}
