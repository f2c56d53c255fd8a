/* The engine back end: ADAC's C engine linked into the plugin, running the model's
 * IR, embedded in the binary at export, in the precision chosen there
 * (ADAC_MODEL_SINGLE_PRECISION): single runs on the host's float blocks as they
 * are; double widens them on the way in and rounds on the way out. */
#include "control_ids.h"
#include "dsp_backend.h"
#include "plugin_model.h"
#include "adac_model_info.h"

extern "C" {
#include "controls.h"
#include "engine.h"
}

namespace {

class engine_backend final : public adac_dsp_backend {
public:
    ~engine_backend() override { adac_engine_free(engine); }

    bool setup(std::string &error) { return adac_engine_control_ids(ids, error); }

    bool prepare(int max_block) override
    {
        /* The engine is built for the block size (the embedded model was validated at export). */
        adac_engine_free(engine);
        char err[1024] = "";
        engine = adac_engine_from_json(adac_model_ir_json, adac_model_controls_json, max_block,
                                       ADAC_MODEL_SINGLE_PRECISION ? ADAC_PRECISION_SINGLE : ADAC_PRECISION_DOUBLE, err,
                                       sizeof err);
        return engine != nullptr; /* the processor moves the controls to the host's values next */
    }

    void set_control(int index, double value) override
    {
        adac_engine_set_control(engine, (adac_control_id)ids[index], value);
    }

    void process(const float *const *in, float *const *out, int n) override
    {
        adac_engine_process_float(engine, in, out, n);
    }

    void reset() override { adac_engine_reset(engine); }

private:
    adac_engine *engine = nullptr;
    int ids[ADAC_MODEL_N_PARAMS > 0 ? ADAC_MODEL_N_PARAMS : 1] = {};
};

} // namespace

std::unique_ptr<adac_dsp_backend> adac_make_backend(std::string &error)
{
    auto b = std::make_unique<engine_backend>();
    if (!b->setup(error)) return nullptr;
    return b;
}
