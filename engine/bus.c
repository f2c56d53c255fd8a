#include "bus.h"

#include <stdlib.h>

adac_sample **adac_bus_alloc(int channels, int len)
{
    if (channels <= 0) channels = 1;
    adac_sample **bus = malloc(channels * sizeof *bus);
    adac_sample *mem = calloc((size_t)channels * len, sizeof *mem);
    if (!bus || !mem) {
        free(bus);
        free(mem);
        return NULL;
    }
    for (int c = 0; c < channels; c++) bus[c] = mem + (size_t)c * len;
    return bus;
}

void adac_bus_free(adac_sample **bus)
{
    if (!bus) return;
    free(bus[0]);
    free(bus);
}
