/* adac-run's audio callback and its state, shared by every way it plays: the
 * PortAudio stream, the null backend and file-to-file runs drive the same
 * render. It feeds the engine from a file source, live input or silence, keeps
 * the reverb tail after the input ends (a fixed length, or until the output has
 * decayed below a threshold re its peak), applies an output gain, and counts
 * samples above full scale. */
#ifndef ADAC_PLAYER_H
#define ADAC_PLAYER_H

#include "engine.h"
#include "file_source.h"
#include "hot_swap.h"

#include <stdatomic.h>

/* Render times kept for --stats: the last this many blocks. */
#define ADAC_PLAYER_TIMES 65536

typedef struct {
    adac_hot_engine hot;       /* the engine playing, and those reloaded into it (--watch) */
    int n_in, n_out, block;
    double **in_bus, **out_bus;
    adac_file_source *source;  /* file input, or NULL: live input or silence */
    long long frames_left;     /* -1: unlimited */
    /* The tail after the input: at most tail_max frames; in auto mode it also
     * ends after quiet_window frames below quiet_ratio * peak. */
    long long tail_max, tail_done, quiet_window, quiet_run;
    int tail_auto;
    double quiet_ratio, peak;
    double out_gain;           /* --normalize: the output scaled by this */
    long long clipped;
    float *frame_in;           /* one block of input frames */
    float *render_us;          /* --stats: microseconds per block (a ring), or NULL */
    long long n_renders;
    double budget_us;          /* --stats: a block's real-time budget */
    long long over_budget;     /* --stats: blocks whose render took longer than that */
    _Atomic long long xruns;   /* blocks the audio device or the pacing found late */
} adac_player;

/* Takes the prepared engine e (owned from now on) and allocates the player's
 * buses for `block`-frame slices; a reloaded model of another shape crossfades
 * over fade_samples; timing: keep render times for --stats. 0 if out of memory. */
int adac_player_init(adac_player *p, adac_engine *e, int n_in, int n_out, int block, int fade_samples, int timing);
/* --stats: the q-quantile (0..1) of the kept render times, in microseconds. */
double adac_player_render_quantile(const adac_player *p, double q);
/* The callback: no allocation, no locks, no printing. Writes `frames` interleaved
 * frames into out and returns how many belong to the run (fewer when it ends in
 * this call; the rest is silence). live_in: interleaved input, or NULL. */
long adac_player_render(adac_player *p, const float *live_in, float *out, long frames);
/* Back to the state after init (counters, tail), for a second run. */
void adac_player_restart(adac_player *p);
void adac_player_free(adac_player *p);

#endif
