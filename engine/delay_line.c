#include "delay_line.h"

#include <stdlib.h>
#include <string.h>

/* i mod size for 0 <= i < 2 size: every position below is the write position
 * plus or minus at most one ring (n + delay < size), and a division per call
 * costs more than the copy of a short run. */
static size_t wrap(const adac_delay_line *dl, size_t i)
{
    return i >= dl->size ? i - dl->size : i;
}

/* Where the n samples that end `delay` samples before the write position start. */
static size_t read_pos(const adac_delay_line *dl, int n, size_t delay)
{
    return wrap(dl, dl->write_pos + dl->size - (size_t)n - delay);
}

/* A ring of at least `length` samples and its guard of one block. Whole cache
 * lines from a line's start: a block written at the write position (which
 * moves by whole runs of the block) then stores whole vectors into whole
 * lines, instead of splitting one store in two lines every other vector. */
static int prepare_ring(adac_delay_line *dl, size_t length, size_t max_block)
{
    size_t per_line = 64 / sizeof *dl->buf;
    size_t size = (length + per_line - 1) / per_line * per_line;
    size_t guard = (max_block + per_line - 1) / per_line * per_line;
    dl->buf = aligned_alloc(64, (size + guard) * sizeof *dl->buf);
    if (dl->buf) memset(dl->buf, 0, (size + guard) * sizeof *dl->buf);
    dl->size = size;
    dl->guard = guard;
    dl->write_pos = 0;
    return dl->buf != NULL;
}

int adac_delay_line_prepare(adac_delay_line *dl, size_t max_delay, size_t max_block)
{
    return prepare_ring(dl, max_delay + max_block + 1, max_block);
}

int adac_delay_line_prepare_loop(adac_delay_line *dl, size_t max_delay, size_t max_block)
{
    return prepare_ring(dl, max_delay > 0 ? max_delay : 1, max_block);
}

/* After samples [w, w + n) went in at buf + w (n <= guard, so they end within
 * the guard): the part past the ring's end belongs at its start, and whatever
 * now lies at the start must show in the guard too. */
static void settle(adac_delay_line *dl, size_t w, size_t n)
{
    size_t end = w + n;
    if (end > dl->size) memcpy(dl->buf, dl->buf + dl->size, (end - dl->size) * sizeof *dl->buf);
    size_t stop = end < dl->size ? end : dl->size;
    if (w < dl->guard) {
        size_t mirror_end = stop < dl->guard ? stop : dl->guard;
        if (mirror_end > w) memcpy(dl->buf + dl->size + w, dl->buf + w, (mirror_end - w) * sizeof *dl->buf);
    }
    dl->write_pos = wrap(dl, end);
}

void adac_delay_line_write(adac_delay_line *dl, const adac_sample *in, int n)
{
    for (size_t done = 0; done < (size_t)n;) {
        size_t run = (size_t)n - done < dl->guard ? (size_t)n - done : dl->guard;
        memcpy(dl->buf + dl->write_pos, in + done, run * sizeof *in);
        settle(dl, dl->write_pos, run);
        done += run;
    }
}

void adac_delay_line_read(const adac_delay_line *dl, adac_sample *out, int n, size_t delay)
{
    memcpy(out, dl->buf + read_pos(dl, n, delay), (size_t)n * sizeof *out);
}

void adac_delay_line_read_add_scaled(const adac_delay_line *dl, adac_sample *out, int n, size_t delay,
                                     adac_sample gain)
{
    const adac_sample *src = dl->buf + read_pos(dl, n, delay);
    if (gain == 1.0)
        for (int i = 0; i < n; i++) out[i] += src[i];
    else
        for (int i = 0; i < n; i++) out[i] += gain * src[i];
}

const adac_sample *adac_delay_line_peek(const adac_delay_line *dl, int n, size_t delay)
{
    return (size_t)n <= dl->guard ? dl->buf + read_pos(dl, n, delay) : NULL;
}

adac_sample *adac_delay_line_next(adac_delay_line *dl, int n)
{
    return (size_t)n <= dl->guard ? dl->buf + dl->write_pos : NULL;
}

void adac_delay_line_commit(adac_delay_line *dl, int n)
{
    settle(dl, dl->write_pos, (size_t)n);
}

void adac_delay_line_reset(adac_delay_line *dl)
{
    memset(dl->buf, 0, (dl->size + dl->guard) * sizeof *dl->buf);
    dl->write_pos = 0;
}

void adac_delay_line_free(adac_delay_line *dl)
{
    free(dl->buf);
    dl->buf = NULL;
}
