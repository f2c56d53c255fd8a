/* Macro-controls: rt60, dry_wet and pre_delay, layered on a trained model without
 * touching its parameters. This is the one place that reads a controls request
 * (JSON, as `json_to_faust(controls=...)` and `adac-run --controls` give it),
 * checks it against the validated graph and decides where each control acts.
 * The engine, the FAUST emitter and the certificate all take the result.
 *
 *   rt60      seconds; each line of a loop's head delay (m samples) is scaled by
 *             10^(-3 m / (fs rt60)) before it enters the line, which gives every
 *             loop path a homogeneous decay. 0 (the default) is off: the model as
 *             trained.
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

typedef struct {
    adac_control_setting ctl[ADAC_CTL_COUNT];
    double smooth_pole, smooth_gain; /* p and 1 - p of y = (1 - p) x + p y' */
    double fs, fs_per_ms;
    int pre_delay_max;       /* samples: the largest integer part of the pre-delay */
    int n_rt60;              /* loops whose head delay takes the rt60 decay */
    const adac_node **rt60_leaf;
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
 * (1 when rt60 <= 0, i.e. off). The FAUST emitter writes the same expression. */
double adac_rt60_coeff(double delay_samples, double fs);
double adac_rt60_gain(double coeff, double rt60);

#endif
