/* The FAUST back end: the emitted .dsp compiled to C++ ahead of time by the faust
 * compiler at export (adac_faust_model.cpp), single or double precision inside,
 * float at its edges. No interpreter or JIT ships in the plugin. The generated
 * class expects its host to declare dsp, UI and Meta; these are ours, kept to what
 * the class calls, and live in a namespace so nothing leaks into JUCE's. */
#include "dsp_backend.h"
#include "plugin_model.h"
#include "adac_model_info.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace adac_faust {

#ifndef FAUSTFLOAT
#define FAUSTFLOAT float
#endif
#define RESTRICT __restrict__

struct Meta {
    void declare(const char *, const char *) {}
};

/* Collects the zone of each slider by its label (the macro-control's name). */
struct UI {
    struct slider {
        const char *label;
        FAUSTFLOAT *zone;
    };
    std::vector<slider> sliders;

    void openTabBox(const char *) {}
    void openHorizontalBox(const char *) {}
    void openVerticalBox(const char *) {}
    void closeBox() {}
    void declare(FAUSTFLOAT *, const char *, const char *) {}
    void add(const char *label, FAUSTFLOAT *zone) { sliders.push_back({label, zone}); }
    void addButton(const char *label, FAUSTFLOAT *zone) { add(label, zone); }
    void addCheckButton(const char *label, FAUSTFLOAT *zone) { add(label, zone); }
    void addVerticalSlider(const char *label, FAUSTFLOAT *zone, FAUSTFLOAT, FAUSTFLOAT, FAUSTFLOAT, FAUSTFLOAT)
    {
        add(label, zone);
    }
    void addHorizontalSlider(const char *label, FAUSTFLOAT *zone, FAUSTFLOAT, FAUSTFLOAT, FAUSTFLOAT, FAUSTFLOAT)
    {
        add(label, zone);
    }
    void addNumEntry(const char *label, FAUSTFLOAT *zone, FAUSTFLOAT, FAUSTFLOAT, FAUSTFLOAT, FAUSTFLOAT)
    {
        add(label, zone);
    }
    void addHorizontalBargraph(const char *, FAUSTFLOAT *, FAUSTFLOAT, FAUSTFLOAT) {}
    void addVerticalBargraph(const char *, FAUSTFLOAT *, FAUSTFLOAT, FAUSTFLOAT) {}
};

struct dsp {
    virtual ~dsp() = default;
};

#include "adac_faust_model.cpp"

} // namespace adac_faust

namespace {

class faust_backend final : public adac_dsp_backend {
public:
    bool setup(std::string &error)
    {
        model.init((int)ADAC_MODEL_FS);
        adac_faust::UI ui;
        model.buildUserInterface(&ui);
        for (int p = 0; p < ADAC_MODEL_N_PARAMS; p++) {
            zones[p] = nullptr;
            for (const auto &s : ui.sliders)
                if (!std::strcmp(s.label, adac_model_params[p].id)) zones[p] = s.zone;
            if (!zones[p]) {
                error = std::string("the FAUST code has no slider named ") + adac_model_params[p].id;
                return false;
            }
        }
        if (model.getNumInputs() != ADAC_MODEL_INPUTS || model.getNumOutputs() != ADAC_MODEL_OUTPUTS) {
            error = "the FAUST code's channel counts differ from the model's";
            return false;
        }
        return true;
    }

    bool prepare(int) override { return true; }

    void set_control(int index, double value) override { *zones[index] = (FAUSTFLOAT)value; }

    void process(const float *const *in, float *const *out, int n) override
    {
        model.compute(n, const_cast<float **>(in), const_cast<float **>(out));
    }

    void reset() override
    {
        /* instanceClear keeps the sliders where the host put them, and the smoothers
         * restart from the slider's init, as after init. */
        model.instanceClear();
    }

private:
    adac_faust::adac_faust_dsp model;
    FAUSTFLOAT *zones[ADAC_MODEL_N_PARAMS > 0 ? ADAC_MODEL_N_PARAMS : 1] = {};
};

} // namespace

std::unique_ptr<adac_dsp_backend> adac_make_backend(std::string &error)
{
    auto b = std::make_unique<faust_backend>();
    if (!b->setup(error)) return nullptr;
    return b;
}
