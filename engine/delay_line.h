/* A delay line on a ring buffer sized exactly (no power-of-two rounding: across
 * tens of lines the extra memory would push the state out of cache). Reads and
 * writes are at most two contiguous runs, so the wrap costs one division per call. Life cycle: prepare (allocates),
 * write / read in the audio path (no allocation), reset, free. One line serves
 * any number of read taps, each with its own delay. */
#ifndef ADAC_DELAY_LINE_H
#define ADAC_DELAY_LINE_H

#include "sample.h"

#include <stddef.h>

#define adac_delay_line_prepare ADAC_SAMPLE_NAME(adac_delay_line_prepare)
#define adac_delay_line_write ADAC_SAMPLE_NAME(adac_delay_line_write)
#define adac_delay_line_read ADAC_SAMPLE_NAME(adac_delay_line_read)
#define adac_delay_line_read_add_scaled ADAC_SAMPLE_NAME(adac_delay_line_read_add_scaled)
#define adac_delay_line_peek ADAC_SAMPLE_NAME(adac_delay_line_peek)
#define adac_delay_line_next ADAC_SAMPLE_NAME(adac_delay_line_next)
#define adac_delay_line_commit ADAC_SAMPLE_NAME(adac_delay_line_commit)
#define adac_delay_line_reset ADAC_SAMPLE_NAME(adac_delay_line_reset)
#define adac_delay_line_free ADAC_SAMPLE_NAME(adac_delay_line_free)

typedef struct {
    adac_sample *buf;
    size_t size;
    size_t write_pos; /* index of the next sample to be written, < size */
} adac_delay_line;

/* Room for reads up to max_delay samples behind a block of max_block samples. */
int adac_delay_line_prepare(adac_delay_line *dl, size_t max_delay, size_t max_block);
void adac_delay_line_write(adac_delay_line *dl, const adac_sample *in, int n);
/* out[i] = x[w - n + i - delay], w = samples written so far: with delay = 0 right
 * after writing n samples, the same n samples come back. */
void adac_delay_line_read(const adac_delay_line *dl, adac_sample *out, int n, size_t delay);
/* Like read, but adds gain * the delayed samples into out. */
void adac_delay_line_read_add_scaled(const adac_delay_line *dl, adac_sample *out, int n, size_t delay,
                                     adac_sample gain);
/* Zero-copy access for a loop that reads a block and later writes one:
 * peek is where read(dl, out, n, delay) would copy from, and next where the next
 * n samples written go, each only while the run is contiguous in the ring (NULL
 * when it wraps: copy instead). commit then counts n samples written through next. */
const adac_sample *adac_delay_line_peek(const adac_delay_line *dl, int n, size_t delay);
adac_sample *adac_delay_line_next(adac_delay_line *dl, int n);
void adac_delay_line_commit(adac_delay_line *dl, int n);
void adac_delay_line_reset(adac_delay_line *dl);
void adac_delay_line_free(adac_delay_line *dl);

#endif
