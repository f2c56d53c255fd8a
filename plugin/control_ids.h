/* The engine's control id for each of the model's host parameters, for the back
 * ends that run ADAC's engine; false with the reason when one is unknown. */
#pragma once

#include "plugin_model.h"

#include <string>

extern "C" {
#include "controls.h"
}

inline bool adac_engine_control_ids(int *ids, std::string &error)
{
    for (int p = 0; p < adac_model.n_params; p++) {
        ids[p] = adac_control_find(adac_model.params[p].id);
        if (ids[p] < 0) {
            error = std::string("unknown macro-control ") + adac_model.params[p].id;
            return false;
        }
    }
    return true;
}
