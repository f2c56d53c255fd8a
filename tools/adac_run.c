/* adac-run: run an IR model with the engine: impulse responses, files, or live. */
#include "atomic_file.h"
#include "engine.h"
#include "tool_model.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <portaudio.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define BLOCK_DEFAULT 256

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
            "  --in X.wav --out Y.wav   process a file (X.wav must have one channel per model input)\n"
            "  --play [--in X.wav]      play live through PortAudio: the file if given, else the\n"
            "                           default input device\n"
            "  --list-devices           list PortAudio devices\n"
            "\n"
            "options:\n"
            "  --block N        engine block size (default %d)\n"
            "  --device N       PortAudio output device index (see --list-devices)\n"
            "  --backend NAME   'portaudio' (default) or 'null': runs the same audio callback\n"
            "                   without a sound card, for testing\n"
            "  --seconds S      with --play and no --in: how long to run (default: until Ctrl-C;\n"
            "                   the null backend defaults to 1 s)\n"
            "  --double         write 64-bit float WAV (default 32-bit float)\n"

            "  -h, --help       show this help\n"
            "\n"
            "macro-controls (layered on the model; see docs/controls.md):\n"
            "  --controls JSON  which controls, with init/min/max/step overrides, e.g.\n"
            "                   '{\"rt60\": {\"max\": 30}, \"dry_wet\": true}'\n"
            "  --set NAME=V     start control NAME (rt60 s, dry_wet 0..1, pre_delay ms) at V;\n"
            "                   enables it if --controls did not. Repeatable.\n"
            "  While playing, lines 'NAME=V' on standard input move a control (smoothed).\n",
            BLOCK_DEFAULT);
}

typedef struct {
    adac_engine *engine;
    int n_in, n_out, block;
    double **in_bus, **out_bus;
    const float *file;  /* interleaved input, or NULL for live input */
    long file_frames, pos;
    long frames_left;   /* -1: unlimited */
} player;

/* --controls with every --set NAME=V folded in as that control's init. */
static char *controls_request(const char *json, char **sets, int n_sets)
{
    cJSON *doc = json ? cJSON_Parse(json) : cJSON_CreateObject();
    if (!doc || !cJSON_IsObject(doc)) {
        fprintf(stderr, "adac-run: --controls: expected a JSON object such as '{\"rt60\": true}'\n");
        cJSON_Delete(doc);
        return NULL;
    }
    for (int k = 0; k < n_sets; k++) {
        char name[64];
        const char *eq = strchr(sets[k], '=');
        char *end = NULL;
        double v = eq ? strtod(eq + 1, &end) : NAN;
        if (!eq || (size_t)(eq - sets[k]) >= sizeof name || end == eq + 1 || *end || !isfinite(v)) {
            fprintf(stderr, "adac-run: --set %s: expected NAME=NUMBER, e.g. --set rt60=2.5\n", sets[k]);
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

/* While playing: 'NAME=V' lines on standard input move controls. Never blocks
 * for input that is not there; stops looking after end of file. */
static void poll_control_input(adac_engine *e, int *stdin_open, double seconds_in)
{
    while (*stdin_open) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(STDIN_FILENO, &fds);
        struct timeval zero = {0, 0};
        if (select(STDIN_FILENO + 1, &fds, NULL, NULL, &zero) <= 0) return;
        char line[256], name[64];
        double v;
        if (!fgets(line, sizeof line, stdin)) {
            *stdin_open = 0;
            return;
        }
        if (sscanf(line, " %63[^= ] = %lf", name, &v) != 2) {
            fprintf(stderr, "adac-run: ignored '%.*s': expected NAME=VALUE\n", (int)strcspn(line, "\n"), line);
            continue;
        }
        int id = adac_control_find(name);
        double took = id < 0 ? NAN : adac_engine_set_control(e, (adac_control_id)id, v);
        if (isnan(took))
            fprintf(stderr, "adac-run: no control '%s' in this run (enable it with --controls or --set)\n", name);
        else
            fprintf(stderr, "adac-run: %s -> %g at %.2f s%s\n", name, took, seconds_in,
                    took != v ? " (clamped to its range)" : "");
    }
}

static double **bus(int ch, int n)
{
    double **b = malloc(ch * sizeof *b);
    double *m = calloc((size_t)ch * n, sizeof *m);
    for (int c = 0; c < ch; c++) b[c] = m + (size_t)c * n;
    return b;
}

/* The audio callback, shared by the PortAudio and the null backend: no allocation,
 * no locks, no printing. Returns 1 when playback is finished. */
static int player_render(player *p, const float *live_in, float *out, long frames)
{
    long done = 0;
    while (done < frames) {
        int n = (int)(frames - done < p->block ? frames - done : p->block);
        for (int c = 0; c < p->n_in; c++)
            for (int t = 0; t < n; t++) {
                double x = 0;
                if (p->file) {
                    long at = p->pos + t;
                    x = at < p->file_frames ? p->file[at * p->n_in + c] : 0.0;
                } else if (live_in) {
                    x = live_in[(done + t) * p->n_in + c];
                }
                p->in_bus[c][t] = x;
            }
        adac_engine_process(p->engine, (const double *const *)p->in_bus, p->out_bus, n);
        for (int t = 0; t < n; t++)
            for (int c = 0; c < p->n_out; c++) out[(done + t) * p->n_out + c] = (float)p->out_bus[c][t];
        p->pos += n;
        done += n;
    }
    if (p->frames_left >= 0) {
        p->frames_left -= frames;
        if (p->frames_left <= 0) return 1;
    }
    return 0;
}

static int pa_callback(const void *input, void *output, unsigned long frames,
                       const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user)
{
    (void)ti;
    (void)flags;
    return player_render(user, input, output, (long)frames) ? paComplete : paContinue;
}

static int list_devices(void)
{
    if (Pa_Initialize() != paNoError) {
        fprintf(stderr, "adac-run: PortAudio failed to initialise\n");
        return 1;
    }
    int n = Pa_GetDeviceCount();
    if (n <= 0) printf("no audio devices found (no sound card?)\n");
    for (int i = 0; i < n; i++) {
        const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
        printf("%3d  %-40s  in %d  out %d  %.0f Hz\n", i, d->name, d->maxInputChannels,
               d->maxOutputChannels, d->defaultSampleRate);
    }
    Pa_Terminate();
    return 0;
}

static float *read_wav(const char *path, int want_ch, double fs, long *frames)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "adac-run: %s: %s\n", path, sf_strerror(NULL));
        return NULL;
    }
    if (info.channels != want_ch) {
        fprintf(stderr, "adac-run: %s has %d channel(s) but the model has %d input(s)\n", path,
                info.channels, want_ch);
        sf_close(f);
        return NULL;
    }
    if (fabs(info.samplerate - fs) > 0.5)
        fprintf(stderr, "adac-run: warning: %s is at %d Hz, the model at %g Hz (no resampling)\n",
                path, info.samplerate, fs);
    float *x = malloc((size_t)info.frames * info.channels * sizeof *x + 1);
    *frames = (long)sf_readf_float(f, x, info.frames);
    sf_close(f);
    return x;
}

/* Writes interleaved frames to a WAV at a temporary name and renames it in place. */
static int write_wav(const char *path, const double *inter, long frames, int ch, double fs, int dbl)
{
    char err[512];
    char *tmp = adac_temp_name(path);
    SF_INFO info = {0};
    info.channels = ch;
    info.samplerate = (int)lround(fs);
    info.format = SF_FORMAT_WAV | (dbl ? SF_FORMAT_DOUBLE : SF_FORMAT_FLOAT);
    SNDFILE *f = sf_open(tmp, SFM_WRITE, &info);
    if (!f) {
        fprintf(stderr, "adac-run: %s: %s\n", path, sf_strerror(NULL));
        free(tmp);
        return 0;
    }
    sf_count_t w = sf_writef_double(f, inter, frames);
    sf_close(f);
    if (w != frames) {
        fprintf(stderr, "adac-run: %s: short write\n", path);
        remove(tmp);
        free(tmp);
        return 0;
    }
    int ok = adac_commit_temp(tmp, path, err, sizeof err);
    if (!ok) fprintf(stderr, "adac-run: %s\n", err);
    free(tmp);
    return ok;
}

int main(int argc, char **argv)
{
    const char *model = NULL, *in_path = NULL, *out_path = NULL, *backend = "portaudio";
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
        } else if (!strcmp(a, "--list-devices")) {
            return list_devices();
        } else if (!strcmp(a, "--ir") && more) {
            ir_len = strtol(argv[++i], NULL, 10);
            if (ir_len <= 0) {
                fprintf(stderr, "adac-run: --ir needs a positive number of samples\n");
                return 2;
            }
        } else if (!strcmp(a, "--out") && more) {
            out_path = argv[++i];
        } else if (!strcmp(a, "--in") && more) {
            in_path = argv[++i];
        } else if (!strcmp(a, "--block") && more) {
            block = atoi(argv[++i]);
            if (block < 1 || block > 65536) {
                fprintf(stderr, "adac-run: --block must be between 1 and 65536\n");
                return 2;
            }
        } else if (!strcmp(a, "--device") && more) {
            device = strtol(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--backend") && more) {
            backend = argv[++i];
            if (strcmp(backend, "portaudio") && strcmp(backend, "null")) {
                fprintf(stderr, "adac-run: --backend is 'portaudio' or 'null'\n");
                return 2;
            }
        } else if (!strcmp(a, "--seconds") && more) {
            seconds = strtod(argv[++i], NULL);
        } else if (!strcmp(a, "--controls") && more) {
            controls_json = argv[++i];
        } else if (!strcmp(a, "--set") && more) {
            sets[n_sets++] = argv[++i];
        } else if (!strcmp(a, "--play")) {
            play = 1;
        } else if (!strcmp(a, "--double")) {
            dbl = 1;
        } else if (!adac_tool_operand("adac-run", a, &model, NULL)) {
            usage(stderr);
            return 2;
        }
    }
    if (!model) {
        usage(stderr);
        return 2;
    }
    if (!play && !out_path) {
        fprintf(stderr, "adac-run: nothing to do: give --ir N --out FILE, --in X --out Y, or --play\n");
        return 2;
    }
    if (!play && !ir_len && !in_path) {
        fprintf(stderr, "adac-run: --out needs --ir N or --in FILE\n");
        return 2;
    }
    char *request = controls_json || n_sets ? controls_request(controls_json, sets, n_sets) : NULL;
    free(sets);
    if ((controls_json || n_sets) && !request) return 2;
    adac_controls controls;
    int exit_code;
    adac_graph *g = adac_tool_load_model("adac-run", model, request, &controls, &exit_code);
    free(request);
    if (!g) return exit_code;
    int ni = g->root->n_in, no = g->root->n_out, rc = 0;
    if (controls.omitted[0])
        fprintf(stderr, "adac-run: note: rt60 does not reach the loop(s) at %s\n", controls.omitted);
    adac_engine *e = adac_engine_create_controlled(g, &controls);
    adac_controls_free(&controls);
    if (!e || !adac_engine_prepare(e, block)) {
        fprintf(stderr, "adac-run: out of memory\n");
        return 1;
    }

    if (ir_len) {
        long paths = (long)ni * no;
        double *ir = malloc((size_t)paths * ir_len * sizeof *ir);
        double *inter = malloc((size_t)paths * ir_len * sizeof *inter);
        if (!ir || !inter || !adac_engine_render_paths(e, (int)ir_len, ir)) {
            fprintf(stderr, "adac-run: out of memory\n");
            return 1;
        }
        for (long p = 0; p < paths; p++)
            for (long t = 0; t < ir_len; t++) inter[t * paths + p] = ir[p * ir_len + t];
        rc = write_wav(out_path, inter, ir_len, (int)paths, g->fs, dbl) ? 0 : 1;
        if (!rc)
            printf("adac-run: wrote %ld impulse response(s) of %ld samples to %s\n", paths, ir_len,
                   out_path);
        free(ir);
        free(inter);
        adac_engine_free(e);
        adac_graph_free(g);
        return rc;
    }

    player p = {e, ni, no, block, bus(ni, block), bus(no, block), NULL, 0, 0, -1};
    float *file = NULL;
    if (in_path) {
        file = read_wav(in_path, ni, g->fs, &p.file_frames);
        if (!file) return 1;
        p.file = file;
        p.frames_left = p.file_frames;
    }

    if (!play) {
        /* File to file: the same callback, driven block by block. */
        float *o = malloc((size_t)block * no * sizeof *o);
        double *inter = malloc((size_t)(p.file_frames + 1) * no * sizeof *inter);
        long at = 0;
        while (at < p.file_frames) {
            long n = p.file_frames - at < block ? p.file_frames - at : block;
            player_render(&p, NULL, o, n);
            for (long k = 0; k < n * no; k++) inter[at * no + k] = o[k];
            at += n;
        }
        rc = write_wav(out_path, inter, p.file_frames, no, g->fs, dbl) ? 0 : 1;
        if (!rc) printf("adac-run: processed %ld frames into %s\n", p.file_frames, out_path);
        free(o);
        free(inter);
    } else if (!strcmp(backend, "null")) {
        if (!in_path) p.frames_left = (long)((seconds > 0 ? seconds : 1.0) * g->fs);
        float *o = malloc((size_t)block * no * sizeof *o);
        float *silence = calloc((size_t)block * (ni ? ni : 1), sizeof *silence);
        /* Paced like a sound card: one block per block period, so that control
         * changes arrive while it plays. */
        long total = 0;
        int stdin_open = 1;
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (;;) {
            poll_control_input(e, &stdin_open, total / g->fs);
            int done = player_render(&p, silence, o, block);
            total += block;
            if (done) break;
            next.tv_nsec += (long)(1e9 * block / g->fs);
            while (next.tv_nsec >= 1000000000L) {
                next.tv_nsec -= 1000000000L;
                next.tv_sec++;
            }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        }
        printf("adac-run: null backend rendered %ld frames (%.2f s) in blocks of %d\n", total,
               total / g->fs, block);
        free(o);
        free(silence);
    } else {
        if (seconds > 0 && !in_path) p.frames_left = (long)(seconds * g->fs);
        if (Pa_Initialize() != paNoError) {
            fprintf(stderr, "adac-run: PortAudio failed to initialise\n");
            return 1;
        }
        PaDeviceIndex out_dev = device >= 0 ? (PaDeviceIndex)device : Pa_GetDefaultOutputDevice();
        PaDeviceIndex in_dev = in_path ? paNoDevice : Pa_GetDefaultInputDevice();
        if (out_dev == paNoDevice || out_dev >= Pa_GetDeviceCount()) {
            fprintf(stderr,
                    "adac-run: no audio output device%s. This machine may have no sound card: "
                    "use --list-devices, render to a file with --out, or test with --backend null\n",
                    device >= 0 ? " with that index" : "");
            Pa_Terminate();
            return 1;
        }
        if (!in_path && in_dev == paNoDevice) {
            fprintf(stderr, "adac-run: no audio input device; give --in FILE to play a file\n");
            Pa_Terminate();
            return 1;
        }
        PaStreamParameters op = {out_dev, no, paFloat32,
                                 Pa_GetDeviceInfo(out_dev)->defaultLowOutputLatency, NULL};
        PaStreamParameters ip = {in_dev, ni, paFloat32, 0, NULL};
        if (!in_path) ip.suggestedLatency = Pa_GetDeviceInfo(in_dev)->defaultLowInputLatency;
        PaStream *s = NULL;
        PaError pe = Pa_OpenStream(&s, in_path ? NULL : &ip, &op, g->fs, (unsigned long)block,
                                   paNoFlag, pa_callback, &p);
        if (pe == paNoError) pe = Pa_StartStream(s);
        if (pe != paNoError) {
            fprintf(stderr, "adac-run: cannot open the audio stream: %s\n", Pa_GetErrorText(pe));
            Pa_Terminate();
            return 1;
        }
        printf("adac-run: playing %s (%d in, %d out) at %g Hz; Ctrl-C stops\n", model, ni, no, g->fs);
        int stdin_open = 1;
        while (Pa_IsStreamActive(s) == 1) {
            poll_control_input(e, &stdin_open, Pa_GetStreamTime(s));
            Pa_Sleep(20);
        }
        Pa_CloseStream(s);
        Pa_Terminate();
    }
    free(file);
    adac_engine_free(e);
    adac_graph_free(g);
    return rc;
}
