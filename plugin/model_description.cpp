/* The one place the processor's view of the model is made from the export's
 * generated header (and the plugin name from JUCE's build definitions). */
#include "plugin_model.h"

#include "adac_model_info.h"

const adac_model_description adac_model = {
    JucePlugin_Name, ADAC_MODEL_FS, ADAC_MODEL_INPUTS, ADAC_MODEL_OUTPUTS, ADAC_MODEL_TAIL_SECONDS,
    ADAC_MODEL_N_PARAMS, adac_model_params,
};
