#include "file_source.h"

#include "tool_args.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOOL "adac-run"

static int open_resampler(adac_file_source *src)
{
    char err[256];
    adac_resampler_free(src->to_model);
    src->to_model = NULL;
    if (fabs(src->rate - src->model_fs) <= 0.5) return 1;
    src->to_model = adac_resampler_create(src->rate, src->model_fs, src->channels, err, sizeof err);
    if (!src->to_model) adac_tool_say(stderr, TOOL, "%s", err);
    return src->to_model != NULL;
}

int adac_file_source_open(adac_file_source *src, const char *path, int channels, double model_fs, int block,
                          int resample, int *resampled)
{
    memset(src, 0, sizeof *src);
    src->channels = channels;
    src->model_fs = model_fs;
    src->chunk_frames = block;
    SF_INFO info = {0};
    if (!(src->file = sf_open(path, SFM_READ, &info))) {
        adac_tool_say(stderr, TOOL, "%s: %s", path, sf_strerror(NULL));
        return 0;
    }
    src->rate = info.samplerate;
    if (info.channels != channels) {
        adac_tool_say(stderr, TOOL, "%s has %d channel(s) but the model has %d input(s)", path, info.channels,
                      channels);
        return 0;
    }
    *resampled = fabs(src->rate - model_fs) > 0.5;
    if (*resampled && (!resample || src->rate * 8.0 < model_fs || src->rate > 8.0 * model_fs)) {
        adac_tool_say(stderr, TOOL, "%s is at %d Hz but the model is defined at %g Hz%s", path, src->rate, model_fs,
                      resample ? ": more than a factor of 8 apart, not resampled" : " (--no-resample)");
        return 0;
    }
    if (!open_resampler(src)) return 0;
    src->converted_cap = (size_t)(block * (src->to_model ? adac_resampler_ratio(src->to_model) : 1.0)) + 256;
    int ch = channels ? channels : 1;
    src->chunk = malloc((size_t)block * ch * sizeof *src->chunk);
    src->converted = malloc(src->converted_cap * ch * sizeof *src->converted);
    /* About a second of audio between the main thread and the callback. */
    if (!src->chunk || !src->converted ||
        !adac_sample_ring_init(&src->ring, channels, (size_t)model_fs + src->converted_cap + block)) {
        adac_tool_say(stderr, TOOL, "out of memory");
        return 0;
    }
    return 1;
}

void adac_file_source_feed(adac_file_source *src)
{
    if (!src->file || atomic_load(&src->ended)) return;
    int ch = src->channels;
    for (;;) {
        size_t space = adac_sample_ring_space(&src->ring);
        if (!src->to_model) {
            if (!space) return;
            long want = (long)space < src->chunk_frames ? (long)space : src->chunk_frames;
            sf_count_t got = sf_readf_float(src->file, src->chunk, want);
            if (got > 0) adac_sample_ring_push(&src->ring, src->chunk, (size_t)got);
            if (got < want) {
                atomic_store(&src->ended, 1);
                return;
            }
            continue;
        }
        if (space < src->converted_cap) return;
        size_t used = 0, made;
        if (src->pending) {
            made = adac_resampler_process(src->to_model, src->chunk + src->pending_at * ch, src->pending, &used,
                                          src->converted, src->converted_cap);
            src->pending -= used;
            src->pending_at += used;
        } else if (!src->eof) {
            sf_count_t got = sf_readf_float(src->file, src->chunk, src->chunk_frames);
            src->eof = got < src->chunk_frames;
            src->pending = got > 0 ? (size_t)got : 0;
            src->pending_at = 0;
            continue;
        } else { /* flush what the resampler still holds */
            made = adac_resampler_process(src->to_model, NULL, 0, NULL, src->converted, src->converted_cap);
            if (!made) {
                atomic_store(&src->ended, 1);
                return;
            }
        }
        if (made) adac_sample_ring_push(&src->ring, src->converted, made);
        if (!made && !used) return; /* nothing moved: try again on the next call */
    }
}

size_t adac_file_source_take(adac_file_source *src, float *frames, size_t n)
{
    return adac_sample_ring_take(&src->ring, frames, n);
}

int adac_file_source_ended(adac_file_source *src)
{
    return atomic_load(&src->ended);
}

int adac_file_source_rewind(adac_file_source *src)
{
    src->eof = 0;
    src->pending = 0;
    if (sf_seek(src->file, 0, SEEK_SET) != 0 || !open_resampler(src)) {
        adac_tool_say(stderr, TOOL, "cannot rewind the input file to run it again");
        return 0;
    }
    float drain[256];
    size_t per = sizeof drain / sizeof *drain / (size_t)(src->channels ? src->channels : 1);
    while (per && adac_sample_ring_take(&src->ring, drain, per) > 0) {
    }
    atomic_store(&src->ended, 0);
    return 1;
}

void adac_file_source_close(adac_file_source *src)
{
    if (src->file) sf_close(src->file);
    adac_resampler_free(src->to_model);
    adac_sample_ring_free(&src->ring);
    free(src->chunk);
    free(src->converted);
    memset(src, 0, sizeof *src);
}
