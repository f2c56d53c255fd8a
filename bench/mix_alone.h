/* The dense mix by itself: an N x N gain leaf (no delays, no filters) run by the
 * engine in each precision on N channels of noise, one slice in L1. It is the
 * part of the dense FDN that does most of the arithmetic, so its fraction of the
 * core's peak bounds what the whole model can reach. */
#ifndef ADAC_MIX_ALONE_H
#define ADAC_MIX_ALONE_H

typedef struct {
    int n;
    double double_gflops, single_gflops; /* (2N - 1) N flops per sample, best of the tries */
} adac_mix_alone;

/* About `seconds` per precision, best of ten tries; 0 on failure (out of memory). */
int adac_mix_alone_measure(int n, double seconds, adac_mix_alone *out);

#endif
