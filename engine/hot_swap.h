/* Reloading a model while it plays. A loader thread builds and prepares the new
 * engine (allocation, validation, certification all happen there) and offers it;
 * the audio thread takes it at the start of its next block:
 *
 *   same shape (adac_engine_same_shape): the new engine takes the old one's delay
 *     lines, filter states and control smoothers, so the tail rings on and only
 *     the parameters change, at that block;
 *   another shape: the old engine keeps running beside the new one for a short
 *     equal-power crossfade (cos/sin), then stops (no crossfade when nothing has
 *     been played since the start or a reset: there is nothing to fade out).
 *
 * Control values carry over either way. Engines the audio thread is done with
 * are handed back through a few lock-free slots and freed by the loader thread
 * (adac_hot_collect): the audio path never allocates, frees or locks.
 * Life cycle: init, then offer/collect (loader thread) and process (audio
 * thread), free. */
#ifndef ADAC_HOT_SWAP_H
#define ADAC_HOT_SWAP_H

#include "engine.h"

#include <stdatomic.h>

#define ADAC_HOT_RETIRE_SLOTS 8

typedef struct {
    adac_engine *current;              /* audio thread */
    adac_engine *fading;               /* audio thread: the old graph during a crossfade */
    adac_engine *unretired;            /* audio thread: done with, no free slot yet */
    _Atomic(adac_engine *) pending;    /* offered, not yet taken */
    _Atomic(adac_engine *) retired[ADAC_HOT_RETIRE_SLOTS];
    int fade_len, fade_pos, max_block, n_out;
    int fresh; /* nothing processed since init or reset: a new engine needs no crossfade */
    double **fade_out; /* the fading engine's output, one block */
    _Atomic unsigned long kept, faded; /* swaps of each kind so far */
    _Atomic unsigned long taken;       /* offers taken and played a block (set after kept/faded and swapped_ns) */
    _Atomic long long swapped_ns;      /* CLOCK_MONOTONIC when the last taken engine's first block was done */
    /* Control moves from any thread, applied by the audio thread to whichever
     * engine is playing (an engine pointer is never handed out to other threads). */
    _Atomic double requested[ADAC_CTL_COUNT]; /* NAN: none */
    _Atomic unsigned request_serial;
    unsigned applied_serial;
    adac_control_setting ranges[ADAC_CTL_COUNT]; /* the first model's, for callers' messages */
} adac_hot_engine;

/* Starts with `first` (prepared for max_block), which it owns from now on. */
int adac_hot_init(adac_hot_engine *h, adac_engine *first, int max_block, int fade_samples);
/* Loader thread: offers a prepared engine with the same channel counts (owned
 * from now on). An offer not yet taken is replaced and freed. */
void adac_hot_offer(adac_hot_engine *h, adac_engine *e);
/* Loader thread: frees the engines the audio thread has finished with. */
void adac_hot_collect(adac_hot_engine *h);
/* Any thread: moves a control of whichever engine plays (from the next block on;
 * smoothed; values carry over reloads). Returns the value clamped to the first
 * model's range, or NAN when that model does not have the control. */
double adac_hot_set_control(adac_hot_engine *h, adac_control_id id, double value);
/* Audio thread: one block, taking a pending engine first. */
void adac_hot_process(adac_hot_engine *h, const double *const *in, double *const *out, int n);
/* Audio thread (or with it stopped): the engine now playing, for its controls. */
static inline adac_engine *adac_hot_current(adac_hot_engine *h) { return h->current; }
/* Audio thread: clears the playing engine's state and ends a crossfade. */
void adac_hot_reset(adac_hot_engine *h);
void adac_hot_free(adac_hot_engine *h);

#endif
