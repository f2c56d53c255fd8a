/* A bus: `channels` channel pointers into one zeroed allocation of `len` samples
 * each. Allocated when a processor is prepared, never in the audio path. */
#ifndef ADAC_BUS_H
#define ADAC_BUS_H

double **adac_bus_alloc(int channels, int len); /* NULL on failure; at least one channel */
void adac_bus_free(double **bus);

#endif
