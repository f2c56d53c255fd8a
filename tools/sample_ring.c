#include "sample_ring.h"

#include <stdlib.h>
#include <string.h>

int adac_sample_ring_init(adac_sample_ring *r, int channels, size_t capacity)
{
    r->channels = channels;
    r->capacity = capacity;
    atomic_init(&r->written, 0);
    atomic_init(&r->taken, 0);
    r->buf = calloc(capacity * (size_t)(channels ? channels : 1), sizeof *r->buf);
    return r->buf != NULL;
}

size_t adac_sample_ring_space(const adac_sample_ring *r)
{
    size_t w = atomic_load_explicit(&((adac_sample_ring *)r)->written, memory_order_relaxed);
    size_t t = atomic_load_explicit(&((adac_sample_ring *)r)->taken, memory_order_acquire);
    return r->capacity - (w - t);
}

size_t adac_sample_ring_available(const adac_sample_ring *r)
{
    size_t w = atomic_load_explicit(&((adac_sample_ring *)r)->written, memory_order_acquire);
    size_t t = atomic_load_explicit(&((adac_sample_ring *)r)->taken, memory_order_relaxed);
    return w - t;
}

/* Copies n frames between the ring (from frame index `at`) and flat, in at most
 * two runs. */
static void copy_frames(adac_sample_ring *r, size_t at, float *flat, size_t n, int into_ring)
{
    size_t ch = (size_t)r->channels, pos = at % r->capacity;
    size_t first = r->capacity - pos < n ? r->capacity - pos : n;
    float *ring_a = r->buf + pos * ch, *ring_b = r->buf;
    if (into_ring) {
        memcpy(ring_a, flat, first * ch * sizeof *flat);
        memcpy(ring_b, flat + first * ch, (n - first) * ch * sizeof *flat);
    } else {
        memcpy(flat, ring_a, first * ch * sizeof *flat);
        memcpy(flat + first * ch, ring_b, (n - first) * ch * sizeof *flat);
    }
}

void adac_sample_ring_push(adac_sample_ring *r, const float *frames, size_t n)
{
    size_t w = atomic_load_explicit(&r->written, memory_order_relaxed);
    copy_frames(r, w, (float *)frames, n, 1);
    atomic_store_explicit(&r->written, w + n, memory_order_release);
}

size_t adac_sample_ring_take(adac_sample_ring *r, float *frames, size_t n)
{
    size_t avail = adac_sample_ring_available(r);
    if (n > avail) n = avail;
    size_t t = atomic_load_explicit(&r->taken, memory_order_relaxed);
    copy_frames(r, t, frames, n, 0);
    atomic_store_explicit(&r->taken, t + n, memory_order_release);
    return n;
}

void adac_sample_ring_free(adac_sample_ring *r)
{
    free(r->buf);
    r->buf = NULL;
}
