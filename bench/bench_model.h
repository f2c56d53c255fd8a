/* The benchmark's model family: a mono-in, mono-out FDN of N lines, built as ADAC
 * IR text so that the engine and the FAUST emitter both load it through the same
 * validated door as any other model. */
#ifndef ADAC_BENCH_MODEL_H
#define ADAC_BENCH_MODEL_H

typedef enum {
    ADAC_BENCH_DENSE,       /* random orthogonal matrix, stored dense */
    ADAC_BENCH_HOUSEHOLDER, /* I - 2uu^T, marked as structured */
    ADAC_BENCH_HADAMARD,    /* Sylvester Hadamard / sqrt(N), marked as structured */
    ADAC_BENCH_DIAGONAL     /* no mixing (a parallel gain of 1): the floor the
                             * delays and filters set for any fast form */
} adac_bench_kind;

const char *adac_bench_kind_name(adac_bench_kind k);
/* Returns 0 for an unknown name. */
int adac_bench_kind_parse(const char *name, adac_bench_kind *k);
/* Whether the kind exists for n lines (Hadamard needs a power of two). */
int adac_bench_kind_fits(adac_bench_kind k, int n_lines);

/* The IR document (malloc'd text) of an FDN with n_lines delay lines of prime
 * lengths between about 12 and 45 ms, one second-order absorption section per line
 * (a 2 s / 0.5 s low/high-frequency decay), random input and output gains. seed
 * makes it reproducible. NULL when the kind does not fit or memory runs out. */
char *adac_bench_fdn_ir(int n_lines, adac_bench_kind kind, double fs, unsigned seed);

#endif
