/* A delay line on a ring buffer sized exactly (no power-of-two rounding: across
 * tens of lines the extra memory would push the state out of cache), followed
 * by a guard of one block: a run of up to a block that crosses the ring's end
 * is still one stretch of memory there, so a loop reads and writes its lines in
 * place (peek copies the ring's start into the guard for a run that needs it,
 * commit copies what was written past the end back to the start: at most one
 * block per trip round the ring, each way). Life cycle: prepare (allocates),
 * write / read in the audio path (no allocation), reset, free. One line serves
 * any number of read taps, each with its own delay. */
#ifndef ADAC_DELAY_LINE_H
#define ADAC_DELAY_LINE_H

#include "sample.h"

#include <stddef.h>

#define adac_delay_line_prepare ADAC_SAMPLE_NAME(adac_delay_line_prepare)
#define adac_delay_line_prepare_loop ADAC_SAMPLE_NAME(adac_delay_line_prepare_loop)
#define adac_delay_line_write ADAC_SAMPLE_NAME(adac_delay_line_write)
#define adac_delay_line_read ADAC_SAMPLE_NAME(adac_delay_line_read)
#define adac_delay_line_read_add_scaled ADAC_SAMPLE_NAME(adac_delay_line_read_add_scaled)
#define adac_delay_line_peek ADAC_SAMPLE_NAME(adac_delay_line_peek)
#define adac_delay_line_next ADAC_SAMPLE_NAME(adac_delay_line_next)
#define adac_delay_line_commit ADAC_SAMPLE_NAME(adac_delay_line_commit)
#define adac_delay_line_copy_to_guard ADAC_SAMPLE_NAME(adac_delay_line_copy_to_guard)
#define adac_delay_line_copy_from_guard ADAC_SAMPLE_NAME(adac_delay_line_copy_from_guard)
#define adac_delay_line_reset ADAC_SAMPLE_NAME(adac_delay_line_reset)
#define adac_delay_line_free ADAC_SAMPLE_NAME(adac_delay_line_free)

typedef struct {
    adac_sample *buf;
    size_t size;      /* the ring's length */
    size_t guard;     /* samples after it, for runs that cross the end */
    size_t write_pos; /* index of the next sample to be written, < size */
} adac_delay_line;

/* Room for reads up to max_delay samples behind a block of max_block samples. */
int adac_delay_line_prepare(adac_delay_line *dl, size_t max_delay, size_t max_block);
/* For a loop that reads each run before it writes one (lag n, every delay at
 * least n): the ring need hold only max_delay samples, so the run a loop writes
 * is, to within a cache line, the run it has just read, still in the cache. */
int adac_delay_line_prepare_loop(adac_delay_line *dl, size_t max_delay, size_t max_block);
void adac_delay_line_write(adac_delay_line *dl, const adac_sample *in, int n);
/* out[i] = x[w - n + i - delay], w = samples written so far: with delay = 0 right
 * after writing n samples, the same n samples come back. */
void adac_delay_line_read(const adac_delay_line *dl, adac_sample *out, int n, size_t delay);
/* Like read, but adds gain * the delayed samples into out. */
void adac_delay_line_read_add_scaled(const adac_delay_line *dl, adac_sample *out, int n, size_t delay,
                                     adac_sample gain);
void adac_delay_line_reset(adac_delay_line *dl);
void adac_delay_line_free(adac_delay_line *dl);

/* Zero-copy access for a loop that reads a block and later writes one, n at
 * most the block the line was prepared for: peek is where read(dl, out, n,
 * delay) would copy from, valid until the next commit, and next where the next
 * n samples written go. commit then takes n samples written through next.
 * They run per line and chunk in every loop: inline, so that a loop of 32
 * lines does not make 96 calls a chunk for a few additions; the copies of a
 * crossing run (once per trip round the ring) stay calls. end: one past the
 * last position the run reached, beyond the ring's end. */
void adac_delay_line_copy_to_guard(adac_delay_line *dl, size_t end);
void adac_delay_line_copy_from_guard(adac_delay_line *dl, size_t end);

/* i mod size for 0 <= i < 2 size: every position is the write position plus
 * or minus at most one ring (n + delay < size), and a division per call costs
 * more than the copy of a short run. */
static inline size_t adac_delay_line_wrap(const adac_delay_line *dl, size_t i)
{
    return i >= dl->size ? i - dl->size : i;
}

/* Where the n samples that end `delay` samples before the write position start. */
static inline size_t adac_delay_line_read_pos(const adac_delay_line *dl, int n, size_t delay)
{
    return adac_delay_line_wrap(dl, dl->write_pos + dl->size - (size_t)n - delay);
}

/* A run that crosses the ring's end reads its tail from the guard, which gets
 * a copy of the ring's start just then: the guard holds no state of its own. */
static inline const adac_sample *adac_delay_line_peek(adac_delay_line *dl, int n, size_t delay)
{
    size_t r = adac_delay_line_read_pos(dl, n, delay);
    if (r + (size_t)n > dl->size) adac_delay_line_copy_to_guard(dl, r + (size_t)n);
    return dl->buf + r;
}

static inline adac_sample *adac_delay_line_next(adac_delay_line *dl, int n)
{
    (void)n; /* at most the block prepared for, so the run ends within the guard */
    return dl->buf + dl->write_pos;
}

/* What went past the ring's end, into the guard, belongs at its start. */
static inline void adac_delay_line_commit(adac_delay_line *dl, int n)
{
    size_t end = dl->write_pos + (size_t)n;
    if (end > dl->size) adac_delay_line_copy_from_guard(dl, end);
    dl->write_pos = adac_delay_line_wrap(dl, end);
}

#endif
