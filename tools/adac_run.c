/* adac-run: run an IR model with the engine: impulse responses, files, or live. */
#include "atomic_file.h"
#include "control_input.h"
#include "engine.h"
#include "quiet_stderr.h"
#include "resample.h"
#include "sample_ring.h"
#include "tool_args.h"
#include "tool_model.h"
#include "wav_out.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <portaudio.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOOL "adac-run"
#define BLOCK_DEFAULT 256
#define TAIL_CAP_S 60.0         /* --tail auto stops here at the latest */
#define TAIL_QUIET_DB (-90.0)   /* --tail auto: decayed this far below the output's peak */
#define MAX_IR_BYTES ((size_t)4 << 30)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: adac-run MODEL.json [mode] [options]\n"
            "\n"
            "Runs an ADAC IR model in the time domain with the native engine.\n"
            "\n"
            "modes:\n"
            "  --ir N --out IR.wav      render every input->output impulse response, N samples;\n"
            "                           channel o*n_in+i of IR.wav is the path input i -> output o\n"
            "  --in X.wav --out Y.wav   process a file (X.wav must have one channel per model input),\n"
            "                           streamed block by block, the reverb tail kept (--tail)\n"
            "  --play [--in X.wav]      play live through PortAudio: the file if given, else the\n"
            "                           default input device\n"
            "  --list-devices           list PortAudio devices\n"
            "\n"
            "options:\n"
            "  --tail T         after the input ends: 'auto' (default) runs on until the output has\n"
            "                   decayed %g dB below its peak (at most %g s), SECONDS runs that long,\n"
            "                   0 stops with the input\n"
            "  --block N        engine block size (default %d)\n"
            "  --device N       PortAudio output device index (see --list-devices)\n"
            "  --backend NAME   'portaudio' (default) or 'null': runs the same audio callback\n"
            "                   without a sound card, for testing; with null, --out FILE writes\n"
            "                   what was played\n"
            "  --seconds S      with --play and no --in: how long to run (default: until Ctrl-C;\n"
            "                   the null backend defaults to 1 s)\n"
            "  --double         write 64-bit float WAV (default 32-bit float)\n"
            "  --normalize DBFS with --in and --out: scale the output so that its peak is DBFS\n"
            "                   (e.g. -1); the file is run twice, once to find the peak\n"
            "  --version        print the version\n"
            "  -h, --help       show this help\n"
            "\n"
            "  --no-resample    refuse an input file at another sample rate than the model's\n"
            "\n"
            "An input file at another sample rate than the model's is resampled (libsoxr, high\n"
            "quality) to the model's rate, since the model's delays and filters are defined\n"
            "there, and the output back to the file's rate; with --no-resample it is refused.\n"
            "Input samples that are NaN or infinite are replaced by 0 and counted; output\n"
            "above full scale is reported.\n"
            "\n"
            "macro-controls (layered on the model; see docs/controls.md):\n"
            "  --controls JSON  which controls, with init/min/max/step overrides, e.g.\n"
            "                   '{\"rt60\": {\"max\": 30}, \"dry_wet\": true}'\n"
            "  --set NAME=V     start control NAME (rt60 s, dry_wet 0..1, pre_delay ms) at V;\n"
            "                   enables it if --controls did not. Repeatable.\n"
            "  While playing, lines 'NAME=V' on standard input move a control (smoothed).\n",
            -TAIL_QUIET_DB, TAIL_CAP_S, BLOCK_DEFAULT);
}

/* The audio callback's state, shared by the PortAudio and the null backend. */
typedef struct {
    adac_engine *engine;
    int n_in, n_out, block;
    double **in_bus, **out_bus;
    adac_sample_ring *source;  /* file input, or NULL: live input or silence */
    _Atomic int source_ended;  /* the producer has pushed the whole file */
    long long frames_left;     /* -1: unlimited */
    /* The tail after the input: at most tail_max frames; in auto mode it also
     * ends after quiet_window frames below quiet_ratio * peak. */
    long long tail_max, tail_done, quiet_window, quiet_run;
    int tail_auto;
    double quiet_ratio, peak;
    double out_gain;           /* --normalize: the output scaled by this */
    long long clipped;
    float *frame_in;           /* one block of input frames */
} player;

/* --controls with every --set NAME=V folded in as that control's init. */
static char *controls_request(const char *json, char **sets, int n_sets)
{
    cJSON *doc = json ? cJSON_Parse(json) : cJSON_CreateObject();
    if (!doc || !cJSON_IsObject(doc)) {
        adac_tool_say(stderr, TOOL, "--controls: expected a JSON object such as '{\"rt60\": true}'");
        cJSON_Delete(doc);
        return NULL;
    }
    for (int k = 0; k < n_sets; k++) {
        char name[64];
        const char *eq = strchr(sets[k], '=');
        char *end = NULL;
        double v = eq ? strtod(eq + 1, &end) : NAN;
        if (!eq || (size_t)(eq - sets[k]) >= sizeof name || end == eq + 1 || *end || !isfinite(v)) {
            adac_tool_say(stderr, TOOL, "--set %s: expected NAME=NUMBER, e.g. --set rt60=2.5", sets[k]);
            cJSON_Delete(doc);
            return NULL;
        }
        memcpy(name, sets[k], (size_t)(eq - sets[k]));
        name[eq - sets[k]] = 0;
        cJSON *entry = cJSON_GetObjectItemCaseSensitive(doc, name);
        if (!entry || cJSON_IsBool(entry)) {
            cJSON_DeleteItemFromObjectCaseSensitive(doc, name);
            entry = cJSON_AddObjectToObject(doc, name);
        }
        if (!cJSON_IsObject(entry)) continue; /* the parser reports the bad entry */
        cJSON_DeleteItemFromObjectCaseSensitive(entry, "init");
        cJSON_AddNumberToObject(entry, "init", v);
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

static double **bus(int ch, int n)
{
    double **b = malloc((ch ? ch : 1) * sizeof *b);
    double *m = calloc((size_t)(ch ? ch : 1) * n, sizeof *m);
    if (!b || !m) {
        free(b);
        free(m);
        return NULL;
    }
    for (int c = 0; c < ch; c++) b[c] = m + (size_t)c * n;
    return b;
}

/* Whether frame t of this block ends the tail (the input has ended). */
static int tail_over(player *p, double frame_peak)
{
    if (p->tail_done >= p->tail_max) return 1;
    p->tail_done++;
    if (!p->tail_auto) return 0;
    p->quiet_run = frame_peak <= p->quiet_ratio * p->peak ? p->quiet_run + 1 : 0;
    return p->quiet_run >= p->quiet_window;
}

/* The audio callback: no allocation, no locks, no printing. Writes `frames`
 * frames into out and returns how many of them belong to the run (fewer when it
 * ends in this call; the rest is silence). */
static long player_render(player *p, const float *live_in, float *out, long frames)
{
    long done = 0, used = frames;
    int over = 0;
    while (done < frames) {
        int n = (int)(frames - done < p->block ? frames - done : p->block);
        long got = 0;
        if (p->source) {
            got = (long)adac_sample_ring_take(p->source, p->frame_in, (size_t)n);
        } else if (live_in) {
            memcpy(p->frame_in, live_in + done * p->n_in, (size_t)n * p->n_in * sizeof *p->frame_in);
            got = n;
        }
        int input_over = p->source && got < n && atomic_load(&p->source_ended);
        for (int c = 0; c < p->n_in; c++)
            for (int t = 0; t < n; t++) p->in_bus[c][t] = t < got ? p->frame_in[t * p->n_in + c] : 0.0;
        adac_engine_process(p->engine, (const double *const *)p->in_bus, p->out_bus, n);
        for (int t = 0; t < n; t++) {
            double frame_peak = 0;
            for (int c = 0; c < p->n_out; c++) {
                double y = over ? 0.0 : p->out_gain * p->out_bus[c][t];
                out[(done + t) * p->n_out + c] = (float)y;
                frame_peak = fmax(frame_peak, fabs(y));
                p->clipped += fabs(y) > 1.0;
            }
            if (over) continue;
            p->peak = fmax(p->peak, frame_peak);
            if (input_over && t >= got && tail_over(p, frame_peak)) {
                over = 1;
                used = done + t;
            } else if (p->frames_left >= 0 && --p->frames_left < 0) {
                over = 1;
                used = done + t;
            }
        }
        done += n;
    }
    return over ? used : frames;
}

static int pa_callback(const void *input, void *output, unsigned long frames,
                       const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)ti;
    (void)flags;
    return player_render(user, input, output, (long)frames) < (long)frames ? paComplete : paContinue;
}

/* Pa_Initialize with the back ends' own probing messages hidden. */
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

static int list_devices(void)
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

static SNDFILE *open_input(const char *path, int want_ch, int *rate)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) {
        adac_tool_say(stderr, TOOL, "%s: %s", path, sf_strerror(NULL));
        return NULL;
    }
    if (info.channels != want_ch) {
        adac_tool_say(stderr, TOOL, "%s has %d channel(s) but the model has %d input(s)", path, info.channels,
                      want_ch);
        sf_close(f);
        return NULL;
    }
    *rate = info.samplerate;
    return f;
}

/* The input file, read in chunks and, when it is at another rate than the
 * model, resampled to the model's rate on the way into the ring. */
typedef struct {
    SNDFILE *file;
    int rate, channels;
    double model_fs;
    adac_resampler *to_model; /* NULL: the file is at the model's rate */
    int eof;                  /* the file is read to its end */
    float *chunk, *converted;
    long chunk_frames;
    size_t converted_cap, pending, pending_at; /* chunk frames not yet resampled */
} file_source;

static int source_open_resampler(file_source *src)
{
    char err[256];
    adac_resampler_free(src->to_model);
    src->to_model = NULL;
    if (fabs(src->rate - src->model_fs) <= 0.5) return 1;
    src->to_model = adac_resampler_create(src->rate, src->model_fs, src->channels, err, sizeof err);
    if (!src->to_model) adac_tool_say(stderr, TOOL, "%s", err);
    return src->to_model != NULL;
}

/* Producer side: moves what fits of the file into the ring. */
static void feed(player *p, file_source *src)
{
    if (!src->file || atomic_load(&p->source_ended)) return;
    int ch = src->channels;
    for (;;) {
        size_t space = adac_sample_ring_space(p->source);
        if (!src->to_model) {
            if (!space) return;
            long want = (long)space < src->chunk_frames ? (long)space : src->chunk_frames;
            sf_count_t got = sf_readf_float(src->file, src->chunk, want);
            if (got > 0) adac_sample_ring_push(p->source, src->chunk, (size_t)got);
            if (got < want) atomic_store(&p->source_ended, 1);
            if (got < want) return;
            continue;
        }
        if (space < src->converted_cap) return;
        size_t used = 0, made;
        if (src->pending) {
            made = adac_resampler_process(src->to_model, src->chunk + src->pending_at * ch, src->pending, &used,
                                          src->converted, src->converted_cap);
            src->pending -= used;
            src->pending_at += used;
        } else if (!src->eof) {
            sf_count_t got = sf_readf_float(src->file, src->chunk, src->chunk_frames);
            src->eof = got < src->chunk_frames;
            src->pending = got > 0 ? (size_t)got : 0;
            src->pending_at = 0;
            continue;
        } else { /* flush what the resampler still holds */
            made = adac_resampler_process(src->to_model, NULL, 0, NULL, src->converted, src->converted_cap);
            if (!made) {
                atomic_store(&p->source_ended, 1);
                return;
            }
        }
        if (made) adac_sample_ring_push(p->source, src->converted, made);
        if (!made && !used) return; /* nothing moved: try again on the next call */
    }
}

/* Back to the start of the input file, with nothing left in the ring. */
static int rewind_source(player *p, file_source *src)
{
    src->eof = 0;
    src->pending = 0;
    if (sf_seek(src->file, 0, SEEK_SET) != 0 || !source_open_resampler(src)) {
        adac_tool_say(stderr, TOOL, "cannot rewind the input file to run it again");
        return 0;
    }
    float drain[256];
    while (adac_sample_ring_take(p->source, drain, sizeof drain / sizeof *drain / (size_t)(p->n_in ? p->n_in : 1)) > 0) {
    }
    atomic_store(&p->source_ended, 0);
    return 1;
}

/* Interleaves a block of float frames as doubles for the WAV writer. */
static int write_block(adac_wav_out *w, const float *o, double *inter, long n, int ch)
{
    char err[1024];
    for (long k = 0; k < n * ch; k++) inter[k] = o[k];
    if (adac_wav_out_write(w, inter, n, err, sizeof err)) return 1;
    adac_tool_say(stderr, TOOL, "%s", err);
    return 0;
}

static int render_ir(adac_engine *e, const adac_graph *g, long ir_len, const char *out_path, int dbl)
{
    int ni = g->root->n_in, no = g->root->n_out;
    size_t paths = (size_t)ni * no;
    char err[1024];
    if ((double)paths * ir_len * 2 * sizeof(double) > (double)MAX_IR_BYTES) {
        adac_tool_say(stderr, TOOL, "%zu path(s) of %ld samples need more than %zu MiB: ask for fewer samples",
                      paths, ir_len, MAX_IR_BYTES >> 20);
        return 2;
    }
    adac_wav_out w;
    if (!adac_wav_out_open(&w, out_path, (int)paths, g->fs, dbl, err, sizeof err)) {
        adac_tool_say(stderr, TOOL, "%s", err);
        return 1;
    }
    double *ir = malloc(paths * ir_len * sizeof *ir);
    double *inter = malloc(paths * ir_len * sizeof *inter);
    int ok = ir && inter && adac_engine_render_paths(e, (int)ir_len, ir);
    if (!ok) adac_tool_say(stderr, TOOL, "out of memory");
    if (ok) {
        for (size_t p = 0; p < paths; p++)
            for (long t = 0; t < ir_len; t++) inter[t * paths + p] = ir[p * ir_len + t];
        ok = adac_wav_out_write(&w, inter, ir_len, err, sizeof err) && adac_wav_out_commit(&w, err, sizeof err);
        if (!ok) adac_tool_say(stderr, TOOL, "%s", err);
    }
    if (!ok) adac_wav_out_discard(&w);
    else
        printf("adac-run: wrote %zu impulse response(s) of %ld samples to %s\n", paths, ir_len, out_path);
    free(ir);
    free(inter);
    return ok ? 0 : 1;
}

/* Writes n frames of model-rate output, through the resampler back to the
 * file's rate when there is one (in NULL: flush it). */
static int write_output(adac_wav_out *w, adac_resampler *to_file, const float *o, long n, int ch, double *inter,
                        float *converted, size_t converted_cap)
{
    if (!to_file) return write_block(w, o, inter, n, ch);
    size_t at = 0;
    for (;;) {
        size_t used = 0;
        size_t made = adac_resampler_process(to_file, o ? o + at * ch : NULL, o ? (size_t)n - at : 0, &used,
                                             converted, converted_cap);
        at += used;
        if (made && !write_block(w, converted, inter, (long)made, ch)) return 0;
        if (o ? at >= (size_t)n && !made : !made) return 1;
        if (o && !made && !used) return 1;
    }
}

/* Offline and null-backend runs: the callback driven block by block, paced like
 * a sound card when `paced` (so control changes arrive while it plays). */
static int run_blocks(player *p, file_source *src, adac_wav_out *w, adac_resampler *to_file, double fs, int paced,
                      adac_control_input *ci)
{
    int ok = 1, ch = p->n_out ? p->n_out : 1;
    /* Room for a block converted to the file's rate (at most 8x: rates within
     * 1 Hz .. 1 MHz keep ratios far below that in practice; more is refused). */
    size_t converted_cap = (size_t)(p->block * (to_file ? adac_resampler_ratio(to_file) : 1.0)) + 256;
    float *o = malloc((size_t)p->block * ch * sizeof *o);
    float *converted = malloc(converted_cap * ch * sizeof *converted);
    double *inter = malloc((converted_cap > (size_t)p->block ? converted_cap : (size_t)p->block) * ch * sizeof *inter);
    if (!o || !converted || !inter) {
        adac_tool_say(stderr, TOOL, "out of memory");
        ok = 0;
    }
    long long total = 0;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (ok) {
        if (ci) adac_control_input_poll(ci, p->engine, total / fs);
        if (src) feed(p, src);
        long used = player_render(p, NULL, o, p->block);
        total += used;
        if (w && used > 0) ok = write_output(w, to_file, o, used, ch, inter, converted, converted_cap);
        if (used < p->block) break;
        if (!paced) continue;
        next.tv_nsec += (long)(1e9 * p->block / fs);
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    if (ok && w && to_file) ok = write_output(w, to_file, NULL, 0, ch, inter, converted, converted_cap);
    free(o);
    free(converted);
    free(inter);
    if (ok && !w && paced)
        printf("adac-run: null backend rendered %lld frames (%.2f s) in blocks of %d\n", total, total / fs, p->block);
    return ok;
}

static int run_portaudio(player *p, file_source *src, const char *model, double fs, long device,
                         adac_control_input *ci)
{
    if (pa_start_quietly() != paNoError) {
        adac_tool_say(stderr, TOOL, "PortAudio failed to initialise");
        return 0;
    }
    PaDeviceIndex out_dev = device >= 0 ? (PaDeviceIndex)device : Pa_GetDefaultOutputDevice();
    SNDFILE *in = src ? src->file : NULL;
    PaDeviceIndex in_dev = in ? paNoDevice : Pa_GetDefaultInputDevice();
    if (out_dev == paNoDevice || out_dev >= Pa_GetDeviceCount()) {
        adac_tool_say(stderr, TOOL,
                      "no audio output device%s. This machine may have no sound card: use --list-devices, "
                      "render to a file with --out, or test with --backend null",
                      device >= 0 ? " with that index" : "");
        pa_stop_quietly();
        return 0;
    }
    if (!in && p->n_in > 0 && in_dev == paNoDevice) {
        adac_tool_say(stderr, TOOL, "no audio input device; give --in FILE to play a file");
        pa_stop_quietly();
        return 0;
    }
    if (src) feed(p, src);
    PaStreamParameters op = {out_dev, p->n_out, paFloat32, Pa_GetDeviceInfo(out_dev)->defaultLowOutputLatency, NULL};
    PaStreamParameters ip = {in_dev, p->n_in, paFloat32, 0, NULL};
    if (!in && in_dev != paNoDevice) ip.suggestedLatency = Pa_GetDeviceInfo(in_dev)->defaultLowInputLatency;
    PaStream *s = NULL;
    PaError pe = Pa_OpenStream(&s, in || p->n_in == 0 ? NULL : &ip, &op, fs, (unsigned long)p->block, paNoFlag,
                               pa_callback, p);
    if (pe == paNoError) pe = Pa_StartStream(s);
    if (pe != paNoError) {
        adac_tool_say(stderr, TOOL, "cannot open the audio stream: %s", Pa_GetErrorText(pe));
        pa_stop_quietly();
        return 0;
    }
    adac_tool_say(stdout, TOOL, "playing %s (%d in, %d out) at %g Hz; Ctrl-C stops", model, p->n_in, p->n_out, fs);
    while (Pa_IsStreamActive(s) == 1) {
        adac_control_input_poll(ci, p->engine, Pa_GetStreamTime(s));
        if (src) feed(p, src);
        Pa_Sleep(20);
    }
    Pa_CloseStream(s);
    pa_stop_quietly();
    return 1;
}

/* The longest a single pass through the model can take (every tap leaf's
 * longest tap, summed): auto tail waits at least this long in quiet. */
static double longest_pass(const adac_node *n)
{
    double longest = adac_node_has_taps(n) ? (double)adac_node_longest_tap(n, -1) : 0.0;
    for (int i = 0; i < n->n_children; i++) longest += longest_pass(n->children[i]);
    return longest;
}

int main(int argc, char **argv)
{
    const char *model = NULL, *in_path = NULL, *out_path = NULL, *backend = "portaudio", *tail = "auto";
    double normalize_dbfs = NAN;
    int resample = 1;
    long ir_len = 0, device = -1;
    int block = BLOCK_DEFAULT, play = 0, dbl = 0, n_sets = 0;
    double seconds = -1;
    const char *controls_json = NULL;
    char **sets = calloc(argc, sizeof *sets);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            adac_tool_version(TOOL);
            return 0;
        } else if (!strcmp(a, "--list-devices")) {
            return list_devices();
        } else if (!strcmp(a, "--ir") && more) {
            if (!adac_arg_long(TOOL, a, argv[++i], 1, 100000000, &ir_len)) return 2;
        } else if (!strcmp(a, "--out") && more) {
            out_path = argv[++i];
        } else if (!strcmp(a, "--in") && more) {
            in_path = argv[++i];
        } else if (!strcmp(a, "--block") && more) {
            if (!adac_arg_int(TOOL, a, argv[++i], 1, 65536, &block)) return 2;
        } else if (!strcmp(a, "--device") && more) {
            if (!adac_arg_long(TOOL, a, argv[++i], 0, 1 << 20, &device)) return 2;
        } else if (!strcmp(a, "--backend") && more) {
            backend = argv[++i];
            if (strcmp(backend, "portaudio") && strcmp(backend, "null")) {
                adac_tool_say(stderr, TOOL, "--backend is 'portaudio' or 'null'");
                return 2;
            }
        } else if (!strcmp(a, "--seconds") && more) {
            if (!adac_arg_double(TOOL, a, argv[++i], 0.001, 1e6, &seconds)) return 2;
        } else if (!strcmp(a, "--no-resample")) {
            resample = 0;
        } else if (!strcmp(a, "--normalize") && more) {
            if (!adac_arg_double(TOOL, a, argv[++i], -120, 0, &normalize_dbfs)) return 2;
        } else if (!strcmp(a, "--tail") && more) {
            tail = argv[++i];
        } else if (!strcmp(a, "--controls") && more) {
            controls_json = argv[++i];
        } else if (!strcmp(a, "--set") && more) {
            sets[n_sets++] = argv[++i];
        } else if (!strcmp(a, "--play")) {
            play = 1;
        } else if (!strcmp(a, "--double")) {
            dbl = 1;
        } else if (!adac_tool_operand(TOOL, a, &model, NULL)) {
            usage(stderr);
            return 2;
        }
    }
    double tail_s = TAIL_CAP_S;
    int tail_auto = !strcmp(tail, "auto");
    if (!tail_auto && !adac_arg_double(TOOL, "--tail", tail, 0, 3600, &tail_s)) return 2;
    if (!model) {
        usage(stderr);
        return 2;
    }
    if (!play && !out_path) {
        adac_tool_say(stderr, TOOL, "nothing to do: give --ir N --out FILE, --in X --out Y, or --play");
        return 2;
    }
    if (!play && !ir_len && !in_path) {
        adac_tool_say(stderr, TOOL, "--out needs --ir N or --in FILE");
        return 2;
    }
    if (!isnan(normalize_dbfs) && (play || !in_path)) {
        adac_tool_say(stderr, TOOL, "--normalize works on a file: give --in X.wav --out Y.wav (without --play)");
        return 2;
    }
    if (play && out_path && strcmp(backend, "null")) {
        adac_tool_say(stderr, TOOL, "--play --out writes what was played with --backend null only");
        return 2;
    }
    char err[1024];
    if (out_path && !adac_output_check(out_path, err, sizeof err)) {
        adac_tool_say(stderr, TOOL, "%s", err);
        return 2;
    }
    char *request = controls_json || n_sets ? controls_request(controls_json, sets, n_sets) : NULL;
    free(sets);
    if ((controls_json || n_sets) && !request) return 2;
    adac_controls controls;
    int exit_code;
    adac_graph *g = adac_tool_load_model(TOOL, model, request, &controls, &exit_code);
    free(request);
    if (!g) return exit_code;
    int ni = g->root->n_in, no = g->root->n_out, rc = 0;
    if (controls.omitted[0]) adac_tool_say(stderr, TOOL, "note: rt60 does not reach the loop(s) at %s", controls.omitted);
    adac_engine *e = adac_engine_create_controlled(g, &controls);
    adac_controls_free(&controls);
    if (!e || !adac_engine_prepare(e, block)) {
        adac_tool_say(stderr, TOOL, "out of memory");
        return 1;
    }
    if (ir_len) {
        rc = render_ir(e, g, ir_len, out_path, dbl);
        adac_engine_free(e);
        adac_graph_free(g);
        return rc;
    }

    player p = {.engine = e, .n_in = ni, .n_out = no, .block = block, .in_bus = bus(ni, block),
                .out_bus = bus(no, block), .frames_left = -1, .out_gain = 1.0};
    p.frame_in = calloc((size_t)block * (ni ? ni : 1), sizeof *p.frame_in);
    p.tail_max = (long long)(tail_s * g->fs);
    p.tail_auto = tail_auto;
    p.quiet_ratio = pow(10.0, TAIL_QUIET_DB / 20);
    p.quiet_window = (long long)fmax(0.1 * g->fs, longest_pass(g->root));
    adac_sample_ring ring;
    file_source src = {.channels = ni, .model_fs = g->fs, .chunk_frames = block};
    adac_resampler *to_file = NULL; /* the output back at the input file's rate */
    double out_rate = g->fs;
    SNDFILE *in = NULL;
    if (in_path) {
        int rate = 0;
        in = open_input(in_path, ni, &rate);
        src.file = in;
        src.rate = rate;
        if (in && fabs(rate - g->fs) > 0.5) {
            if (!resample || rate * 8.0 < g->fs || rate > 8.0 * g->fs) {
                adac_tool_say(stderr, TOOL,
                              "%s is at %d Hz but the model is defined at %g Hz%s", in_path, rate, g->fs,
                              resample ? ": more than a factor of 8 apart, not resampled" : " (--no-resample)");
                sf_close(in);
                in = NULL;
            } else {
                char rerr[256];
                adac_tool_say(stderr, TOOL, "%s is at %d Hz: resampled to the model's %g Hz%s (libsoxr)", in_path,
                              rate, g->fs, play ? "" : " and the output back");
                if (!play && !(to_file = adac_resampler_create(g->fs, rate, no, rerr, sizeof rerr)))
                    adac_tool_say(stderr, TOOL, "%s", rerr);
                if (!play) out_rate = rate;
                if (!source_open_resampler(&src) || (!play && !to_file)) {
                    sf_close(in);
                    in = NULL;
                }
            }
        }
        src.converted_cap = (size_t)(block * (src.to_model ? adac_resampler_ratio(src.to_model) : 1.0)) + 256;
        src.chunk = malloc((size_t)block * (ni ? ni : 1) * sizeof *src.chunk);
        src.converted = malloc(src.converted_cap * (ni ? ni : 1) * sizeof *src.converted);
        if (!in || !src.chunk || !src.converted ||
            !adac_sample_ring_init(&ring, ni, (size_t)g->fs + src.converted_cap + block)) {
            adac_engine_free(e);
            adac_graph_free(g);
            return 1;
        }
        p.source = &ring;
    }
    adac_control_input ci;
    adac_control_input_init(&ci, STDIN_FILENO);
    adac_wav_out w;
    int writing = out_path != NULL;
    if (writing && !adac_wav_out_open(&w, out_path, no, out_rate, dbl, err, sizeof err)) {
        adac_tool_say(stderr, TOOL, "%s", err);
        rc = 1;
    } else if (!play) {
        if (!isnan(normalize_dbfs)) {
            /* A first run finds the peak; the engine is deterministic, so the
             * second, scaled run has the same samples and the same tail. */
            player probe = p;
            rc = run_blocks(&probe, &src, NULL, NULL, g->fs, 0, NULL) ? 0 : 1;
            if (!rc && !(rc = rewind_source(&p, &src) ? 0 : 1)) {
                adac_engine_reset(e);
                p.out_gain = probe.peak > 0 ? pow(10.0, normalize_dbfs / 20) / probe.peak : 1.0;
                adac_tool_say(stderr, TOOL, "normalize: peak %.2f dBFS scaled by %.2f dB to %.2f dBFS",
                              probe.peak > 0 ? 20 * log10(probe.peak) : -INFINITY, 20 * log10(p.out_gain),
                              normalize_dbfs);
            }
        }
        if (!rc) rc = run_blocks(&p, &src, &w, to_file, g->fs, 0, NULL) ? 0 : 1;
    } else if (!strcmp(backend, "null")) {
        if (!in_path) p.frames_left = (long long)((seconds > 0 ? seconds : 1.0) * g->fs);
        rc = run_blocks(&p, in ? &src : NULL, writing ? &w : NULL, NULL, g->fs, 1, &ci) ? 0 : 1;
    } else {
        if (seconds > 0 && !in_path) p.frames_left = (long long)(seconds * g->fs);
        rc = run_portaudio(&p, in ? &src : NULL, model, g->fs, device, &ci) ? 0 : 1;
    }
    if (writing && rc == 0) {
        if (!adac_wav_out_commit(&w, err, sizeof err)) {
            adac_tool_say(stderr, TOOL, "%s", err);
            rc = 1;
        } else {
            adac_tool_say(stdout, TOOL, "wrote %lld frames (%.2f s) to %s", w.frames, w.frames / out_rate, out_path);
        }
    } else if (writing && w.tmp) {
        adac_wav_out_discard(&w);
    }
    unsigned long long bad = adac_engine_non_finite_inputs(e);
    if (bad) adac_tool_say(stderr, TOOL, "warning: %llu input sample(s) were NaN or infinite and were taken as 0", bad);
    if (p.clipped)
        adac_tool_say(stderr, TOOL, "warning: %lld output sample(s) above full scale (peak %.1f dBFS)", p.clipped,
                      20 * log10(p.peak));
    if (in) {
        sf_close(in);
        adac_sample_ring_free(&ring);
    }
    free(src.chunk);
    free(src.converted);
    adac_resampler_free(src.to_model);
    adac_resampler_free(to_file);
    free(p.frame_in);
    adac_engine_free(e);
    adac_graph_free(g);
    return rc;
}
