/* The decay a feedback loop has of its own, which the rt60 control's "decay"
 * mode moves to the slider's value.
 *
 * After mixing, a signal spends time in every line of the loop; a pass through
 * line i takes m_i samples and leaves |L(w)e_i| of it, where L = fB fF is the
 * loop's transfer matrix and e_i line i. The loop's decay per sample at w is then
 * sum_i log|L(w)e_i| / sum_i m_i, its T60 -3 / (fs log10 of that): for
 * homogeneous absorption g_i = gamma^m_i after an orthogonal mix, exactly the
 * decay gamma per sample. The model's mid-band T60 is taken over 500 Hz, 1 kHz and
 * 2 kHz (the same average of the decay rates).
 *
 * Scaling line i by 10^(c_i x) (c_i = -3 m_i / fs) adds x * 60 dB/s to the decay
 * at every frequency, keeping the shape of the model's frequency-dependent decay;
 * a longer T60 makes some line gains exceed 1. x_min is the smallest x that keeps
 * every |L(w)e_i| 10^(c_i x) at most 1 on a dense frequency grid: below it the
 * loop would grow where it decays slowest. */
#ifndef ADAC_LOOP_DECAY_H
#define ADAC_LOOP_DECAY_H

#include "graph.h"

typedef struct {
    double t60;   /* the model's mid-band T60, s; INFINITY for a lossless loop */
    double x_min; /* see above, s^-1 (<= 0 for a loop with no gain above 1) */
} adac_loop_decay;

/* recursion: the loop; lines: the parallel delay its fF starts with (the lines
 * rt60 scales). Returns 0 if the loop's response cannot be evaluated. */
int adac_loop_decay_measure(const adac_node *recursion, const adac_node *lines, double fs, adac_loop_decay *out);

#endif
