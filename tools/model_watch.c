#include "model_watch.h"

#include "certificate.h"
#include "controls.h"
#include "graph.h"
#include "tool_args.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define POLL_NS 2000000L /* the file is looked at every 2 ms */

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int changed(const struct stat *a, const struct stat *b)
{
    return a->st_ino != b->st_ino || a->st_size != b->st_size || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
           a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

/* The certificate's verdict; "unstable" refuses the model. */
static int certified_unstable(const adac_graph *g, const adac_controls *c, char *why, size_t why_len)
{
    adac_certify_options o;
    adac_certify_defaults(&o);
    o.single_precision = 0; /* the engine runs in double */
    cJSON *doc = adac_certify(g, c, &o);
    const cJSON *verdict = cJSON_GetObjectItem(doc, "verdict"), *summary = cJSON_GetObjectItem(doc, "summary");
    int unstable = cJSON_IsString(verdict) && !strcmp(verdict->valuestring, "unstable");
    snprintf(why, why_len, "%s", cJSON_IsString(summary) ? summary->valuestring : "");
    cJSON_Delete(doc);
    return unstable;
}

/* Loads the file and offers its engine; 0 (said why) when refused. */
static int reload(adac_model_watch *w)
{
    char err[ADAC_ERR_LEN];
    adac_graph *g = adac_graph_load_file(w->path, err, sizeof err);
    if (!g) {
        adac_tool_say(stderr, w->who, "reload refused, still playing the previous model: %s: %s", w->path, err);
        return 0;
    }
    const char *refusal = NULL;
    char why[512] = "";
    adac_controls c;
    int have_controls = 0;
    if (g->fs != w->fs) {
        snprintf(why, sizeof why, "its sample rate is %g Hz, the playing model's %g Hz", g->fs, w->fs);
        refusal = why;
    } else if (g->root->n_in != w->n_in || g->root->n_out != w->n_out) {
        snprintf(why, sizeof why, "it has %d inputs and %d outputs, the playing model %d and %d", g->root->n_in,
                 g->root->n_out, w->n_in, w->n_out);
        refusal = why;
    } else if (!(have_controls = adac_controls_parse(w->controls_json, g, &c, err, sizeof err))) {
        refusal = err;
    } else if (certified_unstable(g, &c, err, sizeof err)) {
        snprintf(why, sizeof why, "it is certified unstable (%.400s)", err);
        refusal = why;
    }
    adac_engine *e = NULL;
    if (!refusal) {
        e = adac_engine_create_controlled(g, &c, w->precision);
        if (e) adac_engine_adopt_graph(e);
        if (!e || !adac_engine_prepare(e, w->block)) refusal = "out of memory";
    }
    if (have_controls) adac_controls_free(&c);
    if (refusal) {
        if (e) adac_engine_free(e); /* frees g with it */
        else adac_graph_free(g);
        adac_tool_say(stderr, w->who, "reload refused, still playing the previous model: %s: %s", w->path, refusal);
        return 0;
    }
    adac_hot_offer(w->hot, e);
    return 1;
}

static void *watch_loop(void *arg)
{
    adac_model_watch *w = arg;
    struct timespec pause = {0, POLL_NS};
    while (!atomic_load(&w->stop)) {
        adac_hot_collect(w->hot);
        struct stat now;
        if (stat(w->path, &now) == 0 && now.st_size > 0 && changed(&now, &w->seen)) {
            long long seen_at = now_ns();
            w->seen = now;
            unsigned long taken = atomic_load(&w->hot->taken), kept = atomic_load(&w->hot->kept);
            int offered = reload(w);
            atomic_fetch_add(&w->handled, 1);
            if (!offered) {
                w->refused++;
            } else {
                /* Wait (briefly) for the audio thread to play it, for the latency. */
                long long deadline = seen_at + 2000000000LL;
                while (atomic_load(&w->hot->taken) == taken && now_ns() < deadline && !atomic_load(&w->stop))
                    nanosleep(&(struct timespec){0, 200000L}, NULL);
                w->reloads++;
                if (atomic_load(&w->hot->taken) != taken) {
                    double ms = (atomic_load(&w->hot->swapped_ns) - seen_at) / 1e6;
                    if (w->n_latency < ADAC_WATCH_MAX_LATENCIES) w->latency_ms[w->n_latency++] = ms;
                    adac_tool_say(stderr, w->who, "reloaded %s in %.2f ms (%s)", w->path, ms,
                                  atomic_load(&w->hot->kept) != kept ? "same shape: the tail rings on"
                                                                      : "another shape: crossfade");
                }
            }
        }
        nanosleep(&pause, NULL);
    }
    return NULL;
}

int adac_model_watch_start(adac_model_watch *w, const char *who, const char *path, const char *controls_json,
                           adac_hot_engine *hot, int block, double fs, int load_existing)
{
    *w = (adac_model_watch){.who = who, .controls_json = controls_json, .block = block, .fs = fs, .hot = hot};
    if (strlen(path) >= sizeof w->path) return 0;
    strcpy(w->path, path);
    w->n_in = adac_engine_num_inputs(adac_hot_current(hot));
    w->n_out = adac_engine_num_outputs(adac_hot_current(hot));
    w->precision = adac_engine_precision(adac_hot_current(hot)); /* reloads run in the same precision */
    atomic_init(&w->stop, 0);
    atomic_init(&w->handled, 0);
    if (load_existing) memset(&w->seen, 0, sizeof w->seen); /* whatever is there counts as a change */
    else if (stat(path, &w->seen) != 0) return 0;
    w->running = pthread_create(&w->thread, NULL, watch_loop, w) == 0;
    return w->running;
}

void adac_model_watch_stop(adac_model_watch *w)
{
    if (!w->running) return;
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
    w->running = 0;
    adac_hot_collect(w->hot);
}
