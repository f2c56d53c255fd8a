/* adac-bench: real-time factor of the engine and of the compiled FAUST for the same
 * FDN as it grows, measured in one run on one pinned core. */
#define _GNU_SOURCE
#include "atomic_file.h"
#include "tool_args.h"
#include "bench_clock.h"
#include "bench_fit.h"
#include "bench_model.h"
#include "engine.h"
#include "faust_aot.h"
#include "mix_alone.h"
#include "model_flops.h"
#include "peak_flops.h"
#include "faust_dsp.h"
#include "faust_emit.h"
#include "graph.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <malloc.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZES 32
#define MAX_KINDS (ADAC_BENCH_DIAGONAL + 1) /* each kind once */
#define MAX_FAUST_ARGS 16

static const int size_ladder[] = {2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256};

typedef struct {
    int sizes[MAX_SIZES], n_sizes;
    adac_bench_kind kinds[MAX_KINDS];
    int n_kinds;
    double seconds, fs;
    int block, repeat, cpu, run_faust, run_aot;
    char *faust_args[MAX_FAUST_ARGS];
    int n_faust_args;
    char faust_options[256]; /* tokenised in place: faust_args point into it */
    char faust_text[256];    /* the options as given, for the report */
    const char *json_path, *plot_path, *models_dir;
} bench_options;

typedef struct {
    int lines;
    adac_bench_kind kind;
    double engine_rtf, single_rtf, faust_rtf, aot_rtf; /* single: the engine in single precision */
    size_t engine_bytes, faust_bytes;
    double faust_compile_s, aot_build_s;
    double flops; /* the model's arithmetic per sample (model_flops.h) */
} bench_row;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: adac-bench [--lines A..B | --lines N,M,...] [--kinds dense,householder,hadamard,diagonal]\n"
            "                  [--seconds S] [--block B] [--repeat R] [--cpu K] [--fs HZ]\n"
            "                  [--faust-options \"OPTS\"] [--no-faust] [--no-aot] [--json OUT.json]\n"
            "                  [--plot OUT.png]\n"
            "                  [--save-models DIR]\n\n"
            "Builds a mono FDN per size and feedback-matrix kind (prime delays of 12-45 ms, one\n"
            "second-order absorption section per line, noise input) and measures, on one\n"
            "pinned core, the real-time factor of the ADAC engine and of the FAUST the\n"
            "emitter writes for the same model: compiled in-process by libfaust (LLVM), and\n"
            "ahead of time in single precision by faust -lang cpp and c++ -O3 -march=native\n"
            "(what a plugin ships). First it measures the core's peak multiply-add rate in\n"
            "double and single precision; every figure is also given as the arithmetic the\n"
            "model needs per second over that peak.\n\n"
            "  --lines A..B      sizes from the ladder 4 6 8 12 16 24 32 48 64 ... within [A, B]\n"
            "                    (default 4..64); or an explicit list\n"
            "  --kinds LIST      feedback matrices (default dense,householder,hadamard;\n"
            "                    hadamard only at powers of two); diagonal (no mixing) measures\n"
            "                    the floor the delay lines and filters set for any fast form\n"
            "  --seconds S       audio rendered per measurement (default 2)\n"
            "  --block B         block size in samples (default 256)\n"
            "  --repeat R        rounds over every model, each timing it once; the fastest\n"
            "                    round of each figure counts (default 3)\n"
            "  --cpu K           core to pin to (default: the one we start on)\n"
            "  --faust-options   libfaust options (default \"-double\": the engine's precision)\n"
            "  --no-faust        engine only (no libfaust, no ahead-of-time build)\n"
            "  --no-aot          no ahead-of-time FAUST build\n"
            "  --json FILE       write every figure and the fits as JSON\n"
            "  --plot FILE       plot real-time factor against size (runs python -m adac.bench_plot:\n"
            "                    $ADAC_PYTHON, else the venv's python beside this tool, else python3)\n"
            "  --save-models DIR write each benchmark model's IR there (created if missing)\n"
            "  --version         print the version\n"
            "  -h, --help        show this help\n");
}

static int parse_sizes(const char *arg, bench_options *o)
{
    int a, b, used = 0;
    o->n_sizes = 0;
    if (sscanf(arg, "%d..%d%n", &a, &b, &used) == 2 && arg[used] == 0 && isdigit((unsigned char)arg[0])) {
        for (size_t i = 0; i < sizeof size_ladder / sizeof size_ladder[0]; i++)
            if (size_ladder[i] >= a && size_ladder[i] <= b) o->sizes[o->n_sizes++] = size_ladder[i];
        return o->n_sizes > 0;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *end;
        long n = strtol(tok, &end, 10);
        if (*end || n < 2 || n > 256 || o->n_sizes == MAX_SIZES) return 0;
        o->sizes[o->n_sizes++] = (int)n;
    }
    return o->n_sizes > 0;
}

static int parse_kinds(const char *arg, bench_options *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    o->n_kinds = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (o->n_kinds == MAX_KINDS) {
            adac_tool_say(stderr, "adac-bench", "at most %d kinds, each once", MAX_KINDS);
            return 0;
        }
        if (!adac_bench_kind_parse(tok, &o->kinds[o->n_kinds])) {
            adac_tool_say(stderr, "adac-bench", "unknown matrix kind '%s' (dense, householder, hadamard, diagonal)", tok);
            return 0;
        }
        o->n_kinds++;
    }
    return o->n_kinds > 0;
}

static int split_faust_options(const char *arg, bench_options *o)
{
    snprintf(o->faust_options, sizeof o->faust_options, "%s", arg);
    snprintf(o->faust_text, sizeof o->faust_text, "%s", arg);
    o->n_faust_args = 0;
    for (char *tok = strtok(o->faust_options, " "); tok; tok = strtok(NULL, " ")) {
        if (o->n_faust_args == MAX_FAUST_ARGS) return 0;
        o->faust_args[o->n_faust_args++] = tok;
    }
    return 1;
}

/* A quadratic through two or three points says nothing about how cost grows. */
#define MIN_FIT_SIZES 4

/* One line of progress on stderr: rewritten in place on a terminal, plain lines
 * when stderr is a pipe or a file. */
static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
    int tty = isatty(STDERR_FILENO);
    va_list ap;
    va_start(ap, fmt);
    fputs("  ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(tty ? "...      \r" : "\n", stderr);
}

/* Uniform noise in [-1, 1), reproducible. */
static void fill_noise(double *x, size_t n)
{
    uint64_t s = 0x2545F4914F6CDD1DULL;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        x[i] = (double)(s >> 11) * (2.0 / 9007199254740992.0) - 1.0;
    }
}

/* The noise, and a float copy of it for FAUST compiled without -double. */
typedef struct {
    const double *samples;
    const float *samples_f;
    size_t total;
} bench_input;

/* One timed pass over the input from a reset state, in seconds. A
 * single-precision engine runs on the float copy, as a plugin's buffers are. */
static double time_engine(adac_engine *e, const bench_input *in, int block, double *out)
{
    int single = adac_engine_precision(e) == ADAC_PRECISION_SINGLE;
    adac_engine_reset(e);
    double t0 = adac_bench_now_s();
    for (size_t off = 0; off + (size_t)block <= in->total; off += (size_t)block) {
        if (single) {
            const float *ins[1] = {in->samples_f + off};
            float *outs[1] = {(float *)out};
            adac_engine_process_float(e, ins, outs, block);
        } else {
            const double *ins[1] = {in->samples + off};
            double *outs[1] = {out};
            adac_engine_process(e, ins, outs, block);
        }
    }
    return adac_bench_now_s() - t0;
}

static double time_faust(adac_faust_dsp *d, const bench_input *in, int block, int fs, double *out)
{
    int dbl = adac_faust_is_double(d);
    adac_faust_init(d, fs);
    double t0 = adac_bench_now_s();
    for (size_t off = 0; off + (size_t)block <= in->total; off += (size_t)block) {
        void *ins[1] = {dbl ? (void *)(in->samples + off) : (void *)(in->samples_f + off)};
        void *outs[1] = {out}; /* block doubles: room for block floats too */
        adac_faust_compute(d, block, ins, outs);
    }
    return adac_bench_now_s() - t0;
}

static double time_aot(adac_faust_aot *a, const bench_input *in, int block, int fs, double *out)
{
    adac_faust_aot_init(a, fs);
    double t0 = adac_bench_now_s();
    for (size_t off = 0; off + (size_t)block <= in->total; off += (size_t)block) {
        float *ins[1] = {(float *)(in->samples_f + off)};
        float *outs[1] = {(float *)out};
        adac_faust_aot_compute(a, block, ins, outs);
    }
    return adac_bench_now_s() - t0;
}

static int pin_to_core(int cpu)
{
    if (cpu < 0) cpu = sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        adac_tool_say(stderr, "adac-bench", "cannot pin to core %d: %s", cpu, strerror(errno));
        return -1;
    }
    return cpu;
}

/* Heap bytes in use: the engine and the FAUST instance are measured the same way,
 * as the growth across their creation and preparation. */
static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static int save_model(const char *dir, int lines, adac_bench_kind kind, const char *text)
{
    char path[1024], err[ADAC_ERR_LEN];
    snprintf(path, sizeof path, "%s/fdn%d_%s.json", dir, lines, adac_bench_kind_name(kind));
    if (!adac_write_text_atomic(path, text, err, sizeof err)) {
        adac_tool_say(stderr, "adac-bench", "%s", err);
        return 0;
    }
    return 1;
}

/* One size and kind, built, loaded and compiled once; timed in every round. Its
 * figures go to its row of the report. */
typedef struct {
    bench_row *row;
    adac_graph *graph;
    adac_engine *engine, *single;
    adac_faust_dsp *faust;
    adac_faust_aot *aot;
} bench_subject;

static void subject_free(bench_subject *b)
{
    adac_engine_free(b->engine);
    adac_engine_free(b->single);
    if (b->faust) adac_faust_free(b->faust);
    adac_faust_aot_free(b->aot);
    adac_graph_free(b->graph);
    memset(b, 0, sizeof *b);
}

static int prepare_subject(const bench_options *o, int lines, adac_bench_kind kind, bench_subject *b,
                           bench_row *row)
{
    char err[ADAC_ERR_LEN];
    memset(b, 0, sizeof *b);
    b->row = row;
    char *text = adac_bench_fdn_ir(lines, kind, o->fs, 1);
    if (!text) {
        adac_tool_say(stderr, "adac-bench", "could not build the %d-line %s model", lines, adac_bench_kind_name(kind));
        return 0;
    }
    if (o->models_dir && !save_model(o->models_dir, lines, kind, text)) {
        free(text);
        return 0;
    }
    b->graph = adac_graph_load_string(text, err, sizeof err);
    free(text);
    if (!b->graph) {
        adac_tool_say(stderr, "adac-bench", "benchmark model rejected: %s", err);
        return 0;
    }
    b->row->lines = lines;
    b->row->kind = kind;
    b->row->flops = adac_model_flops_per_sample(b->graph);
    size_t heap0 = heap_in_use();
    b->engine = adac_engine_create(b->graph);
    if (!b->engine || !adac_engine_prepare(b->engine, o->block)) {
        adac_tool_say(stderr, "adac-bench", "out of memory preparing the engine");
        subject_free(b);
        return 0;
    }
    b->row->engine_bytes = heap_in_use() - heap0;
    b->single = adac_engine_create_controlled(b->graph, NULL, ADAC_PRECISION_SINGLE);
    if (!b->single || !adac_engine_prepare(b->single, o->block)) {
        adac_tool_say(stderr, "adac-bench", "out of memory preparing the engine");
        subject_free(b);
        return 0;
    }

    if (o->run_faust) {
        char *code = adac_faust_emit(b->graph, err, sizeof err);
        if (code) {
            double t0 = adac_bench_now_s();
            b->faust = adac_faust_compile_args("bench", code, o->n_faust_args, (const char **)o->faust_args,
                                               err, sizeof err);
            b->row->faust_compile_s = adac_bench_now_s() - t0;
            if (b->faust && o->run_aot) {
                progress("compiling %d lines, %s ahead of time", lines, adac_bench_kind_name(kind));
                b->aot = adac_faust_aot_build(code, err, sizeof err);
                if (b->aot) b->row->aot_build_s = adac_faust_aot_build_seconds(b->aot);
                else adac_faust_free(b->faust), b->faust = NULL;
            }
            free(code);
        }
        if (!b->faust) {
            adac_tool_say(stderr, "adac-bench", "%s", err);
            subject_free(b);
            return 0;
        }
        /* The instance alone, not the compiler: a second instance of the factory. */
        size_t heap1 = heap_in_use();
        void *instance = adac_faust_new_instance(b->faust);
        b->row->faust_bytes = heap_in_use() - heap1;
        adac_faust_delete_instance(instance);
    }
    return 1;
}

/* Every subject's engine, then its FAUST, once per round; the fastest round of
 * each counts. Rounds rather than back-to-back repeats, so that a slow spell of
 * a shared machine costs one round of every figure, not every try at one. */
static int measure_rounds(const bench_options *o, bench_subject *subjects, int n, const bench_input *in)
{
    double *out = malloc((size_t)o->block * sizeof *out);
    double *best_engine = malloc((size_t)n * sizeof *best_engine), *best_faust = malloc((size_t)n * sizeof *best_faust);
    double *best_aot = malloc((size_t)n * sizeof *best_aot), *best_single = malloc((size_t)n * sizeof *best_single);
    int ok = out && best_engine && best_faust && best_aot && best_single;
    for (int i = 0; ok && i < n; i++) best_engine[i] = best_single[i] = best_faust[i] = best_aot[i] = 1e300;
    for (int r = 0; ok && r < o->repeat; r++)
        for (int i = 0; i < n; i++) {
            bench_subject *b = &subjects[i];
            progress("round %d of %d: %d lines, %s", r + 1, o->repeat, b->row->lines,
                     adac_bench_kind_name(b->row->kind));
            double t = time_engine(b->engine, in, o->block, out);
            if (t < best_engine[i]) best_engine[i] = t;
            t = time_engine(b->single, in, o->block, out);
            if (t < best_single[i]) best_single[i] = t;
            if (b->faust) {
                t = time_faust(b->faust, in, o->block, (int)o->fs, out);
                if (t < best_faust[i]) best_faust[i] = t;
            }
            if (b->aot) {
                t = time_aot(b->aot, in, o->block, (int)o->fs, out);
                if (t < best_aot[i]) best_aot[i] = t;
            }
        }
    double audio_s = (double)in->total / o->fs;
    for (int i = 0; ok && i < n; i++) {
        subjects[i].row->engine_rtf = audio_s / best_engine[i];
        subjects[i].row->single_rtf = audio_s / best_single[i];
        if (subjects[i].faust) subjects[i].row->faust_rtf = audio_s / best_faust[i];
        if (subjects[i].aot) subjects[i].row->aot_rtf = audio_s / best_aot[i];
    }
    free(out);
    free(best_engine);
    free(best_faust);
    free(best_aot);
    free(best_single);
    return ok;
}

/* Cost per sample in nanoseconds at real-time factor rtf. */
static double ns_per_sample(double rtf, double fs)
{
    return 1e9 / (rtf * fs);
}

/* Fits one kind's engine or FAUST costs; returns how many sizes it measured
 * (no fit, points 0, below MIN_FIT_SIZES). */
static int fit_series(const bench_options *o, const bench_row *rows, int n_rows, adac_bench_kind kind,
                       int faust, adac_bench_fit *fit)
{
    double n[MAX_SIZES], cost[MAX_SIZES];
    int k = 0;
    for (int i = 0; i < n_rows; i++)
        if (rows[i].kind == kind) {
            n[k] = rows[i].lines;
            cost[k++] = ns_per_sample(faust ? rows[i].faust_rtf : rows[i].engine_rtf, o->fs);
        }
    *fit = (adac_bench_fit){0};
    if (k >= MIN_FIT_SIZES) adac_bench_fit_n2(n, cost, k, fit);
    return k;
}

static void print_fit(const char *what, adac_bench_kind kind, const adac_bench_fit *f, int sizes)
{
    if (sizes < MIN_FIT_SIZES) {
        printf("  %-6s %-11s no N^2 fit: %d size(s) measured, a fit needs %d or more\n", what,
               adac_bench_kind_name(kind), sizes, MIN_FIT_SIZES);
        return;
    }
    printf("  %-6s %-11s cost ~ %.3g + %.4g N^2 ns/sample (R^2 %.3f over N <= %d)", what,
           adac_bench_kind_name(kind), f->a, f->b, f->r2, f->last_fitted);
    if (f->break_lines)
        printf("; breaks at N = %d (%.0f%% above the fit)", f->break_lines, 100 * f->break_excess);
    else
        printf("; holds over every size measured");
    for (int i = 0; i < f->outliers && i < ADAC_BENCH_FIT_MAX_OUTLIERS; i++)
        printf("%s%d", i ? ", " : "; left out as noise (the next size is back on the fit): N = ",
               f->outlier_lines[i]);
    printf("\n");
}

static void json_fit(FILE *f, const adac_bench_fit *fit)
{
    fprintf(f, "{\"a_ns\": %.6g, \"b_ns\": %.6g, \"r2\": %.6f, \"fitted_up_to\": %d, \"breaks_at\": ",
            fit->a, fit->b, fit->r2, fit->last_fitted);
    if (fit->break_lines)
        fprintf(f, "%d, \"excess_at_break\": %.4f", fit->break_lines, fit->break_excess);
    else
        fprintf(f, "null");
    fprintf(f, ", \"outliers\": [");
    for (int i = 0; i < fit->outliers && i < ADAC_BENCH_FIT_MAX_OUTLIERS; i++)
        fprintf(f, "%s%d", i ? ", " : "", fit->outlier_lines[i]);
    fprintf(f, "]}");
}

/* The model's arithmetic per second at real-time factor rtf, over the peak. */
static double peak_fraction(const bench_row *r, double rtf, double fs, double peak_gflops)
{
    return r->flops * fs * rtf / (peak_gflops * 1e9);
}

static int faust_is_double(const bench_options *o)
{
    for (int i = 0; i < o->n_faust_args; i++)
        if (!strcmp(o->faust_args[i], "-double")) return 1;
    return 0;
}

static char *json_report(const bench_options *o, const bench_row *rows, int n_rows,
                         adac_bench_fit fits[][2], int cpu, const adac_peak *peak, const adac_mix_alone *mix,
                         int n_mix)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    fprintf(f, "{\n  \"tool\": \"adac-bench\",\n  \"fs\": %g,\n  \"block\": %d,\n  \"seconds\": %g,\n"
               "  \"repeat\": %d,\n  \"cpu\": %d,\n  \"engine\": \"ADAC engine, double precision\",\n"
               "  \"engine_single\": \"ADAC engine, single precision, float buffers\",\n",
            o->fs, o->block, o->seconds, o->repeat, cpu);
    fprintf(f, "  \"peak\": {\"dispatch\": \"%s\", \"double_gflops\": %.6g, \"single_gflops\": %.6g, "
               "\"method\": \"independent multiply-add chains in registers, best of 9\"},\n",
            peak->dispatch, peak->double_gflops, peak->single_gflops);
    fprintf(f, "  \"mix_alone\": [");
    for (int k = 0; k < n_mix; k++)
        fprintf(f, "%s{\"n\": %d, \"double_gflops\": %.6g, \"double_peak_fraction\": %.6g, "
                   "\"single_gflops\": %.6g, \"single_peak_fraction\": %.6g}",
                k ? ", " : "", mix[k].n, mix[k].double_gflops, mix[k].double_gflops / peak->double_gflops,
                mix[k].single_gflops, mix[k].single_gflops / peak->single_gflops);
    fprintf(f, "],\n");
    fprintf(f, "  \"faust_aot\": ");
    if (o->run_faust && o->run_aot)
        fprintf(f, "{\"compiler\": \"%s\"},\n", adac_faust_aot_compiler());
    else
        fprintf(f, "null,\n");
    fprintf(f, "  \"faust\": ");
    if (o->run_faust)
        fprintf(f, "{\"compiler\": \"libfaust %s, LLVM backend, in-process, opt level max\", "
                   "\"options\": \"%s\"},\n",
                adac_faust_version(), o->faust_text);
    else
        fprintf(f, "null,\n");
    fprintf(f, "  \"rows\": [\n");
    for (int i = 0; i < n_rows; i++) {
        const bench_row *r = &rows[i];
        double faust_peak = faust_is_double(o) ? peak->double_gflops : peak->single_gflops;
        fprintf(f, "    {\"lines\": %d, \"kind\": \"%s\", \"flops_per_sample\": %.6g, \"engine_rtf\": %.6g, "
                   "\"engine_peak_fraction\": %.6g, \"engine_bytes\": %zu",
                r->lines, adac_bench_kind_name(r->kind), r->flops, r->engine_rtf,
                peak_fraction(r, r->engine_rtf, o->fs, peak->double_gflops), r->engine_bytes);
        fprintf(f, ", \"single_rtf\": %.6g, \"single_peak_fraction\": %.6g, \"single_over_double\": %.6g",
                r->single_rtf, peak_fraction(r, r->single_rtf, o->fs, peak->single_gflops),
                r->single_rtf / r->engine_rtf);
        if (o->run_faust)
            fprintf(f, ", \"faust_rtf\": %.6g, \"faust_bytes\": %zu, \"faust_compile_s\": %.4f, "
                       "\"engine_over_faust\": %.6g",
                    r->faust_rtf, r->faust_bytes, r->faust_compile_s, r->engine_rtf / r->faust_rtf);
        if (o->run_faust)
            fprintf(f, ", \"faust_peak_fraction\": %.6g", peak_fraction(r, r->faust_rtf, o->fs, faust_peak));
        if (r->aot_rtf > 0)
            fprintf(f, ", \"aot_rtf\": %.6g, \"aot_build_s\": %.3f, \"aot_peak_fraction\": %.6g, "
                       "\"engine_over_aot\": %.6g",
                    r->aot_rtf, r->aot_build_s, peak_fraction(r, r->aot_rtf, o->fs, peak->single_gflops),
                    r->engine_rtf / r->aot_rtf);
        if (r->aot_rtf > 0) fprintf(f, ", \"single_over_aot\": %.6g", r->single_rtf / r->aot_rtf);
        fprintf(f, "}%s\n", i + 1 < n_rows ? "," : "");
    }
    fprintf(f, "  ],\n  \"fits\": [\n");
    int first = 1;
    for (int k = 0; k < o->n_kinds; k++)
        for (int faust = 0; faust <= o->run_faust; faust++) {
            const adac_bench_fit *fit = &fits[k][faust];
            if (fit->points == 0) continue;
            fprintf(f, "%s    {\"kind\": \"%s\", \"implementation\": \"%s\", \"fit\": ", first ? "" : ",\n",
                    adac_bench_kind_name(o->kinds[k]), faust ? "faust" : "engine");
            json_fit(f, fit);
            fprintf(f, "}");
            first = 0;
        }
    fprintf(f, "\n  ]\n}\n");
    fclose(f);
    return buf;
}

/* Runs the plotting module with $ADAC_PYTHON, else the Python next to this
 * executable (the venv's), else python3 from PATH. */
static int plot(const char *json_path, const char *png_path)
{
    char exe[1024], python[1100], cmd[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(python, sizeof python, "python3");
    if (getenv("ADAC_PYTHON")) {
        snprintf(python, sizeof python, "%s", getenv("ADAC_PYTHON"));
    } else if (k > 0) {
        exe[k] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(python, sizeof python, "%s/python3", exe);
            if (access(python, X_OK) != 0) snprintf(python, sizeof python, "python3");
        }
    }
    snprintf(cmd, sizeof cmd, "'%s' -m adac.bench_plot '%s' '%s'", python, json_path, png_path);
    int rc = system(cmd);
    if (rc != 0) {
        adac_tool_say(stderr, "adac-bench", "plotting failed (%s); the figures are in %s", cmd, json_path);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    bench_options o = {.seconds = 2.0, .fs = 48000, .block = 256, .repeat = 3, .cpu = -1, .run_faust = 1, .run_aot = 1};
    parse_sizes("4..64", &o);
    parse_kinds("dense,householder,hadamard", &o);
    split_faust_options("-double", &o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = 1;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            adac_tool_version("adac-bench");
            return 0;
        } else if (!strcmp(a, "--no-faust")) {
            o.run_faust = 0;
            continue;
        } else if (!strcmp(a, "--no-aot")) {
            o.run_aot = 0;
            continue;
        }
        if (!v) {
            adac_tool_say(stderr, "adac-bench", "%s needs a value (see --help)", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--lines"))
            ok = parse_sizes(v, &o);
        else if (!strcmp(a, "--kinds"))
            ok = parse_kinds(v, &o);
        else if (!strcmp(a, "--seconds")) {
            if (!adac_arg_double("adac-bench", a, v, 0.001, 3600, &o.seconds)) return 2;
        } else if (!strcmp(a, "--block")) {
            if (!adac_arg_int("adac-bench", a, v, 1, 65536, &o.block)) return 2;
        } else if (!strcmp(a, "--repeat")) {
            if (!adac_arg_int("adac-bench", a, v, 1, 1000, &o.repeat)) return 2;
        } else if (!strcmp(a, "--cpu")) {
            if (!adac_arg_int("adac-bench", a, v, 0, 4095, &o.cpu)) return 2;
        } else if (!strcmp(a, "--fs")) {
            if (!adac_arg_double("adac-bench", a, v, 1000, 1e6, &o.fs)) return 2;
        }
        else if (!strcmp(a, "--faust-options"))
            ok = split_faust_options(v, &o);
        else if (!strcmp(a, "--json"))
            o.json_path = v;
        else if (!strcmp(a, "--plot"))
            o.plot_path = v;
        else if (!strcmp(a, "--save-models"))
            o.models_dir = v;
        else {
            adac_tool_say(stderr, "adac-bench", "unknown option %s (see --help)", a);
            return 2;
        }
        if (!ok) {
            adac_tool_say(stderr, "adac-bench", "bad value '%s' for %s (see --help)", v, a);
            return 2;
        }
    }

    if (o.models_dir && mkdir(o.models_dir, 0777) != 0 && errno != EEXIST) {
        adac_tool_say(stderr, "adac-bench", "cannot create %s: %s", o.models_dir, strerror(errno));
        return 1;
    }
    int cpu = pin_to_core(o.cpu);
    if (cpu < 0) return 1;
    size_t total = (size_t)(o.seconds * o.fs);
    total -= total % (size_t)o.block;
    if (total == 0) total = (size_t)o.block;
    double *noise = malloc(total * sizeof *noise);
    float *noise_f = malloc(total * sizeof *noise_f);
    bench_row *rows = calloc((size_t)o.n_sizes * o.n_kinds, sizeof *rows);
    bench_subject *subjects = calloc((size_t)o.n_sizes * o.n_kinds, sizeof *subjects);
    if (!noise || !noise_f || !rows || !subjects) {
        adac_tool_say(stderr, "adac-bench", "out of memory");
        return 1;
    }
    fill_noise(noise, total);
    for (size_t i = 0; i < total; i++) noise_f[i] = (float)noise[i];
    bench_input input = {noise, noise_f, total};

    printf("adac-bench: %g s of noise at %g Hz in blocks of %d, best of %d rounds, pinned to core %d\n",
           (double)total / o.fs, o.fs, o.block, o.repeat, cpu);
    progress("measuring the core's peak multiply-add rate");
    adac_peak peak = adac_peak_measure(0.5);
    printf("core %d: peak %.2f GFLOP/s double, %.2f single (multiply-add chains); dispatch %s\n", cpu,
           peak.double_gflops, peak.single_gflops, peak.dispatch);
    /* What the dense FDNs' main kernel reaches by itself bounds their fraction. */
    adac_mix_alone mix[2];
    static const int mix_sizes[2] = {32, 64};
    for (int k = 0; k < 2; k++) {
        progress("timing the %d x %d dense mix alone", mix_sizes[k], mix_sizes[k]);
        if (!adac_mix_alone_measure(mix_sizes[k], 2.0, &mix[k])) {
            adac_tool_say(stderr, "adac-bench", "out of memory");
            return 1;
        }
    }
    printf("engine: double and single precision; FAUST: ");
    if (o.run_faust)
        adac_tool_print(stdout, "libfaust %s (LLVM backend, in-process), options \"%s\"", adac_faust_version(),
                        o.faust_text);
    else
        printf("not run\n");
    if (o.run_faust && o.run_aot) printf("FAUST ahead of time: %s\n", adac_faust_aot_compiler());
    putchar('\n');
    fflush(stdout);

    int n_rows = 0;
    for (int k = 0; k < o.n_kinds; k++)
        for (int sz = 0; sz < o.n_sizes; sz++) {
            if (!adac_bench_kind_fits(o.kinds[k], o.sizes[sz])) continue;
            progress("preparing %d lines, %s", o.sizes[sz], adac_bench_kind_name(o.kinds[k]));
            if (!prepare_subject(&o, o.sizes[sz], o.kinds[k], &subjects[n_rows], &rows[n_rows])) return 1;
            n_rows++;
        }
    if (!measure_rounds(&o, subjects, n_rows, &input)) {
        adac_tool_say(stderr, "adac-bench", "out of memory");
        return 1;
    }
    /* The peak again after the rounds, the better of the two counting: a slow
     * spell of a shared machine at the start must not inflate every fraction. */
    progress("measuring the core's peak multiply-add rate again");
    adac_peak again = adac_peak_measure(0.25);
    if (again.double_gflops > peak.double_gflops) peak.double_gflops = again.double_gflops;
    if (again.single_gflops > peak.single_gflops) peak.single_gflops = again.single_gflops;
    printf("core %d: peak after the rounds %.2f GFLOP/s double, %.2f single; the better of each counts\n", cpu,
           again.double_gflops, again.single_gflops);
    for (int k = 0; k < 2; k++)
        printf("dense %d x %d mix alone (the engine on a gain leaf): %.2f GFLOP/s double (%.1f%% of peak), "
               "%.2f single (%.1f%%)\n",
               mix[k].n, mix[k].n, mix[k].double_gflops, 100 * mix[k].double_gflops / peak.double_gflops,
               mix[k].single_gflops, 100 * mix[k].single_gflops / peak.single_gflops);
    putchar('\n');
    if (isatty(STDERR_FILENO)) fprintf(stderr, "%60s\r", "");
    double faust_peak = faust_is_double(&o) ? peak.double_gflops : peak.single_gflops;
    printf("%5s %-12s %9s %10s %10s %10s %10s %6s %7s %7s %7s %8s %8s %8s %8s %9s %9s\n", "lines", "kind", "flop/smp",
           "engine xRT", "single xRT", "faust xRT", "aot xRT", "s/e", "e/faust", "e/aot", "s/aot", "engine%",
           "single%", "faust%", "aot%", "engine KiB", "faust KiB");
    for (int i = 0; i < n_rows; i++) {
        const bench_row *r = &rows[i];
        printf("%5d %-12s %9.0f %10.1f %10.1f ", r->lines, adac_bench_kind_name(r->kind), r->flops, r->engine_rtf,
               r->single_rtf);
        if (o.run_faust)
            printf("%10.1f ", r->faust_rtf);
        else
            printf("%10s ", "-");
        if (r->aot_rtf > 0)
            printf("%10.1f ", r->aot_rtf);
        else
            printf("%10s ", "-");
        printf("%6.2f ", r->single_rtf / r->engine_rtf);
        if (o.run_faust)
            printf("%7.2f ", r->engine_rtf / r->faust_rtf);
        else
            printf("%7s ", "-");
        if (r->aot_rtf > 0)
            printf("%7.2f %7.2f ", r->engine_rtf / r->aot_rtf, r->single_rtf / r->aot_rtf);
        else
            printf("%7s %7s ", "-", "-");
        printf("%7.1f%% ", 100 * peak_fraction(r, r->engine_rtf, o.fs, peak.double_gflops));
        printf("%7.1f%% ", 100 * peak_fraction(r, r->single_rtf, o.fs, peak.single_gflops));
        if (o.run_faust)
            printf("%7.1f%% ", 100 * peak_fraction(r, r->faust_rtf, o.fs, faust_peak));
        else
            printf("%8s ", "-");
        if (r->aot_rtf > 0)
            printf("%7.1f%% ", 100 * peak_fraction(r, r->aot_rtf, o.fs, peak.single_gflops));
        else
            printf("%8s ", "-");
        printf("%9.1f ", r->engine_bytes / 1024.0);
        if (o.run_faust)
            printf("%9.1f\n", r->faust_bytes / 1024.0);
        else
            printf("%9s\n", "-");
        subject_free(&subjects[i]);
    }
    printf("(single: the engine in single precision; s/e: single over double. engine%%, single%%, faust%%,\n"
           " aot%%: the model's arithmetic per second over the core's peak in the precision each runs in:\n"
           " double for the engine, single for the single engine and the ahead-of-time build, the libfaust\n"
           " build's own for faust)\n");

    printf("\nFit of cost per sample against N^2 (from the smallest sizes up, until a size lands\n"
           "more than %.0f%% above the fit of the sizes before it, and the next size too):\n",
           100 * ADAC_BENCH_FIT_TOLERANCE);
    adac_bench_fit fits[MAX_KINDS][2] = {{{0}}};
    for (int k = 0; k < o.n_kinds; k++)
        for (int faust = 0; faust <= o.run_faust; faust++) {
            int sizes = fit_series(&o, rows, n_rows, o.kinds[k], faust, &fits[k][faust]);
            print_fit(faust ? "faust" : "engine", o.kinds[k], &fits[k][faust], sizes);
        }

    int ok = 1;
    if (o.json_path || o.plot_path) {
        char *json = json_report(&o, rows, n_rows, fits, cpu, &peak, mix, 2);
        char err[ADAC_ERR_LEN], tmp[] = "/tmp/adac-bench-XXXXXX.json";
        const char *json_out = o.json_path;
        if (!json_out) {
            int fd = mkstemps(tmp, 5);
            if (fd >= 0) close(fd);
            json_out = tmp;
        }
        if (!json || !adac_write_text_atomic(json_out, json, err, sizeof err)) {
            adac_tool_say(stderr, "adac-bench", "%s", json ? err : "out of memory");
            ok = 0;
        } else if (o.json_path) {
            putchar('\n');
            adac_tool_print(stdout, "wrote %s", o.json_path);
        }
        if (ok && o.plot_path) {
            ok = plot(json_out, o.plot_path);
            if (ok) adac_tool_print(stdout, "wrote %s", o.plot_path);
        }
        if (!o.json_path && ok) unlink(tmp); /* kept when plotting failed: the figures are there */
        free(json);
    }
    free(noise);
    free(noise_f);
    free(rows);
    free(subjects);
    return ok ? 0 : 1;
}
