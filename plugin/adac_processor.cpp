#include "adac_processor.h"

#include "plugin_model.h"

#include <cmath>

namespace {

juce::AudioChannelSet channel_set(int n)
{
    return n <= 2 ? juce::AudioChannelSet::canonicalChannelSet(n) : juce::AudioChannelSet::discreteChannels(n);
}

} // namespace

/* BusesProperties is protected in AudioProcessor: built in a member. */
juce::AudioProcessor::BusesProperties adac_processor::model_buses()
{
    return BusesProperties()
        .withInput("Input", channel_set(adac_model.inputs), true)
        .withOutput("Output", channel_set(adac_model.outputs), true);
}

namespace {

juce::AudioProcessorValueTreeState::ParameterLayout model_parameters()
{
    juce::AudioProcessorValueTreeState::ParameterLayout layout;
    for (int p = 0; p < adac_model.n_params; p++) {
        const adac_plugin_param &c = adac_model.params[p];
        /* A continuous range: the host's value reaches the model unrounded, as a
         * FAUST slider's zone or the engine's control takes it. */
        juce::NormalisableRange<float> range((float)c.min, (float)c.max);
        layout.add(std::make_unique<juce::AudioParameterFloat>(
            juce::ParameterID{c.id, 1}, c.id, range, (float)c.init,
            juce::AudioParameterFloatAttributes().withLabel(c.unit)));
    }
    return layout;
}

} // namespace

adac_processor::adac_processor()
    : AudioProcessor(model_buses()), parameters(*this, nullptr, "ADAC", model_parameters())
{
    for (int p = 0; p < adac_model.n_params; p++) {
        control_values.push_back(parameters.getRawParameterValue(adac_model.params[p].id));
        pushed_values.push_back(NAN);
    }
    std::string why;
    backend = adac_make_backend(why);
    if (!backend) {
        backend_error = why;
        DBG("ADAC: " << backend_error);
    }
}

const juce::String adac_processor::getName() const { return adac_model.plugin_name; }

double adac_processor::getTailLengthSeconds() const
{
    double latency_s = host_rate > 0 ? getLatencySamples() / host_rate : 0.0;
    return adac_model.tail_seconds + latency_s;
}

bool adac_processor::isBusesLayoutSupported(const BusesLayout &layout) const
{
    return layout.getMainInputChannels() == adac_model.inputs && layout.getMainOutputChannels() == adac_model.outputs;
}

void adac_processor::prepareToPlay(double sample_rate, int max_block_size)
{
    prepared = false;
    host_rate = sample_rate;
    max_block = std::max(1, max_block_size);
    input_copy.assign((size_t)adac_model.inputs * max_block, 0.0f);
    input_ptr.resize(adac_model.inputs);
    output_ptr.resize(adac_model.outputs);
    for (int c = 0; c < adac_model.inputs; c++) input_ptr[c] = &input_copy[(size_t)c * max_block];
    if (!backend) return;
    /* Never play the model's coefficients at another rate: resample around it. */
    resampling = std::fabs(sample_rate - adac_model.fs) > 1e-6 * adac_model.fs;
    int model_block = resampling ? 1024 : max_block;
    if (!backend->prepare(model_block)) return;
    if (resampling) {
        if (!rate_adapter.prepare(sample_rate, adac_model.fs, adac_model.inputs, adac_model.outputs, max_block,
                                  *backend, model_block))
            return;
        setLatencySamples(rate_adapter.latency());
    } else {
        setLatencySamples(0);
    }
    std::fill(pushed_values.begin(), pushed_values.end(), NAN);
    push_controls();
    backend->reset();
    prepared = true;
}

void adac_processor::reset()
{
    if (!prepared) return;
    backend->reset();
    if (resampling) rate_adapter.reset();
}

void adac_processor::push_controls()
{
    for (size_t p = 0; p < control_values.size(); p++) {
        float v = control_values[p]->load();
        if (v != pushed_values[p]) {
            backend->set_control((int)p, v);
            pushed_values[p] = v;
        }
    }
}

void adac_processor::run_model(const float *const *in, float *const *out, int n)
{
    if (resampling)
        rate_adapter.process(in, out, n);
    else
        backend->process(in, out, n);
}

void adac_processor::processBlock(juce::AudioBuffer<float> &buffer, juce::MidiBuffer &)
{
    juce::ScopedNoDenormals no_denormals;
    const int total = buffer.getNumSamples();
    if (!prepared || buffer.getNumChannels() < std::max(adac_model.inputs, adac_model.outputs)) {
        buffer.clear();
        return;
    }
    push_controls();
    /* The host's buffer is in place (inputs and outputs share it); the model reads
     * a copy. A host may exceed the block it announced: run it in pieces. */
    for (int off = 0; off < total; off += max_block) {
        const int n = std::min(max_block, total - off);
        for (int c = 0; c < adac_model.inputs; c++)
            std::copy_n(buffer.getReadPointer(c, off), n, input_copy.begin() + (size_t)c * max_block);
        for (int c = 0; c < adac_model.outputs; c++) output_ptr[c] = buffer.getWritePointer(c, off);
        run_model(input_ptr.data(), output_ptr.data(), n);
    }
    for (int c = adac_model.outputs; c < buffer.getNumChannels(); c++) buffer.clear(c, 0, total);
}

juce::AudioProcessorEditor *adac_processor::createEditor()
{
    return new juce::GenericAudioProcessorEditor(*this);
}

void adac_processor::getStateInformation(juce::MemoryBlock &dest)
{
    auto state = parameters.copyState();
    if (backend) state.setProperty("model_path", juce::String(backend->setting("model_path")), nullptr);
    if (auto xml = state.createXml()) copyXmlToBinary(*xml, dest);
}

void adac_processor::setStateInformation(const void *data, int size)
{
    auto xml = getXmlFromBinary(data, size);
    if (!xml || !xml->hasTagName(parameters.state.getType())) return;
    auto state = juce::ValueTree::fromXml(*xml);
    if (backend && state.hasProperty("model_path"))
        backend->set_setting("model_path", state["model_path"].toString().toStdString());
    state.removeProperty("model_path", nullptr);
    parameters.replaceState(state);
}

juce::AudioProcessor *JUCE_CALLTYPE createPluginFilter() { return new adac_processor(); }
