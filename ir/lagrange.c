#include "lagrange.h"

#include <math.h>

int adac_lagrange_taps(double samples, int order, int64_t *start, double *gains)
{
    double r = nearbyint(samples);
    if (order < 1 || fabs(samples - r) <= 1e-9 * (1.0 + fabs(samples))) {
        *start = (int64_t)r;
        gains[0] = 1.0;
        return 1;
    }
    /* Centre the window on the delay, but never reach into the present sample when
     * the delay is at least one sample long: a loop built from such a delay keeps
     * at least one sample of delay and stays realisable. */
    double first = floor(samples - (order - 1) / 2.0);
    double earliest = samples >= 1.0 ? 1.0 : 0.0;
    if (first < earliest) first = earliest;
    double x = samples - first; /* position of the delay inside the window 0..order */
    for (int k = 0; k <= order; k++) {
        double h = 1.0;
        for (int j = 0; j <= order; j++)
            if (j != k) h *= (x - j) / (double)(k - j);
        gains[k] = h;
    }
    *start = (int64_t)first;
    return order + 1;
}
