#include "live_session.h"

#include "controls.h"
#include "engine.h"
#include "graph.h"
#include "hot_swap.h"
#include "model_watch.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct adac_live_session {
    adac_hot_engine hot;
    adac_model_watch watch;
    int watching, block;
    double fs;
    char *controls_json;
};

adac_live_session *adac_live_create(const char *ir_json, const char *controls_json, int max_block,
                                    double fade_seconds)
{
    char err[ADAC_ERR_LEN];
    adac_engine *e = adac_engine_from_json(ir_json, controls_json, max_block, ADAC_PRECISION_DOUBLE, err, sizeof err);
    if (!e) return NULL;
    adac_live_session *s = calloc(1, sizeof *s);
    if (!s) {
        adac_engine_free(e);
        return NULL;
    }
    s->block = max_block;
    s->fs = adac_engine_sample_rate(e);
    s->controls_json = controls_json ? strdup(controls_json) : NULL; /* reloads take the same controls */
    if (!adac_hot_init(&s->hot, e, max_block, (int)(fade_seconds * s->fs))) {
        adac_hot_free(&s->hot); /* frees e with it */
        free(s->controls_json);
        free(s);
        return NULL;
    }
    return s;
}

int adac_live_watch(adac_live_session *s, const char *path)
{
    if (s->watching) adac_model_watch_stop(&s->watch);
    s->watching = path && *path &&
                  adac_model_watch_start(&s->watch, "ADAC Live", path, s->controls_json, &s->hot, s->block, s->fs, 1);
    /* A file already there is loaded before the host plays (off the audio thread,
     * here), so that playback starts on it rather than on the exported model. */
    struct stat st;
    if (s->watching && stat(path, &st) == 0 && st.st_size > 0)
        for (int i = 0; i < 1000 && !atomic_load(&s->watch.handled); i++)
            nanosleep(&(struct timespec){0, 2000000L}, NULL);
    return s->watching;
}

void adac_live_set_control(adac_live_session *s, int control_id, double value)
{
    if (control_id >= 0 && control_id < ADAC_CTL_COUNT) adac_hot_set_control(&s->hot, (adac_control_id)control_id, value);
}

void adac_live_process(adac_live_session *s, const double *const *in, double *const *out, int n)
{
    adac_hot_process(&s->hot, in, out, n);
}

void adac_live_reset(adac_live_session *s)
{
    adac_hot_reset(&s->hot);
}

void adac_live_free(adac_live_session *s)
{
    if (!s) return;
    if (s->watching) adac_model_watch_stop(&s->watch);
    adac_hot_free(&s->hot);
    free(s->controls_json);
    free(s);
}
