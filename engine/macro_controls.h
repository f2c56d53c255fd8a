/* The engine side of the macro-controls (controls.h): slider targets set from any
 * thread, the one-pole smoothing FAUST uses too, the rt60 line gains, the
 * pre-delay line and the dry/wet mix. Life cycle: init (allocates for a slice
 * length), begin/apply calls in the audio path (no allocation, no locks),
 * reset, free. Smoothers run in double in both precisions; the gains they give
 * are rounded to the sample type where they meet the signal. */
#ifndef ADAC_MACRO_CONTROLS_H
#define ADAC_MACRO_CONTROLS_H

#include "controls.h"
#include "sample.h"

#define adac_macro_init ADAC_SAMPLE_NAME(adac_macro_init)
#define adac_macro_set ADAC_SAMPLE_NAME(adac_macro_set)
#define adac_macro_begin ADAC_SAMPLE_NAME(adac_macro_begin)
#define adac_macro_rt60 ADAC_SAMPLE_NAME(adac_macro_rt60)
#define adac_macro_pre_delay ADAC_SAMPLE_NAME(adac_macro_pre_delay)
#define adac_macro_dry_wet ADAC_SAMPLE_NAME(adac_macro_dry_wet)
#define adac_macro_reset ADAC_SAMPLE_NAME(adac_macro_reset)
#define adac_macro_same_shape ADAC_SAMPLE_NAME(adac_macro_same_shape)
#define adac_macro_take_controls ADAC_SAMPLE_NAME(adac_macro_take_controls)
#define adac_macro_take_state ADAC_SAMPLE_NAME(adac_macro_take_state)
#define adac_macro_free ADAC_SAMPLE_NAME(adac_macro_free)

#include <stdatomic.h>

/* value = init + state; state follows diff = target - init by
 * state = diff (1 - p) + state p, exactly as the emitted FAUST does. */
typedef struct {
    double init, diff, state;
} adac_smoother;

typedef struct {
    int n;
    double *coeff; /* -3 m / fs per line */
    double inv_t0; /* 1 / the loop's own T60 in decay mode, else 0 (controls.h) */
    adac_smoother *line;
} adac_rt60_lines;

typedef struct {
    adac_controls spec; /* own copy */
    _Atomic double target[ADAC_CTL_COUNT];
    double applied[ADAC_CTL_COUNT];
    adac_rt60_lines *rt60; /* spec.n_rt60 loops */
    adac_smoother dry_wet, pre_delay;
    int n_in;
    adac_sample **pre_ring; /* one ring per input, pre_len samples */
    int pre_len, pre_pos;
    adac_sample **wet_in; /* the delayed input, one slice */
} adac_macro;

int adac_macro_init(adac_macro *m, const adac_controls *spec, int n_in, int slice);
/* Clamped to the control's range, like a slider; returns the value taken, or NAN
 * when the control is not enabled. Any thread. */
double adac_macro_set(adac_macro *m, adac_control_id id, double value);
/* Audio path: picks up new targets at the start of each slice. */
void adac_macro_begin(adac_macro *m);
/* Loop k's line gains applied in place to the lines' input (n samples). */
void adac_macro_rt60(adac_macro *m, int k, adac_sample *const *bus, int n);
/* The model's input after the pre-delay (in itself when pre_delay is off). */
const adac_sample *const *adac_macro_pre_delay(adac_macro *m, const adac_sample *const *in, int n);
/* out = dry (1 - w) + out w, in place; nothing when dry_wet is off. */
void adac_macro_dry_wet(adac_macro *m, const adac_sample *const *dry, adac_sample *const *out, int n_out, int n);
void adac_macro_reset(adac_macro *m);
/* Reloading a model (engine.h): the same controls and smoothers on both sides? */
int adac_macro_same_shape(const adac_macro *a, const adac_macro *b);
/* dst's sliders move to src's values. */
void adac_macro_take_controls(adac_macro *dst, const adac_macro *src);
/* dst continues where src is (same shape): values, smoothers, pre-delay ring. */
void adac_macro_take_state(adac_macro *dst, const adac_macro *src);
void adac_macro_free(adac_macro *m);

#endif
