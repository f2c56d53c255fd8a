/* The coefficient-rounding floor of a single-precision build: what rounding the
 * model's parameters to float costs by itself, computed exactly in double by the
 * engine. A single-precision build cannot be expected to do better; adac-verify
 * --single derives its tolerance from it. */
#ifndef ADAC_COEF_FLOOR_H
#define ADAC_COEF_FLOOR_H

#include "graph.h"

/* Rounds every parameter the emitted code holds as a number - matrix entries,
 * structured-matrix vectors and scales, tap gains, filter coefficients - to float,
 * in place (delay lengths are integers, or Lagrange taps, which are tap gains). */
void adac_graph_round_coefficients(adac_graph *g);

/* The floor in dB re each path's peak (the worst path) over n samples: the engine
 * on g against the engine on a rounded copy loaded from the same text. NAN on
 * failure (out of memory). */
double adac_coefficient_floor_db(const char *ir_text, int n);

#endif
