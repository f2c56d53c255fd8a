/* In-process FAUST: compile .dsp text with libfaust and render it. */
#ifndef ADAC_FAUST_DSP_H
#define ADAC_FAUST_DSP_H

#include <stddef.h>

typedef struct adac_faust_dsp adac_faust_dsp;

/* double_precision: compile with -double (the verifier's default), with the LLVM
 * back end; otherwise in single precision with the interpreter, which computes
 * every operation as written (faust_dsp.c says why). */
adac_faust_dsp *adac_faust_compile(const char *name, const char *code, int double_precision,
                                   char *err, size_t err_len);
/* Compile with any libfaust options (e.g. "-double", "-vec", "-vs", "32"), LLVM back end. */
adac_faust_dsp *adac_faust_compile_args(const char *name, const char *code, int argc,
                                        const char **argv, char *err, size_t err_len);
/* A further instance of the same compiled factory (opaque), e.g. to measure its size. */
void *adac_faust_new_instance(adac_faust_dsp *d);
void adac_faust_delete_instance(void *instance);
/* Whether the instance computes in double (it was compiled with -double). */
int adac_faust_is_double(const adac_faust_dsp *d);
/* Initialises for fs, then puts back the slider values set with set_param. */
void adac_faust_init(adac_faust_dsp *d, int fs);
/* Sets the slider (or button) labelled `label` (without its [metadata]) and keeps
 * the value across later inits and renders. Returns 0 if there is no such slider. */
int adac_faust_set_param(adac_faust_dsp *d, const char *label, double value);
/* One block: in/out are float ** or double ** as adac_faust_is_double says. */
void adac_faust_compute(adac_faust_dsp *d, int n, void **in, void **out);
int adac_faust_num_inputs(const adac_faust_dsp *d);
int adac_faust_num_outputs(const adac_faust_dsp *d);
/* Impulse responses of every input->output path, out[(o * n_in + i) * n + t]. */
int adac_faust_render_impulse(adac_faust_dsp *d, int fs, int n, double *out);
void adac_faust_free(adac_faust_dsp *d);
/* The libfaust version in use, e.g. "2.54.9". */
const char *adac_faust_version(void);

#endif
