/* A delay line on a ring buffer sized exactly (no power-of-two rounding: across
 * tens of lines the extra memory would push the state out of cache). Reads and
 * writes are at most two contiguous runs, so the wrap costs one division per call. Life cycle: prepare (allocates),
 * write / read in the audio path (no allocation), reset, free. One line serves
 * any number of read taps, each with its own delay. */
#ifndef ADAC_DELAY_LINE_H
#define ADAC_DELAY_LINE_H

#include <stddef.h>

typedef struct {
    double *buf;
    size_t size;
    size_t write_pos; /* index of the next sample to be written, < size */
} adac_delay_line;

/* Room for reads up to max_delay samples behind a block of max_block samples. */
int adac_delay_line_prepare(adac_delay_line *dl, size_t max_delay, size_t max_block);
void adac_delay_line_write(adac_delay_line *dl, const double *in, int n);
/* out[i] = x[w - n + i - delay], w = samples written so far: with delay = 0 right
 * after writing n samples, the same n samples come back. */
void adac_delay_line_read(const adac_delay_line *dl, double *out, int n, size_t delay);
/* Like read, but adds gain * the delayed samples into out. */
void adac_delay_line_read_add_scaled(const adac_delay_line *dl, double *out, int n, size_t delay,
                                     double gain);
/* Zero-copy access for a loop that reads a block and later writes one:
 * peek is where read(dl, out, n, delay) would copy from, and next where the next
 * n samples written go, each only while the run is contiguous in the ring (NULL
 * when it wraps: copy instead). commit then counts n samples written through next. */
const double *adac_delay_line_peek(const adac_delay_line *dl, int n, size_t delay);
double *adac_delay_line_next(adac_delay_line *dl, int n);
void adac_delay_line_commit(adac_delay_line *dl, int n);
void adac_delay_line_reset(adac_delay_line *dl);
void adac_delay_line_free(adac_delay_line *dl);

#endif
