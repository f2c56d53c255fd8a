/* The live back end (ADAC Live): the engine, started on the exported model and
 * reloading the watched model file whenever it changes, exactly as
 * adac-run --watch does (live_session.c): the same shape keeps the tail ringing,
 * another crossfades, an unstable or broken file is refused and the sound plays
 * on. The path is a setting saved with the session. */
#include "control_ids.h"
#include "dsp_backend.h"
#include "live_session.h"
#include "plugin_model.h"
#include "adac_model_info.h"
#include "wide_buffers.h"


namespace {

constexpr double fade_seconds = 0.05;

class live_backend final : public adac_dsp_backend {
public:
    ~live_backend() override { adac_live_free(session); }

    bool setup(std::string &error) { return adac_engine_control_ids(ids, error); }

    bool prepare(int max_block) override
    {
        adac_live_free(session);
        session = adac_live_create(adac_model_ir_json, adac_model_controls_json, max_block, fade_seconds);
        if (!session) return false;
        wide.prepare(ADAC_MODEL_INPUTS, ADAC_MODEL_OUTPUTS, max_block);
        adac_live_watch(session, path.c_str());
        return true;
    }

    void set_control(int index, double value) override { adac_live_set_control(session, ids[index], value); }

    void process(const float *const *in, float *const *out, int n) override
    {
        adac_live_process(session, wide.widen(in, n), wide.outputs(), n);
        wide.narrow(out, n);
    }

    void reset() override { adac_live_reset(session); }

    std::string setting(const std::string &key) const override { return key == "model_path" ? path : std::string(); }

    void set_setting(const std::string &key, const std::string &value) override
    {
        if (key != "model_path" || value == path) return;
        path = value;
        if (session) adac_live_watch(session, path.c_str());
    }

private:
    adac_live_session *session = nullptr;
    std::string path = adac_model_watch_path;
    int ids[ADAC_MODEL_N_PARAMS > 0 ? ADAC_MODEL_N_PARAMS : 1] = {};
    adac_wide_buffers wide;
};

} // namespace

std::unique_ptr<adac_dsp_backend> adac_make_backend(std::string &error)
{
    auto b = std::make_unique<live_backend>();
    if (!b->setup(error)) return nullptr;
    return b;
}
