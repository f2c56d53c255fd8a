/* The one clock adac-bench and its measurements time with: monotonic seconds. */
#ifndef ADAC_BENCH_CLOCK_H
#define ADAC_BENCH_CLOCK_H

#include <time.h>

static inline double adac_bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

#endif
