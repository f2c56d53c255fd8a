/* One model's DSP at the model's own sample rate, behind one interface, so that
 * the processor does not care which back end an export chose. Life cycle:
 * construct (off the audio thread), prepare (allocates), then process, set_control
 * and reset on the audio thread without allocating or locking. */
#pragma once

#include <memory>
#include <string>

class adac_dsp_backend {
public:
    virtual ~adac_dsp_backend() = default;
    /* Allocates for blocks of up to max_block samples; false when out of memory. */
    virtual bool prepare(int max_block) = 0;
    /* Moves macro-control `index` (into adac_model_params); smoothed by the model. */
    virtual void set_control(int index, double value) = 0;
    /* ADAC_MODEL_INPUTS channels in, ADAC_MODEL_OUTPUTS out, n <= max_block; in and
     * out do not share memory. */
    virtual void process(const float *const *in, float *const *out, int n) = 0;
    /* Clears every delay line and filter state; controls glide from their init again. */
    virtual void reset() = 0;
    /* A back end's own settings, saved with the host's session (off the audio
     * thread): the live back end's "model_path". */
    virtual std::string setting(const std::string &) const { return {}; }
    virtual void set_setting(const std::string &, const std::string &) {}
};

/* The back end this plugin was built with; nullptr with a reason when the model
 * cannot be set up (the processor then outputs silence). */
std::unique_ptr<adac_dsp_backend> adac_make_backend(std::string &error);
