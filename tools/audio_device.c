#include "audio_device.h"

#include "quiet_stderr.h"
#include "tool_args.h"

#include <portaudio.h>
#include <stdio.h>

#define TOOL "adac-run"

static int pa_callback(const void *input, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *ti,
                       PaStreamCallbackFlags flags, void *user)
{
    (void)ti;
    adac_player *p = user;
    if (flags & (paOutputUnderflow | paInputOverflow)) atomic_fetch_add(&p->xruns, 1);
    return adac_player_render(user, input, output, (long)frames) < (long)frames ? paComplete : paContinue;
}

/* Pa_Initialize and Pa_Terminate with the back ends' own messages hidden. */
static PaError pa_start_quietly(void)
{
    int saved = adac_stderr_silence();
    PaError e = Pa_Initialize();
    adac_stderr_restore(saved);
    return e;
}

static void pa_stop_quietly(void)
{
    int saved = adac_stderr_silence();
    Pa_Terminate();
    adac_stderr_restore(saved);
}

int adac_audio_list_devices(void)
{
    if (pa_start_quietly() != paNoError) {
        adac_tool_say(stderr, TOOL, "PortAudio failed to initialise");
        return 1;
    }
    int n = Pa_GetDeviceCount();
    if (n <= 0) printf("no audio devices found (no sound card?)\n");
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        printf("%3d  %-40s  in %d  out %d  %.0f Hz\n", i, d->name, d->maxInputChannels, d->maxOutputChannels,
               d->defaultSampleRate);
    }
    pa_stop_quietly();
    return 0;
}

int adac_audio_play(adac_player *p, const char *model, double fs, long device, adac_control_input *ci)
{
    if (pa_start_quietly() != paNoError) {
        adac_tool_say(stderr, TOOL, "PortAudio failed to initialise");
        return 0;
    }
    int from_file = p->source != NULL;
    PaDeviceIndex out_dev = device >= 0 ? (PaDeviceIndex)device : Pa_GetDefaultOutputDevice();
    PaDeviceIndex in_dev = from_file ? paNoDevice : Pa_GetDefaultInputDevice();
    if (out_dev == paNoDevice || out_dev >= Pa_GetDeviceCount()) {
        adac_tool_say(stderr, TOOL,
                      "no audio output device%s. This machine may have no sound card: use --list-devices, "
                      "render to a file with --out, or test with --backend null",
                      device >= 0 ? " with that index" : "");
        pa_stop_quietly();
        return 0;
    }
    if (!from_file && p->n_in > 0 && in_dev == paNoDevice) {
        adac_tool_say(stderr, TOOL, "no audio input device; give --in FILE to play a file");
        pa_stop_quietly();
        return 0;
    }
    if (from_file) adac_file_source_feed(p->source);
    PaStreamParameters op = {out_dev, p->n_out, paFloat32, Pa_GetDeviceInfo(out_dev)->defaultLowOutputLatency, NULL};
    PaStreamParameters ip = {in_dev, p->n_in, paFloat32, 0, NULL};
    if (!from_file && in_dev != paNoDevice) ip.suggestedLatency = Pa_GetDeviceInfo(in_dev)->defaultLowInputLatency;
    PaStream *s = NULL;
    PaError pe = Pa_OpenStream(&s, from_file || p->n_in == 0 ? NULL : &ip, &op, fs, (unsigned long)p->block,
                               paNoFlag, pa_callback, p);
    if (pe == paNoError) pe = Pa_StartStream(s);
    if (pe != paNoError) {
        adac_tool_say(stderr, TOOL, "cannot open the audio stream: %s", Pa_GetErrorText(pe));
        pa_stop_quietly();
        return 0;
    }
    adac_tool_say(stdout, TOOL, "playing %s (%d in, %d out) at %g Hz; Ctrl-C stops", model, p->n_in, p->n_out, fs);
    while (Pa_IsStreamActive(s) == 1) {
        adac_control_input_poll(ci, &p->hot, Pa_GetStreamTime(s));
        if (from_file) adac_file_source_feed(p->source);
        Pa_Sleep(20);
    }
    Pa_CloseStream(s);
    pa_stop_quietly();
    return 1;
}
