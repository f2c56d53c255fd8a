/* ADAC Live's engine and watcher, behind an opaque C interface: the hot engine
 * and the watcher use C11 atomics, which C++ cannot include. Life cycle: create
 * (off the audio thread), watch, then process/set/reset on the audio thread,
 * free. */
#ifndef ADAC_LIVE_SESSION_H
#define ADAC_LIVE_SESSION_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct adac_live_session adac_live_session;

/* Starts on the model in ir_json (validated), prepared for max_block; NULL if
 * it does not load (or out of memory). */
adac_live_session *adac_live_create(const char *ir_json, const char *controls_json, int max_block,
                                    double fade_seconds);
/* Watches path (NULL or "": none), loading what is there now; replaces a watch. */
int adac_live_watch(adac_live_session *s, const char *path);
void adac_live_set_control(adac_live_session *s, int control_id, double value);
void adac_live_process(adac_live_session *s, const double *const *in, double *const *out, int n);
void adac_live_reset(adac_live_session *s);
void adac_live_free(adac_live_session *s);

#ifdef __cplusplus
}
#endif

#endif
