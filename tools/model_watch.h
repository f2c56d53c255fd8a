/* adac-run --watch: a thread that watches the model file and reloads it while
 * it plays. When the file changes (size, time or inode: an atomic rename counts)
 * it loads and validates the new model, certifies it, builds and prepares its
 * engine, and offers it to the player's hot engine (hot_swap.h), which takes it
 * at the next block. A file that does not load, changes the channel counts or
 * the sample rate, or is certified unstable is refused with the reason, and
 * the current sound plays on. All of it happens off the audio thread. */
#ifndef ADAC_MODEL_WATCH_H
#define ADAC_MODEL_WATCH_H

#include "hot_swap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#define ADAC_WATCH_MAX_LATENCIES 1024

typedef struct {
    char path[4096];
    const char *controls_json;
    const char *who; /* prefix of its messages: the tool or plugin */
    int block, n_in, n_out;
    double fs;
    adac_precision precision; /* the playing engine's */
    adac_hot_engine *hot;
    pthread_t thread;
    _Atomic int stop;
    _Atomic int handled; /* changes handled (loaded or refused) so far */
    int running;
    struct stat seen;  /* the file as last loaded (or refused) */
    /* file replaced -> first block computed by the new model, per reload (ms) */
    double latency_ms[ADAC_WATCH_MAX_LATENCIES];
    int n_latency, reloads, refused;
} adac_model_watch;

/* Starts watching `path`. load_existing: load the file as it is now too (0 when
 * the model playing in hot was loaded from it). The path is copied. */
int adac_model_watch_start(adac_model_watch *w, const char *who, const char *path, const char *controls_json,
                           adac_hot_engine *hot, int block, double fs, int load_existing);
/* Stops the thread (waiting for it) and frees what the audio thread handed back. */
void adac_model_watch_stop(adac_model_watch *w);

#endif
