/* A single-producer single-consumer ring of interleaved float frames: the main
 * thread reads a file into it, the audio callback takes from it, neither ever
 * waits for the other (no locks, no allocation after init). */
#ifndef ADAC_SAMPLE_RING_H
#define ADAC_SAMPLE_RING_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    float *buf;
    size_t capacity; /* frames */
    int channels;
    _Atomic size_t written, taken; /* frames, ever */
} adac_sample_ring;

int adac_sample_ring_init(adac_sample_ring *r, int channels, size_t capacity);
size_t adac_sample_ring_space(const adac_sample_ring *r);     /* producer */
size_t adac_sample_ring_available(const adac_sample_ring *r); /* consumer */
void adac_sample_ring_push(adac_sample_ring *r, const float *frames, size_t n); /* n <= space */
/* Takes up to n frames into frames; returns how many it took. */
size_t adac_sample_ring_take(adac_sample_ring *r, float *frames, size_t n);
void adac_sample_ring_free(adac_sample_ring *r);

#endif
