/* libfaust on untrusted .dsp text, contained. libfaust itself can crash (deep
 * par(), huge @() delays), hang, or take minutes on a hostile program, so the
 * compile and the render run in a child process with a time and memory limit;
 * the parent gets the impulse responses back through a pipe, or a message that
 * says what happened (crashed with which signal, ran out of time or memory). */
#ifndef ADAC_FAUST_ISOLATED_H
#define ADAC_FAUST_ISOLATED_H

#include <stddef.h>

typedef struct {
    const char *code;           /* .dsp text */
    int double_precision;       /* compile with -double */
    int fs, n;                  /* render n samples per path at fs */
    int n_params;               /* sliders set by label before rendering */
    const char *const *labels;
    const double *values;
    int max_paths;              /* out holds max_paths * n doubles */
    double seconds;             /* time limit for compile + render (<= 0: default) */
    size_t memory_bytes;        /* address-space limit of the child (0: default) */
} adac_faust_job;

#define ADAC_FAUST_DEFAULT_SECONDS 60.0
#define ADAC_FAUST_DEFAULT_MEMORY ((size_t)8 << 30)

/* Impulse responses out[(o * n_in + i) * n + t] of every path, with the DSP's
 * channel counts in n_in, n_out. Returns 1, or 0 with err set. */
int adac_faust_render_isolated(const adac_faust_job *job, double *out, int *n_in, int *n_out, char *err,
                               size_t err_len);

#endif
