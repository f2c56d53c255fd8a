/* adac-run's input file, streamed: read in chunks by the main thread and, when
 * the file is at another rate than the model, resampled to the model's rate
 * (resample.h) on the way into a ring that the audio callback takes from. Memory
 * stays flat in the file's length. */
#ifndef ADAC_FILE_SOURCE_H
#define ADAC_FILE_SOURCE_H

#include "resample.h"
#include "sample_ring.h"

#include <sndfile.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    SNDFILE *file;
    int rate, channels;       /* the file's */
    double model_fs;
    adac_resampler *to_model; /* NULL: the file is at the model's rate */
    int eof;                  /* the file is read to its end */
    float *chunk, *converted;
    long chunk_frames;
    size_t converted_cap, pending, pending_at; /* chunk frames not yet resampled */
    adac_sample_ring ring;
    _Atomic int ended;        /* everything is in the ring */
} adac_file_source;

/* Opens path (`channels` channels). A file at another rate is resampled when
 * `resample`, else refused; *rate_note is set when it is resampled. Returns 1, or
 * 0 having said why on stderr. */
int adac_file_source_open(adac_file_source *src, const char *path, int channels, double model_fs, int block,
                          int resample, int *resampled);
/* Producer (main thread): moves what fits into the ring. */
void adac_file_source_feed(adac_file_source *src);
/* Consumer (audio callback): takes up to n frames; no allocation, no locks. */
size_t adac_file_source_take(adac_file_source *src, float *frames, size_t n);
/* Whether the producer has put the whole file in the ring. */
int adac_file_source_ended(adac_file_source *src);
/* Back to the start, for a second run. */
int adac_file_source_rewind(adac_file_source *src);
void adac_file_source_close(adac_file_source *src);

#endif
