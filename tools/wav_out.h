/* A WAV file written block by block, atomically: samples go to a temporary file
 * beside the target, which is renamed over it on commit and removed on failure
 * or interruption (atomic_file.h). libsndfile's own limits (channels, size) are
 * met when the file is opened, before any work is done. */
#ifndef ADAC_WAV_OUT_H
#define ADAC_WAV_OUT_H

#include <sndfile.h>
#include <stddef.h>

typedef struct {
    SNDFILE *file;
    char *tmp;
    const char *path;
    int channels;
    long long frames;
} adac_wav_out;

int adac_wav_out_open(adac_wav_out *w, const char *path, int channels, double fs, int double_precision,
                      char *err, size_t err_len);
/* frames interleaved frames of `channels` samples. */
int adac_wav_out_write(adac_wav_out *w, const double *interleaved, long frames, char *err, size_t err_len);
int adac_wav_out_commit(adac_wav_out *w, char *err, size_t err_len);
void adac_wav_out_discard(adac_wav_out *w);

#endif
