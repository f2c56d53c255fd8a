/* The engine side of the macro-controls (controls.h): slider targets set from any
 * thread, the one-pole smoothing FAUST uses too, the rt60 line gains, the
 * pre-delay line and the dry/wet mix. Life cycle: init (allocates for a slice
 * length), begin/apply calls in the audio path (no allocation, no locks),
 * reset, free. */
#ifndef ADAC_MACRO_CONTROLS_H
#define ADAC_MACRO_CONTROLS_H

#include "controls.h"

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
    double **pre_ring; /* one ring per input, pre_len samples */
    int pre_len, pre_pos;
    double **wet_in; /* the delayed input, one slice */
} adac_macro;

int adac_macro_init(adac_macro *m, const adac_controls *spec, int n_in, int slice);
/* Clamped to the control's range, like a slider; returns the value taken, or NAN
 * when the control is not enabled. Any thread. */
double adac_macro_set(adac_macro *m, adac_control_id id, double value);
/* Audio path: picks up new targets at the start of each slice. */
void adac_macro_begin(adac_macro *m);
/* Loop k's line gains applied in place to the lines' input (n samples). */
void adac_macro_rt60(adac_macro *m, int k, double *const *bus, int n);
/* The model's input after the pre-delay (in itself when pre_delay is off). */
const double *const *adac_macro_pre_delay(adac_macro *m, const double *const *in, int n);
/* out = dry (1 - w) + out w, in place; nothing when dry_wet is off. */
void adac_macro_dry_wet(adac_macro *m, const double *const *dry, double *const *out, int n_out, int n);
void adac_macro_reset(adac_macro *m);
/* Reloading a model (engine.h): the same controls and smoothers on both sides? */
int adac_macro_same_shape(const adac_macro *a, const adac_macro *b);
/* dst's sliders move to src's values. */
void adac_macro_take_controls(adac_macro *dst, const adac_macro *src);
/* dst continues where src is (same shape): values, smoothers, pre-delay ring. */
void adac_macro_take_state(adac_macro *dst, const adac_macro *src);
void adac_macro_free(adac_macro *m);

#endif
