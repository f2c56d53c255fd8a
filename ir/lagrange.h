/* Fractional delays as short FIRs of integer delays: Lagrange interpolation of a
 * chosen order, centred on the delay. The engine and the FAUST emitter both use
 * these taps, so they agree sample for sample whatever the order. */
#ifndef ADAC_LAGRANGE_H
#define ADAC_LAGRANGE_H

#include <stdint.h>

#define ADAC_LAGRANGE_DEFAULT_ORDER 9
#define ADAC_LAGRANGE_MAX_ORDER 31

/* A delay of `samples` (>= 0) as order + 1 taps at start, start + 1, ...,
 * start + order with the given gains, placed so the delay sits in the middle of
 * the window. The window never starts before sample 1 for a delay of at least one
 * sample (before 0 otherwise), so very short delays are served off-centre.
 * An integer delay gives a single tap of gain 1. Returns the tap count. */
int adac_lagrange_taps(double samples, int order, int64_t *start, double *gains);

#endif
