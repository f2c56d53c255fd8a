#include "delay_line.h"

#include <stdlib.h>
#include <string.h>

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

void adac_delay_line_write(adac_delay_line *dl, const adac_sample *in, int n)
{
    size_t w = dl->write_pos;
    size_t first = dl->size - w;
    if ((size_t)n <= first) {
        memcpy(dl->buf + w, in, (size_t)n * sizeof *in);
    } else {
        memcpy(dl->buf + w, in, first * sizeof *in);
        memcpy(dl->buf, in + first, ((size_t)n - first) * sizeof *in);
    }
    dl->write_pos = adac_delay_line_wrap(dl, w + (size_t)n);
}

void adac_delay_line_read(const adac_delay_line *dl, adac_sample *out, int n, size_t delay)
{
    size_t r = adac_delay_line_read_pos(dl, n, delay);
    size_t first = dl->size - r;
    if ((size_t)n <= first) {
        memcpy(out, dl->buf + r, (size_t)n * sizeof *out);
    } else {
        memcpy(out, dl->buf + r, first * sizeof *out);
        memcpy(out + first, dl->buf, ((size_t)n - first) * sizeof *out);
    }
}

/* The ring holds the n samples as at most two contiguous runs; adding run by run
 * keeps the inner loop a plain vectorisable stream. */
static void add_scaled_run(adac_sample *out, const adac_sample *src, size_t n, adac_sample gain)
{
    if (gain == 1.0)
        for (size_t i = 0; i < n; i++) out[i] += src[i];
    else
        for (size_t i = 0; i < n; i++) out[i] += gain * src[i];
}

void adac_delay_line_read_add_scaled(const adac_delay_line *dl, adac_sample *out, int n, size_t delay,
                                     adac_sample gain)
{
    size_t r = adac_delay_line_read_pos(dl, n, delay);
    size_t first = dl->size - r;
    if ((size_t)n <= first) {
        add_scaled_run(out, dl->buf + r, (size_t)n, gain);
    } else {
        add_scaled_run(out, dl->buf + r, first, gain);
        add_scaled_run(out + first, dl->buf, (size_t)n - first, gain);
    }
}

void adac_delay_line_copy_to_guard(adac_delay_line *dl, size_t end)
{
    memcpy(dl->buf + dl->size, dl->buf, (end - dl->size) * sizeof *dl->buf);
}

void adac_delay_line_copy_from_guard(adac_delay_line *dl, size_t end)
{
    memcpy(dl->buf, dl->buf + dl->size, (end - dl->size) * sizeof *dl->buf);
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
