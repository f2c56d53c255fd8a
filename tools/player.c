#include "player.h"

#include "bus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int adac_player_init(adac_player *p, adac_engine *e, int n_in, int n_out, int block, int fade_samples, int timing)
{
    *p = (adac_player){.n_in = n_in, .n_out = n_out, .block = block, .frames_left = -1, .out_gain = 1.0};
    atomic_init(&p->xruns, 0);
    int hot_ok = adac_hot_init(&p->hot, e, block, fade_samples);
    p->in_bus = adac_bus_alloc(n_in, block);
    p->out_bus = adac_bus_alloc(n_out, block);
    p->frame_in = calloc((size_t)block * (n_in ? n_in : 1), sizeof *p->frame_in);
    if (timing) p->render_us = calloc(ADAC_PLAYER_TIMES, sizeof *p->render_us);
    return hot_ok && p->in_bus && p->out_bus && p->frame_in && (!timing || p->render_us);
}

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

double adac_player_render_quantile(const adac_player *p, double q)
{
    long long n = p->n_renders < ADAC_PLAYER_TIMES ? p->n_renders : ADAC_PLAYER_TIMES;
    if (!p->render_us || n == 0) return NAN;
    float *sorted = malloc((size_t)n * sizeof *sorted);
    if (!sorted) return NAN;
    memcpy(sorted, p->render_us, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, by_value);
    double v = sorted[(long long)fmin((double)n - 1, floor(q * (double)n))];
    free(sorted);
    return v;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void adac_player_restart(adac_player *p)
{
    p->tail_done = p->quiet_run = p->clipped = 0;
    p->peak = 0;
}

/* Whether this frame ends the tail (the input has ended). */
static int tail_over(adac_player *p, double frame_peak)
{
    if (p->tail_done >= p->tail_max) return 1;
    p->tail_done++;
    if (!p->tail_auto) return 0;
    p->quiet_run = frame_peak <= p->quiet_ratio * p->peak ? p->quiet_run + 1 : 0;
    return p->quiet_run >= p->quiet_window;
}

long adac_player_render(adac_player *p, const float *live_in, float *out, long frames)
{
    long done = 0, used = frames;
    int over = 0;
    while (done < frames) {
        int n = (int)(frames - done < p->block ? frames - done : p->block);
        long got = 0;
        if (p->source) {
            got = (long)adac_file_source_take(p->source, p->frame_in, (size_t)n);
        } else if (live_in) {
            memcpy(p->frame_in, live_in + done * p->n_in, (size_t)n * p->n_in * sizeof *p->frame_in);
            got = n;
        }
        int input_over = p->source && got < n && adac_file_source_ended(p->source);
        for (int c = 0; c < p->n_in; c++)
            for (int t = 0; t < n; t++) p->in_bus[c][t] = t < got ? p->frame_in[t * p->n_in + c] : 0.0;
        double started = p->render_us ? seconds_now() : 0.0;
        adac_hot_process(&p->hot, (const double *const *)p->in_bus, p->out_bus, n);
        if (p->render_us) {
            double us = 1e6 * (seconds_now() - started);
            p->render_us[p->n_renders++ % ADAC_PLAYER_TIMES] = (float)us;
            p->over_budget += us > p->budget_us * n / p->block;
        }
        for (int t = 0; t < n; t++) {
            double frame_peak = 0;
            for (int c = 0; c < p->n_out; c++) {
                double y = over ? 0.0 : p->out_gain * p->out_bus[c][t];
                out[(done + t) * p->n_out + c] = (float)y;
                frame_peak = fmax(frame_peak, fabs(y));
                p->clipped += fabs(y) > 1.0;
            }
            if (over) continue;
            p->peak = fmax(p->peak, frame_peak);
            if ((input_over && t >= got && tail_over(p, frame_peak)) ||
                (p->frames_left >= 0 && --p->frames_left < 0)) {
                over = 1;
                used = done + t;
            }
        }
        done += n;
    }
    return over ? used : frames;
}

void adac_player_free(adac_player *p)
{
    adac_hot_free(&p->hot);
    free(p->render_us);
    adac_bus_free(p->in_bus);
    adac_bus_free(p->out_bus);
    free(p->frame_in);
}
