#include "hot_swap.h"

#include "bus.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

int adac_hot_init(adac_hot_engine *h, adac_engine *first, int max_block, int fade_samples)
{
    *h = (adac_hot_engine){0};
    h->current = first;
    h->max_block = max_block;
    h->fade_len = fade_samples > 0 ? fade_samples : 1;
    h->fresh = 1;
    h->n_out = adac_engine_num_outputs(first);
    atomic_init(&h->pending, NULL);
    for (int i = 0; i < ADAC_HOT_RETIRE_SLOTS; i++) atomic_init(&h->retired[i], NULL);
    const adac_controls *spec = adac_engine_controls(first);
    for (int id = 0; id < ADAC_CTL_COUNT; id++) {
        atomic_init(&h->requested[id], NAN);
        h->ranges[id] = spec->ctl[id];
    }
    atomic_init(&h->request_serial, 0);
    atomic_init(&h->swapped_ns, 0);
    h->fade_out = adac_bus_alloc(h->n_out, max_block);
    return h->fade_out != NULL;
}

void adac_hot_offer(adac_hot_engine *h, adac_engine *e)
{
    adac_engine *old = atomic_exchange(&h->pending, e);
    adac_engine_free(old); /* never reached the audio thread */
}

void adac_hot_collect(adac_hot_engine *h)
{
    for (int i = 0; i < ADAC_HOT_RETIRE_SLOTS; i++) adac_engine_free(atomic_exchange(&h->retired[i], NULL));
}

/* Hands an engine back for freeing; 0 when every slot is full. */
static int retire(adac_hot_engine *h, adac_engine *e)
{
    for (int i = 0; i < ADAC_HOT_RETIRE_SLOTS; i++) {
        adac_engine *empty = NULL;
        if (atomic_compare_exchange_strong(&h->retired[i], &empty, e)) return 1;
    }
    return 0;
}

double adac_hot_set_control(adac_hot_engine *h, adac_control_id id, double value)
{
    const adac_control_setting *r = &h->ranges[id];
    if (!r->enabled || isnan(value)) return NAN;
    atomic_store(&h->requested[id], value);
    atomic_fetch_add(&h->request_serial, 1);
    return value < r->min ? r->min : value > r->max ? r->max : value;
}

static void apply_requests(adac_hot_engine *h)
{
    unsigned serial = atomic_load(&h->request_serial);
    if (serial == h->applied_serial) return;
    h->applied_serial = serial;
    for (int id = 0; id < ADAC_CTL_COUNT; id++) {
        double v = atomic_load(&h->requested[id]);
        if (!isnan(v)) adac_engine_set_control(h->current, (adac_control_id)id, v);
    }
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Returns 1 when a new engine was taken. */
static int take_pending(adac_hot_engine *h)
{
    /* Nothing new is taken while an engine waits for a free slot. */
    if (h->unretired) {
        if (!retire(h, h->unretired)) return 0;
        h->unretired = NULL;
    }
    adac_engine *next = atomic_exchange(&h->pending, NULL);
    if (!next) return 0;
    if (h->fresh) {
        adac_engine_take_controls(next, h->current);
        if (!retire(h, h->current)) h->unretired = h->current;
        atomic_fetch_add(&h->kept, 1);
    } else if (adac_engine_same_shape(next, h->current)) {
        adac_engine_take_state(next, h->current);
        if (!retire(h, h->current)) h->unretired = h->current;
        atomic_fetch_add(&h->kept, 1);
    } else {
        adac_engine_take_controls(next, h->current);
        /* A fade already running ends now: its old graph is cut, the newer fades. */
        if (h->fading && !retire(h, h->fading)) h->unretired = h->fading;
        h->fading = h->current;
        h->fade_pos = 0;
        atomic_fetch_add(&h->faded, 1);
    }
    h->current = next;
    return 1;
}

void adac_hot_process(adac_hot_engine *h, const double *const *in, double *const *out, int n)
{
    apply_requests(h);
    int swapped = take_pending(h);
    adac_engine_process(h->current, in, out, n);
    h->fresh = 0;
    if (swapped) {
        /* taken last: whoever sees it change also sees kept/faded and the time */
        atomic_store(&h->swapped_ns, now_ns());
        atomic_fetch_add(&h->taken, 1);
    }
    if (!h->fading) return;
    adac_engine_process(h->fading, in, h->fade_out, n);
    const double quarter = 1.5707963267948966; /* pi / 2 */
    int t = 0;
    for (; t < n && h->fade_pos < h->fade_len; t++, h->fade_pos++) {
        double g = (h->fade_pos + 0.5) / h->fade_len;
        double in_gain = sin(quarter * g), out_gain = cos(quarter * g);
        for (int c = 0; c < h->n_out; c++) out[c][t] = in_gain * out[c][t] + out_gain * h->fade_out[c][t];
    }
    if (h->fade_pos >= h->fade_len) {
        if (retire(h, h->fading)) {
            h->fading = NULL;
        } else if (!h->unretired) {
            h->unretired = h->fading;
            h->fading = NULL;
        }
    }
}

void adac_hot_reset(adac_hot_engine *h)
{
    adac_engine_reset(h->current);
    h->fresh = 1;
    if (!h->fading) return;
    if (retire(h, h->fading)) {
        h->fading = NULL;
    } else if (!h->unretired) {
        h->unretired = h->fading;
        h->fading = NULL;
    } else {
        h->fade_pos = h->fade_len; /* no free slot: it stays, unheard, until one frees */
    }
}

void adac_hot_free(adac_hot_engine *h)
{
    adac_hot_collect(h);
    adac_engine_free(atomic_exchange(&h->pending, NULL));
    adac_engine_free(h->current);
    adac_engine_free(h->fading);
    adac_engine_free(h->unretired);
    adac_bus_free(h->fade_out);
    *h = (adac_hot_engine){0};
}
