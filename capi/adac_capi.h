/* The C library's flat interface, called from Python through ctypes. Strings in,
 * numbers and strings out; every call reports failure with a message in err. */
#ifndef ADAC_CAPI_H
#define ADAC_CAPI_H

#include <stddef.h>

int adac_capi_ir_version(void);
/* Validates an IR document; on success writes its channel counts. 1 ok, 0 error. */
int adac_capi_check(const char *json, int *n_in, int *n_out, char *err, size_t err_len);
/* FAUST source for an IR document (free with adac_capi_free), NULL on error.
 * controls: a macro-controls request as JSON (controls.h), or NULL. */
char *adac_capi_to_faust(const char *json, const char *controls, char *err, size_t err_len);
/* Engine impulse responses, out[(o * n_in + i) * n + t]; sizes from adac_capi_check.
 * controls as above; values: one per control id (rt60, dry_wet, pre_delay), NAN
 * to leave a slider at its init, or NULL. single_precision: the single-precision
 * engine (float coefficients and arithmetic) instead of the double one. */
int adac_capi_render_engine(const char *json, const char *controls, const double *values, int n,
                            int block, int single_precision, double *out, char *err, size_t err_len);
/* Compile FAUST source with libfaust and render its impulse responses, with
 * n_params sliders set by label first. n_in/n_out receive the DSP's channel
 * counts; out must hold max_paths * n doubles. */
int adac_capi_render_faust(const char *code, int fs, int n, int double_precision, int n_params,
                           const char *const *labels, const double *values, int max_paths, double *out,
                           int *n_in, int *n_out, char *err, size_t err_len);
/* The name of macro-control `id` (0, 1, ...: the order of render_engine's values),
 * NULL past the last one. */
const char *adac_capi_control_name(int id);
/* The level the engine's hot loops run at ("nofma", "baseline", "avx2",
 * "avx512"): the CPU's best, or another where ADAC_SIMD asked for it when the
 * library loaded (engine/simd.h). */
const char *adac_capi_simd_level(void);
/* The coefficient-rounding floor of a single-precision build (coef_floor.h), dB re
 * peak over n samples; NAN if the model does not load. */
double adac_capi_coefficient_floor_db(const char *json, int n);
/* The stability certificate as JSON text (free with adac_capi_free), NULL on error. */
char *adac_capi_certify(const char *json, const char *controls, int single_precision, char *err, size_t err_len);
/* The macro-controls a request enables on a model, as the engine and the emitter
 * take them: a JSON array of {name, unit, init, min, max, step, smooth_s} in
 * control-id order (free with adac_capi_free), NULL on error. */
char *adac_capi_controls_describe(const char *json, const char *controls, char *err, size_t err_len);
/* A streaming engine (engine/hot_swap.h): process keeps state between calls,
 * load swaps in another model at the next block (the same shape keeps the delay
 * lines and filter states; another crossfades over fade_samples). Arrays are
 * interleaved, (n, channels). load returns 1 (state kept), 2 (crossfade) or 0
 * with a message; set returns the value taken or NAN. single_precision: the
 * engine's single-precision path, kept by every load. */
typedef struct adac_capi_stream adac_capi_stream;
adac_capi_stream *adac_capi_stream_new(const char *json, const char *controls, int block, int fade_samples,
                                       int single_precision, char *err, size_t err_len);
void adac_capi_stream_channels(const adac_capi_stream *s, int *n_in, int *n_out);
void adac_capi_stream_process(adac_capi_stream *s, const double *in, double *out, long n);
double adac_capi_stream_set(adac_capi_stream *s, int control_id, double value);
int adac_capi_stream_load(adac_capi_stream *s, const char *json, const char *controls, char *err, size_t err_len);
void adac_capi_stream_reset(adac_capi_stream *s);
void adac_capi_stream_free(adac_capi_stream *s);
void adac_capi_free(void *p);

#endif
