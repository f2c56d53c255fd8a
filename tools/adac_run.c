/* adac-run: run an IR model with the engine: impulse responses, files, or live. */
#include "atomic_file.h"
#include "audio_device.h"
#include "control_input.h"
#include "engine.h"
#include "file_source.h"
#include "model_watch.h"
#include "player.h"
#include "resample.h"
#include "tool_args.h"
#include "tool_model.h"
#include "wav_out.h"

#include <cjson/cJSON.h>
#include <math.h>
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
#define FADE_DEFAULT_MS 50.0

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
            "  --precision P    the engine's arithmetic: 'double' (default; the reference) or\n"
            "                   'single' (float coefficients and arithmetic, as plugins ship)\n"
            "  --double         write 64-bit float WAV (default 32-bit float)\n"
            "  --watch          reload MODEL.json whenever it changes, while it plays (with --play,\n"
            "                   or with --in/--out, then paced in real time): the same shape keeps\n"
            "                   the delay lines and filter states, another shape crossfades; a\n"
            "                   model that does not load or is certified unstable is refused\n"
            "  --fade MS        --watch: the crossfade for another shape (default %g ms)\n"
            "  --stats          print render-time percentiles, xruns and reload latencies\n"
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
            -TAIL_QUIET_DB, TAIL_CAP_S, BLOCK_DEFAULT, FADE_DEFAULT_MS);
}

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
        adac_tool_say(stdout, TOOL, "wrote %zu impulse response(s) of %ld samples to %s", paths, ir_len, out_path);
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
static int run_blocks(adac_player *p, adac_wav_out *w, adac_resampler *to_file, double fs, int paced,
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
        if (ci) adac_control_input_poll(ci, &p->hot, total / fs);
        if (p->source) adac_file_source_feed(p->source);
        long used = adac_player_render(p, NULL, o, p->block);
        total += used;
        if (w && used > 0) ok = write_output(w, to_file, o, used, ch, inter, converted, converted_cap);
        if (used < p->block) break;
        if (!paced) continue;
        next.tv_nsec += (long)(1e9 * p->block / fs);
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec))
            atomic_fetch_add(&p->xruns, 1); /* this block was late, as a sound card would have found it */
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

/* The longest a single pass through the model can take (every tap leaf's
 * longest tap, summed): auto tail waits at least this long in quiet. */
static double longest_pass(const adac_node *n)
{
    double longest = adac_node_has_taps(n) ? (double)adac_node_longest_tap(n, -1) : 0.0;
    for (int i = 0; i < n->n_children; i++) longest += longest_pass(n->children[i]);
    return longest;
}

/* --stats: what a live run cost. */
static void print_stats(const adac_player *p, const adac_model_watch *w, double fs)
{
    double budget = 1e6 * p->block / fs;
    printf("adac-run: stats: %lld blocks of %d frames (budget %.0f us): render p50 %.1f us, p99 %.1f us, "
           "max %.1f us; %lld over budget; xruns %lld (as the audio device or the pacing reported them)\n",
           p->n_renders, p->block, budget, adac_player_render_quantile(p, 0.5), adac_player_render_quantile(p, 0.99),
           adac_player_render_quantile(p, 1.0), p->over_budget, atomic_load(&p->xruns));
    if (!w->reloads && !w->refused) return;
    double lo = INFINITY, hi = 0, sum = 0;
    for (int i = 0; i < w->n_latency; i++) {
        lo = fmin(lo, w->latency_ms[i]);
        hi = fmax(hi, w->latency_ms[i]);
        sum += w->latency_ms[i];
    }
    printf("adac-run: stats: %d reload(s), %d refused; reload latency (file replaced -> first block of the new "
           "model) ", w->reloads, w->refused);
    if (w->n_latency)
        printf("min %.2f ms, mean %.2f ms, max %.2f ms\n", lo, sum / w->n_latency, hi);
    else
        printf("not measured\n");
}

int main(int argc, char **argv)
{
    const char *model = NULL, *in_path = NULL, *out_path = NULL, *backend = "portaudio", *tail = "auto";
    double normalize_dbfs = NAN;
    int resample = 1;
    long ir_len = 0, device = -1;
    int block = BLOCK_DEFAULT, play = 0, dbl = 0, precision = ADAC_PRECISION_DOUBLE, n_sets = 0, watch = 0, stats = 0;
    double fade_ms = FADE_DEFAULT_MS;
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
            return adac_audio_list_devices();
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
        } else if (!strcmp(a, "--precision") && more) {
            if ((precision = adac_precision_parse(argv[++i])) < 0) {
                adac_tool_say(stderr, TOOL, "--precision is 'double' or 'single'");
                return 2;
            }
        } else if (!strcmp(a, "--watch")) {
            watch = 1;
        } else if (!strcmp(a, "--stats")) {
            stats = 1;
        } else if (!strcmp(a, "--fade") && more) {
            if (!adac_arg_double(TOOL, a, argv[++i], 0, 10000, &fade_ms)) return 2;
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
    if (watch && (ir_len || !isnan(normalize_dbfs))) {
        adac_tool_say(stderr, TOOL, "--watch plays (--play) or processes a file (--in/--out)");
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
    if (!g) {
        free(request);
        return exit_code;
    }
    int ni = g->root->n_in, no = g->root->n_out, rc = 0;
    if (controls.omitted[0]) adac_tool_say(stderr, TOOL, "note: rt60 does not reach the loop(s) at %s", controls.omitted);
    adac_engine *e = adac_engine_create_controlled(g, &controls, (adac_precision)precision);
    adac_controls_free(&controls);
    if (!e || !adac_engine_prepare(e, block)) {
        adac_tool_say(stderr, TOOL, "out of memory");
        return 1;
    }
    if (ir_len) {
        rc = render_ir(e, g, ir_len, out_path, dbl);
        adac_engine_free(e);
        adac_graph_free(g);
        free(request);
        return rc;
    }

    adac_player p;
    if (!adac_player_init(&p, e, ni, no, block, (int)lround(fade_ms * 1e-3 * g->fs), stats)) {
        adac_tool_say(stderr, TOOL, "out of memory");
        return 1;
    }
    p.budget_us = 1e6 * block / g->fs;
    adac_model_watch watcher = {0};
    if (watch && !adac_model_watch_start(&watcher, TOOL, model, request, &p.hot, block, g->fs, 0)) {
        adac_tool_say(stderr, TOOL, "cannot watch %s", model);
        adac_player_free(&p);
        adac_graph_free(g);
        free(request);
        return 1;
    }
    p.tail_max = (long long)(tail_s * g->fs);
    p.tail_auto = tail_auto;
    p.quiet_ratio = pow(10.0, TAIL_QUIET_DB / 20);
    p.quiet_window = (long long)fmax(0.1 * g->fs, longest_pass(g->root));
    adac_file_source src = {0};
    adac_resampler *to_file = NULL; /* the output back at the input file's rate */
    double out_rate = g->fs;
    if (in_path) {
        int resampled = 0;
        char rerr[256];
        int ok = adac_file_source_open(&src, in_path, ni, g->fs, block, resample, &resampled);
        if (ok && resampled) {
            adac_tool_say(stderr, TOOL, "%s is at %d Hz: resampled to the model's %g Hz%s (libsoxr)", in_path,
                          src.rate, g->fs, play ? "" : " and the output back");
            if (!play) {
                out_rate = src.rate;
                if (!(to_file = adac_resampler_create(g->fs, src.rate, no, rerr, sizeof rerr))) {
                    adac_tool_say(stderr, TOOL, "%s", rerr);
                    ok = 0;
                }
            }
        }
        if (!ok) {
            adac_model_watch_stop(&watcher);
            adac_file_source_close(&src);
            adac_player_free(&p);
            adac_graph_free(g);
            free(request);
            return 1;
        }
        p.source = &src;
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
            rc = run_blocks(&p, NULL, NULL, g->fs, 0, NULL) ? 0 : 1;
            double peak = p.peak;
            if (!rc && !(rc = adac_file_source_rewind(&src) ? 0 : 1)) {
                adac_hot_reset(&p.hot);
                adac_player_restart(&p);
                p.out_gain = peak > 0 ? pow(10.0, normalize_dbfs / 20) / peak : 1.0;
                adac_tool_say(stderr, TOOL, "normalize: peak %.2f dBFS scaled by %.2f dB to %.2f dBFS",
                              peak > 0 ? 20 * log10(peak) : -INFINITY, 20 * log10(p.out_gain), normalize_dbfs);
            }
        }
        if (!rc) rc = run_blocks(&p, &w, to_file, g->fs, watch, NULL) ? 0 : 1;
    } else if (!strcmp(backend, "null")) {
        if (!in_path) p.frames_left = (long long)((seconds > 0 ? seconds : 1.0) * g->fs);
        rc = run_blocks(&p, writing ? &w : NULL, NULL, g->fs, 1, &ci) ? 0 : 1;
    } else {
        if (seconds > 0 && !in_path) p.frames_left = (long long)(seconds * g->fs);
        rc = adac_audio_play(&p, model, g->fs, device, &ci) ? 0 : 1;
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
    adac_model_watch_stop(&watcher);
    if (stats) print_stats(&p, &watcher, g->fs);
    unsigned long long bad = adac_engine_non_finite_inputs(adac_hot_current(&p.hot));
    if (bad) adac_tool_say(stderr, TOOL, "warning: %llu input sample(s) were NaN or infinite and were taken as 0", bad);
    if (p.clipped)
        adac_tool_say(stderr, TOOL, "warning: %lld output sample(s) above full scale (peak %.1f dBFS)", p.clipped,
                      20 * log10(p.peak));
    adac_file_source_close(&src);
    adac_resampler_free(to_file);
    adac_player_free(&p);
    adac_graph_free(g);
    free(request);
    return rc;
}
