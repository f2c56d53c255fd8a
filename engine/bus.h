/* A bus: `channels` channel pointers into one zeroed allocation of `len` samples
 * each. Allocated when a processor is prepared, never in the audio path. */
#ifndef ADAC_BUS_H
#define ADAC_BUS_H

#include "sample.h"

/* NULL on failure; at least one channel. Both sample types are declared: the
 * engine's edge converts between them. */
double **adac_bus_alloc_f64(int channels, int len);
float **adac_bus_alloc_f32(int channels, int len);
void adac_bus_free_f64(double **bus);
void adac_bus_free_f32(float **bus);

/* The build's own sample type. */
#define adac_bus_alloc ADAC_SAMPLE_NAME(adac_bus_alloc)
#define adac_bus_free ADAC_SAMPLE_NAME(adac_bus_free)

#endif
