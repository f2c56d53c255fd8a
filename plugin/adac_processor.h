/* The plugin: a JUCE AudioProcessor around one model's DSP back end. Macro-
 * controls are host parameters (automatable, saved with the host's session); the
 * buses follow the model's channel counts; at a host rate other than the model's
 * the DSP runs inside a rate adapter. */
#pragma once

#include "dsp_backend.h"
#include "rate_adapter.h"

#include <juce_audio_processors/juce_audio_processors.h>

#include <atomic>
#include <memory>
#include <vector>

class adac_processor final : public juce::AudioProcessor {
public:
    adac_processor();

    const juce::String getName() const override;
    bool acceptsMidi() const override { return false; }
    bool producesMidi() const override { return false; }
    double getTailLengthSeconds() const override;

    bool isBusesLayoutSupported(const BusesLayout &layout) const override;
    void prepareToPlay(double sample_rate, int max_block) override;
    void releaseResources() override {}
    void reset() override;
    void processBlock(juce::AudioBuffer<float> &buffer, juce::MidiBuffer &) override;

    bool hasEditor() const override { return true; }
    juce::AudioProcessorEditor *createEditor() override;

    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram(int) override {}
    const juce::String getProgramName(int) override { return "Default"; }
    void changeProgramName(int, const juce::String &) override {}

    void getStateInformation(juce::MemoryBlock &dest) override;
    void setStateInformation(const void *data, int size) override;

private:
    static BusesProperties model_buses();
    void push_controls();
    void run_model(const float *const *in, float *const *out, int n);

    juce::AudioProcessorValueTreeState parameters;
    std::vector<std::atomic<float> *> control_values;
    std::vector<float> pushed_values;
    std::unique_ptr<adac_dsp_backend> backend;
    juce::String backend_error;
    adac_rate_adapter rate_adapter;
    bool resampling = false, prepared = false;
    int max_block = 0;
    std::vector<float> input_copy;
    std::vector<const float *> input_ptr;
    std::vector<float *> output_ptr;
    double host_rate = 0.0;

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(adac_processor)
};
