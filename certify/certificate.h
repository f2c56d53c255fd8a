/* The stability certificate: for every feedback loop of a validated graph, a
 * verdict and how it was reached (certify/certificate.c explains the method;
 * docs/certificate.md is the user's account). */
#ifndef ADAC_CERTIFICATE_H
#define ADAC_CERTIFICATE_H

#include "controls.h"
#include "graph.h"

#include <cjson/cJSON.h>

#define ADAC_CERTIFICATE_VERSION 1

typedef struct {
    int single_precision; /* parameters rounded to float, as FAUST's default build holds them */
    int grid;             /* initial intervals over [0, fs/2] (default 1024) */
    long max_points;      /* Nyquist count: most frequency steps (default 1 << 22) */
} adac_certify_options;

void adac_certify_defaults(adac_certify_options *o);
/* The certificate as a JSON object (caller frees with cJSON_Delete), or NULL on
 * allocation failure. controls may be NULL; with rt60 enabled the loops are
 * certified at the knob's worst position, which covers every position. */
cJSON *adac_certify(const adac_graph *g, const adac_controls *controls, const adac_certify_options *o);

#endif
