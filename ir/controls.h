/* Macro-controls: rt60, dry_wet and pre_delay, layered on a trained model without
 * touching its parameters. This is the one place that reads a controls request
 * (JSON, as `json_to_faust(controls=...)` and `adac-run --controls` give it),
 * checks it against the validated graph and decides where each control acts.
 * The engine, the FAUST emitter and the certificate all take the result.
 *
 *   rt60      seconds; each line of a loop's head delay (m samples) is scaled by
 *             10^(-3 m / fs * (1 / rt60 - 1 / T0)) before it enters the line. In
 *             "decay" mode (the default) T0 is the loop's own mid-band T60
 *             (loop_decay.h): the listener hears the slider's value in the mid
 *             band, shorter or longer than the model's, the shape of its
 *             frequency-dependent decay kept, and the range stops where a longer
 *             decay would make the loop grow. In "homogeneous" mode 1 / T0 = 0:
 *             a homogeneous decay of rt60 adds to the model's own absorption.
 *             0 (the default position) is off: the model as trained.
 *   dry_wet   0..1; out = dry (1 - w) + wet w. 1 (the default) is all wet.
 *   pre_delay milliseconds of delay before the model (the wet path), linearly
 *             interpolated. 0 (the default) is none.
 *
 * Every slider is smoothed by the same one-pole filter in engine and FAUST,
 * started at the slider's init value, so a control left at its neutral init is
 * exactly the model without it. */
#ifndef ADAC_CONTROLS_H
#define ADAC_CONTROLS_H

#include "graph.h"

typedef enum { ADAC_CTL_RT60, ADAC_CTL_DRY_WET, ADAC_CTL_PRE_DELAY, ADAC_CTL_COUNT } adac_control_id;

typedef struct {
    int enabled;
    double init, min, max, step;
} adac_control_setting;

typedef enum { ADAC_RT60_DECAY, ADAC_RT60_HOMOGENEOUS } adac_rt60_mode;

typedef struct {
    adac_control_setting ctl[ADAC_CTL_COUNT];
    adac_rt60_mode rt60_mode;
    double smooth_pole, smooth_gain; /* p and 1 - p of y = (1 - p) x + p y' */
    double fs, fs_per_ms;
    int pre_delay_max;       /* samples: the largest integer part of the pre-delay */
    int n_rt60;              /* loops whose head delay takes the rt60 decay */
    const adac_node **rt60_leaf;
    double *rt60_model_t60;  /* per loop: its own mid-band T60, s (INFINITY: lossless) */
    double rt60_longest;     /* decay mode: the longest rt60 every loop takes (INFINITY: any) */
    int max_given[ADAC_CTL_COUNT]; /* the request set the control's max */
    char omitted[512];       /* loops rt60 cannot reach, said in reports; "" if none */
} adac_controls;

/* Smoothing time constant of every slider. */
#define ADAC_CONTROL_SMOOTH_S 0.02

/* Parses `json` (NULL or "" or "null": no controls) against graph g. The request
 * is an object whose keys are control names and whose values are true, false or
 * an object of init/min/max/step overrides. On error returns 0 with a message
 * that starts with the path in the request ("controls.rt60.max: ..."). */
int adac_controls_parse(const char *json, const adac_graph *g, adac_controls *c, char *err, size_t err_len);
void adac_controls_free(adac_controls *c);
int adac_controls_any(const adac_controls *c);
const char *adac_control_name(adac_control_id id);
const char *adac_control_unit(adac_control_id id); /* "s", "", "ms" */
int adac_control_find(const char *name);           /* -1 when unknown */
/* The index of leaf in c->rt60_leaf, or -1. */
int adac_controls_rt60_index(const adac_controls *c, const adac_node *leaf);

/* rt60 line gain: coeff = -3 m / fs for a line of m samples; gain for rt60 seconds
 * in a loop of 1 / T0 = inv_t0 (1 when rt60 <= 0, i.e. off). The FAUST emitter
 * writes the same expression. */
double adac_rt60_coeff(double delay_samples, double fs);
double adac_rt60_gain(double coeff, double rt60, double inv_t0);
const char *adac_rt60_mode_name(adac_rt60_mode mode);
/* inv_t0 of loop k: 1 / its own T60 in decay mode, 0 in homogeneous mode and for
 * a lossless loop. */
double adac_controls_rt60_inv_t0(const adac_controls *c, int k);

#endif
