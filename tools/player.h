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

typedef struct {
    adac_engine *engine;
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
} adac_player;

/* Allocates the player's buses for `block`-frame slices; 0 if out of memory. */
int adac_player_init(adac_player *p, adac_engine *e, int n_in, int n_out, int block);
/* The callback: no allocation, no locks, no printing. Writes `frames` interleaved
 * frames into out and returns how many belong to the run (fewer when it ends in
 * this call; the rest is silence). live_in: interleaved input, or NULL. */
long adac_player_render(adac_player *p, const float *live_in, float *out, long frames);
/* Back to the state after init (counters, tail), for a second run. */
void adac_player_restart(adac_player *p);
void adac_player_free(adac_player *p);

#endif
