/* What the plugin knows about the model it runs, read at run time, so that the
 * processor's code is the same for every model: the compiler cache then serves it
 * (and the JUCE modules) to every export, and only the small files that include
 * the export's generated adac_model_info.h compile again. */
#pragma once

struct adac_plugin_param {
    const char *id;   /* the macro-control's name: rt60, dry_wet, pre_delay */
    const char *unit; /* "s", "ms" or "" */
    double init, min, max;
};

struct adac_model_description {
    const char *plugin_name;
    double fs;            /* the model's sample rate: its delays and filters are defined there */
    int inputs, outputs;  /* its channel counts */
    double tail_seconds;  /* how long its response rings after the input stops */
    int n_params;
    const adac_plugin_param *params; /* its macro-controls */
};

/* Defined in model_description.cpp from the export's adac_model_info.h, which
 * also gives the back ends ADAC_MODEL_* macros and, for the engine back end,
 * adac_model_ir_json[] and adac_model_controls_json[]. */
extern const adac_model_description adac_model;
