#include "delay_line.h"

#include <stdlib.h>
#include <string.h>

int adac_delay_line_prepare(adac_delay_line *dl, size_t max_delay, size_t max_block)
{
    size_t need = max_delay + max_block + 1, size = 1;
    while (size < need) size <<= 1;
    dl->buf = calloc(size, sizeof *dl->buf);
    dl->mask = size - 1;
    dl->write_pos = 0;
    return dl->buf != NULL;
}

void adac_delay_line_write(adac_delay_line *dl, const double *in, int n)
{
    size_t w = dl->write_pos & dl->mask;
    size_t first = dl->mask + 1 - w;
    if ((size_t)n <= first) {
        memcpy(dl->buf + w, in, (size_t)n * sizeof *in);
    } else {
        memcpy(dl->buf + w, in, first * sizeof *in);
        memcpy(dl->buf, in + first, ((size_t)n - first) * sizeof *in);
    }
    dl->write_pos += (size_t)n;
}

void adac_delay_line_read(const adac_delay_line *dl, double *out, int n, size_t delay)
{
    size_t r = (dl->write_pos - (size_t)n - delay) & dl->mask;
    size_t first = dl->mask + 1 - r;
    if ((size_t)n <= first) {
        memcpy(out, dl->buf + r, (size_t)n * sizeof *out);
    } else {
        memcpy(out, dl->buf + r, first * sizeof *out);
        memcpy(out + first, dl->buf, ((size_t)n - first) * sizeof *out);
    }
}

void adac_delay_line_read_add(const adac_delay_line *dl, double *out, int n, size_t delay)
{
    size_t r = dl->write_pos - (size_t)n - delay;
    for (int i = 0; i < n; i++) out[i] += dl->buf[(r + (size_t)i) & dl->mask];
}

void adac_delay_line_read_add_scaled(const adac_delay_line *dl, double *out, int n, size_t delay,
                                     double gain)
{
    size_t r = dl->write_pos - (size_t)n - delay;
    for (int i = 0; i < n; i++) out[i] += gain * dl->buf[(r + (size_t)i) & dl->mask];
}

void adac_delay_line_reset(adac_delay_line *dl)
{
    memset(dl->buf, 0, (dl->mask + 1) * sizeof *dl->buf);
    dl->write_pos = 0;
}

void adac_delay_line_free(adac_delay_line *dl)
{
    free(dl->buf);
    dl->buf = NULL;
}
