/* The time-domain engine: runs a validated graph block by block, in double
 * precision (the reference oracle the FAUST output is verified against) or in
 * single precision (what a plugin ships: coefficients rounded to float, float
 * arithmetic, twice the SIMD lanes). The precision is fixed at creation; either
 * engine takes and gives double or float buffers.
 * Life cycle: create (plans the graph and builds state), prepare (allocates for a
 * maximum block size), process (no allocation, no locks, no printing), reset,
 * free. */
#ifndef ADAC_ENGINE_H
#define ADAC_ENGINE_H

#include "controls.h"
#include "graph.h"

typedef struct adac_engine adac_engine;

/* The engine runs the graph in slices of at most this many bytes per channel
 * (128 doubles, 256 floats), whatever the caller's block (engine_core.c says
 * why). */
#define ADAC_SLICE_BYTES 1024

typedef enum { ADAC_PRECISION_DOUBLE, ADAC_PRECISION_SINGLE } adac_precision;

/* Double precision, no macro-controls. */
adac_engine *adac_engine_create(adac_graph *g);
/* With macro-controls (controls.h; NULL for none; the engine keeps its own copy). */
adac_engine *adac_engine_create_controlled(adac_graph *g, const adac_controls *controls, adac_precision precision);
adac_precision adac_engine_precision(const adac_engine *e);
/* "double" / "single" to a precision; -1 for anything else. */
int adac_precision_parse(const char *name);
/* Moves a control's slider, from any thread, also while processing; the value is
 * clamped to the control's range and smoothed. Returns the value taken, or NAN
 * if the control is not enabled. */
double adac_engine_set_control(adac_engine *e, adac_control_id id, double value);
int adac_engine_prepare(adac_engine *e, int max_block);
/* A prepared engine (blocks up to max_block) for an IR document with a controls
 * request (NULL: none), owning its graph; NULL with a message in err. */
adac_engine *adac_engine_from_json(const char *json, const char *controls_json, int max_block,
                                   adac_precision precision, char *err, size_t err_len);
/* The macro-controls it was created with (ranges as resolved for its model). */
const adac_controls *adac_engine_controls(const adac_engine *e);
/* The engine frees its graph when it is freed (for engines handed between threads). */
void adac_engine_adopt_graph(adac_engine *e);
/* Two prepared engines of the same shape: the same graph structure, delay lengths,
 * section counts and loop plan, the same block size and precision, parameter
 * values aside. */
int adac_engine_same_shape(const adac_engine *a, const adac_engine *b);
/* dst continues where src is: every delay line, filter state and control
 * smoother copied (same shape only), control values taken over. No allocation:
 * safe in the audio path. */
void adac_engine_take_state(adac_engine *dst, const adac_engine *src);
/* Only the control values (any two engines): dst's sliders move to src's. */
void adac_engine_take_controls(adac_engine *dst, const adac_engine *src);
/* in: n_inputs channel pointers, out: n_outputs channel pointers, n <= max_block.
 * in and out must not share memory. Non-finite input samples are taken as 0.
 * A single-precision engine rounds double input to float and widens its output. */
void adac_engine_process(adac_engine *e, const double *const *in, double *const *out, int n);
/* The same with float buffers (a double engine widens and rounds). */
void adac_engine_process_float(adac_engine *e, const float *const *in, float *const *out, int n);
void adac_engine_reset(adac_engine *e);
void adac_engine_free(adac_engine *e);
int adac_engine_num_inputs(const adac_engine *e);
/* Input samples that were NaN or infinite, replaced by 0 so that they never
 * reach the model's state (counted since create; readable from any thread). */
unsigned long long adac_engine_non_finite_inputs(const adac_engine *e);
int adac_engine_num_outputs(const adac_engine *e);
double adac_engine_sample_rate(const adac_engine *e); /* its model's fs */

/* Convenience (double precision): impulse responses of every input->output path, n_samples long,
 * laid out as out[(o * n_in + i) * n_samples + t]. Returns 0 on allocation failure. */
int adac_engine_render_impulse(adac_graph *g, int n_samples, int max_block, double *out);
/* The same from a prepared engine, in its current control settings; each path
 * starts from a reset (state cleared, sliders smoothing from their init). */
int adac_engine_render_paths(adac_engine *e, int n_samples, double *out);

#endif
