#include "section_form.h"

#include <math.h>

/* The state-variable section is the state-space system (A, B, C, D) with
 *   s' = A s + B x,  y = C s + D x
 * read off the arithmetic in section_form.h; its transfer function is
 * (C adj(I z - A) B + D det(I z - A)) / det(I z - A). */
void adac_svf_to_section(const double *svf, double *sos)
{
    double e1 = svf[0], k2 = svf[1], k3 = svf[2], D = svf[3], C1 = svf[4], C2 = svf[5];
    /* s1' = (1 + e1) s1 - k2 s2 + k2 x;  s2' = k2 s1 + (1 - k3) s2 + k3 x. */
    double A11 = 1 + e1, A12 = -k2, A21 = k2, A22 = 1 - k3;
    double B1 = k2, B2 = k3;
    double tr = A11 + A22, det = A11 * A22 - A12 * A21;
    /* adj(I z - A) = [[z - A22, A12], [A21, z - A11]]. */
    double n1 = C1 * B1 + C2 * B2;                                       /* z^1 coefficient */
    double n0 = C1 * (-A22 * B1 + A12 * B2) + C2 * (A21 * B1 - A11 * B2); /* z^0 */
    sos[0] = D;
    sos[1] = n1 - D * tr;
    sos[2] = n0 + D * det;
    sos[3] = 1;
    sos[4] = -tr;
    sos[5] = det;
}

int adac_section_to_svf(const double *sos, double *svf)
{
    double b0 = sos[0], b1 = sos[1], b2 = sos[2], a1 = sos[4], a2 = sos[5];
    double at_dc = 1 + a1 + a2, at_nyquist = 1 - a1 + a2;
    if (!(at_dc > 0) || !(at_nyquist > 0) || !isfinite(at_dc) || !isfinite(at_nyquist)) return 0;
    /* The prototype's g^2 = A(1)/A(-1) and 1 + g k + g^2 = 4/A(-1). */
    double g2 = at_dc / at_nyquist, g = sqrt(g2), d0 = 4 / at_nyquist;
    double e1 = (a2 - a1 - 3) / 2, k2 = sqrt(at_dc * at_nyquist) / 2, k3 = at_dc / 2;
    /* The numerator as a mix of the prototype's outputs: m0 the input (the gain at
     * Nyquist), m2 the low-pass (the gain at DC less m0), m1 the band-pass (the
     * rest); in the states, 2 x band-pass = s1 + s1' and 2 x low-pass = s2 + s2'. */
    double m0 = (b0 - b1 + b2) / at_nyquist, dc_gain = (b0 + b1 + b2) / at_dc;
    double m2 = dc_gain - m0, m1 = (d0 * (b0 - m0) - m2 * g2) / g;
    double h1 = m1 / 2, h2 = m2 / 2;
    double out[6] = {e1, k2, k3, m0 + h1 * k2 + h2 * k3, h1 * (2 + e1) + h2 * k2, h2 * (2 - k3) - h1 * k2}, back[6];
    for (int i = 0; i < 6; i++)
        if (!isfinite(out[i])) return 0;
    /* Refuse a mapping that does not give the section back: near the edges of
     * the region above, the division by g or by A(1) loses the digits. */
    adac_svf_to_section(out, back);
    double scale = 0;
    for (int i = 0; i < 6; i++) scale = fmax(scale, fabs(sos[i]));
    for (int i = 0; i < 6; i++)
        if (!(fabs(back[i] - sos[i]) <= 1e-12 * scale)) return 0;
    for (int i = 0; i < 6; i++) svf[i] = out[i];
    return 1;
}

double adac_df1_noise_gain(const double *sos)
{
    double a1 = sos[4], a2 = sos[5];
    /* Stable (the Schur-Cohn conditions) or not at all. */
    if (!(fabs(a2) < 1 && fabs(a1) < 1 + a2)) return HUGE_VAL;
    /* The closed form for a second-order all-pole filter (first order: a2 = 0). */
    return (1 + a2) / ((1 - a2) * ((1 + a2) * (1 + a2) - a1 * a1));
}
