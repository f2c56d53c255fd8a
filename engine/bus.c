#include "bus.h"

#include <stdlib.h>

double **adac_bus_alloc(int channels, int len)
{
    if (channels <= 0) channels = 1;
    double **bus = malloc(channels * sizeof *bus);
    double *mem = calloc((size_t)channels * len, sizeof *mem);
    if (!bus || !mem) {
        free(bus);
        free(mem);
        return NULL;
    }
    for (int c = 0; c < channels; c++) bus[c] = mem + (size_t)c * len;
    return bus;
}

void adac_bus_free(double **bus)
{
    if (!bus) return;
    free(bus[0]);
    free(bus);
}
