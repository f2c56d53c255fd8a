/* The core's peak multiply-add rate, measured: independent multiply-add chains
 * in registers, enough of them to cover the latency, compiled for the same
 * dispatch levels as the engine's hot loops (simd.h). */
#ifndef ADAC_PEAK_FLOPS_H
#define ADAC_PEAK_FLOPS_H

typedef struct {
    double double_gflops, single_gflops;
    const char *dispatch; /* the level the engine's hot loops run at on this CPU */
} adac_peak;

/* About `seconds` per precision; the best of nine tries. */
adac_peak adac_peak_measure(double seconds);
const char *adac_dispatch_level(void);

#endif
