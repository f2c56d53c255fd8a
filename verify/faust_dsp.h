/* In-process FAUST: compile .dsp text with libfaust (LLVM backend) and render it. */
#ifndef ADAC_FAUST_DSP_H
#define ADAC_FAUST_DSP_H

#include <stddef.h>

typedef struct adac_faust_dsp adac_faust_dsp;

/* double_precision: compile with -double (the verifier's default). */
adac_faust_dsp *adac_faust_compile(const char *name, const char *code, int double_precision,
                                   char *err, size_t err_len);
int adac_faust_num_inputs(const adac_faust_dsp *d);
int adac_faust_num_outputs(const adac_faust_dsp *d);
/* Impulse responses of every input->output path, out[(o * n_in + i) * n + t]. */
int adac_faust_render_impulse(adac_faust_dsp *d, int fs, int n, double *out);
void adac_faust_free(adac_faust_dsp *d);
/* The libfaust version in use, e.g. "2.54.9". */
const char *adac_faust_version(void);

#endif
