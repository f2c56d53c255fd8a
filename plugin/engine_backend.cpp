/* The engine back end: ADAC's C engine linked into the plugin, running the model's
 * IR, embedded in the binary at export, in double precision. The host's float
 * blocks are widened on the way in and rounded on the way out. */
#include "dsp_backend.h"
#include "plugin_model.h"
#include "adac_model_info.h"

#include <vector>

extern "C" {
#include "controls.h"
#include "engine.h"
#include "graph.h"
}

namespace {

class engine_backend final : public adac_dsp_backend {
public:
    ~engine_backend() override
    {
        if (engine) adac_engine_free(engine);
        if (have_controls) adac_controls_free(&controls);
        if (graph) adac_graph_free(graph);
    }

    bool setup(std::string &error)
    {
        char err[1024] = "";
        graph = adac_graph_load_string(adac_model_ir_json, err, sizeof err);
        if (!graph) {
            error = std::string("the embedded model does not load: ") + err;
            return false;
        }
        if (!adac_controls_parse(adac_model_controls_json, graph, &controls, err, sizeof err)) {
            error = std::string("the embedded controls do not apply: ") + err;
            return false;
        }
        have_controls = true;
        engine = adac_engine_create_controlled(graph, &controls);
        if (!engine) {
            error = "the engine could not be created (out of memory)";
            return false;
        }
        for (int p = 0; p < ADAC_MODEL_N_PARAMS; p++) {
            ids[p] = adac_control_find(adac_model_params[p].id);
            if (ids[p] < 0) {
                error = std::string("unknown macro-control ") + adac_model_params[p].id;
                return false;
            }
        }
        return true;
    }

    bool prepare(int max_block) override
    {
        if (!adac_engine_prepare(engine, max_block)) return false;
        in_wide.assign((size_t)ADAC_MODEL_INPUTS * max_block, 0.0);
        out_wide.assign((size_t)ADAC_MODEL_OUTPUTS * max_block, 0.0);
        for (int c = 0; c < ADAC_MODEL_INPUTS; c++) in_ptr[c] = &in_wide[(size_t)c * max_block];
        for (int c = 0; c < ADAC_MODEL_OUTPUTS; c++) out_ptr[c] = &out_wide[(size_t)c * max_block];
        return true;
    }

    void set_control(int index, double value) override
    {
        adac_engine_set_control(engine, (adac_control_id)ids[index], value);
    }

    void process(const float *const *in, float *const *out, int n) override
    {
        for (int c = 0; c < ADAC_MODEL_INPUTS; c++)
            for (int t = 0; t < n; t++) in_ptr[c][t] = in[c][t];
        adac_engine_process(engine, in_ptr, out_ptr, n);
        for (int c = 0; c < ADAC_MODEL_OUTPUTS; c++)
            for (int t = 0; t < n; t++) out[c][t] = (float)out_ptr[c][t];
    }

    void reset() override { adac_engine_reset(engine); }

private:
    adac_graph *graph = nullptr;
    adac_controls controls{};
    bool have_controls = false;
    adac_engine *engine = nullptr;
    int ids[ADAC_MODEL_N_PARAMS > 0 ? ADAC_MODEL_N_PARAMS : 1] = {};
    std::vector<double> in_wide, out_wide;
    double *in_ptr[ADAC_MODEL_INPUTS] = {};
    double *out_ptr[ADAC_MODEL_OUTPUTS] = {};
};

} // namespace

std::unique_ptr<adac_dsp_backend> adac_make_backend(std::string &error)
{
    auto b = std::make_unique<engine_backend>();
    if (!b->setup(error)) return nullptr;
    return b;
}
