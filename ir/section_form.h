/* How a second-order section is computed. The IR gives a section as a transfer
 * function [b0 b1 b2 a0 a1 a2]; the loader decides once per leaf, for the
 * engine, the emitter, the coefficient floor and the certificate alike, which
 * structure runs it:
 *
 * - direct form I (ADAC_SECTIONS_DF1) where every section's poles are well
 *   inside the circle: its round-off enters at the output sum and goes round
 *   the poles once, amplified by the power gain of 1/A(z)
 *   (adac_df1_noise_gain); where that is at most ADAC_DF1_MAX_NOISE_GAIN
 *   (10 dB) for every section of the leaf, direct form I keeps within a few dB
 *   of float's own rounding and costs 9 operations a step where the
 *   state-variable form costs 14.
 * - a trapezoidal state-variable filter (ADAC_SECTIONS_SVF) otherwise, wherever
 *   every section maps to one. Its states are integrator memories, so the
 *   round-off of sections whose poles sit near z = 1 (the low bands of a
 *   graphic EQ) is not amplified by those poles as in direct form I: in single
 *   precision it stays near -130 dB where direct form I reached -94 dB.
 * - direct form I also where a section does not map: A(1) <= 0 or A(-1) <= 0
 *   (a pole on or outside the unit circle on the real axis), or state-variable
 *   numbers that would not reproduce its transfer function.
 *
 * State-variable section, coefficients [e1 k2 k3 d c1 c2], states s1 s2
 * (the integrators' memories):
 *
 *   y  = (d*x + c1*s1) + c2*s2
 *   v  = x - s2
 *   s1' = s1 + (e1*s1 + k2*v),   s2' = s2 + (k2*s1 + k3*v)
 *
 * The states move by small increments, and the numbers that set the poles are
 * small and held to float's relative precision: with A(z) = 1 + a1 z^-1 + a2
 * z^-2, e1 = (a2 - a1 - 3)/2, k2 = sqrt(A(1) A(-1))/2, k3 = A(1)/2 (e1 + 2, k2,
 * k3 are Zavalishin's and Simper's 2/D0, 2g/D0, 2g^2/D0, with g the prewarped
 * cutoff). The output reads the states before the update: d, c1, c2 realise the
 * numerator and, outside the recursion, cost only a relative rounding each. */
#ifndef ADAC_SECTION_FORM_H
#define ADAC_SECTION_FORM_H

typedef enum { ADAC_SECTIONS_DF1 = 0, ADAC_SECTIONS_SVF = 1 } adac_section_form;

/* The power gain of 1/A(z) = 1/(1 + a1 z^-1 + a2 z^-2), sum of its impulse
 * response squared: what direct form I's round-off is amplified by. Infinite
 * (HUGE_VAL) for poles on or outside the unit circle. */
double adac_df1_noise_gain(const double *sos);

#define ADAC_DF1_MAX_NOISE_GAIN 10.0

/* sos: [b0 b1 b2 1 a1 a2] (normalised). Writes svf[6] and returns 1 where the
 * section maps to a state-variable filter that reproduces it; returns 0 (svf
 * untouched) otherwise. */
int adac_section_to_svf(const double *sos, double *svf);

/* The transfer function [b0 b1 b2 1 a1 a2] that the state-variable arithmetic
 * above computes with coefficients svf[6], whatever they are (for instance
 * rounded to float). */
void adac_svf_to_section(const double *svf, double *sos);

#endif
