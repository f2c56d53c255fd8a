/* Fuzzing the IR door: mutated model files (random byte edits and
 * structure-aware edits of shapes, counts, numbers and strings, from a fixed
 * seed) through the loader, the FAUST emitter, the engine and the certificate
 * in this process, and a share of them through the command-line tools. Built
 * with AddressSanitizer and UndefinedBehaviorSanitizer (any report aborts).
 * Fails on: a crash or sanitizer report, a case that hangs, a rejection whose
 * message does not start with its JSON path, a tool that dies by a signal or
 * exits other than 0, 1 or 2, or a file left behind in the tools' folder. */
#define _GNU_SOURCE
#include "certificate.h"
#include "engine.h"
#include "faust_emit.h"
#include "graph.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CASE_SECONDS 30
#define SANITIZER_EXIT 86

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static long current_case = -1;
static void on_alarm(int sig)
{
    (void)sig;
    char msg[128];
    int k = snprintf(msg, sizeof msg, "ir_fuzz: case %ld did not finish within %d s (hang)\n", current_case,
                     CASE_SECONDS);
    write(2, msg, (size_t)k);
    _exit(1);
}

/* ---- seeds: every node type, as small valid documents -------------------- */

static const char *const builtin_seeds[] = {
    "{\"format\":\"adac-ir\",\"version\":1,\"name\":\"s1\",\"fs\":48000,\"graph\":{\"type\":\"series\","
    "\"model_path\":\"model\",\"module\":\"Series\",\"children\":[{\"type\":\"gain\",\"params\":{\"matrix\":"
    "[[1],[0.5]]}},{\"type\":\"recursion\",\"fF\":{\"type\":\"series\",\"children\":[{\"type\":"
    "\"parallel_delay\",\"params\":{\"samples\":[13,17.5],\"interpolation\":{\"method\":\"lagrange\","
    "\"order\":3}}},{\"type\":\"parallel_sos\",\"params\":{\"sections\":[[[0.5,0.1,0,1,-0.2,0]],[[0.4,0,0,1,"
    "0.1,0.01]]]}}]},\"fB\":{\"type\":\"gain\",\"params\":{\"matrix\":[[0.6,0.6],[0.6,-0.6]],\"structure\":"
    "{\"kind\":\"hadamard\",\"scale\":0.6}}}},{\"type\":\"gain\",\"in\":2,\"out\":1,\"params\":{\"matrix\":"
    "[[1,1]]}}]}}",
    "{\"format\":\"adac-ir\",\"version\":1,\"name\":\"s2\",\"fs\":44100,\"graph\":{\"type\":\"parallel\","
    "\"mode\":\"concat\",\"children\":[{\"type\":\"delay\",\"params\":{\"samples\":[[3,4.25]],\"gains\":"
    "[[0.5,-0.5]]}},{\"type\":\"sos\",\"params\":{\"sections\":[[[[1,0,0,1,0,0],[0.2,0.1,0,1,-0.5,0.1]],"
    "[[1,0,0,1,0.1,0],[1,0,0,1,0,0]]]]}}]}}",
    "{\"format\":\"adac-ir\",\"version\":1,\"fs\":16000,\"graph\":{\"type\":\"shell\",\"core\":{\"type\":"
    "\"recursion\",\"model_path\":\"core.loop\",\"fF\":{\"type\":\"fir\",\"params\":{\"taps\":[[[0,0,0.5,0,0.25],"
    "[0,1,0,0,0]],[[0,0,0,0.3,0],[0,0,0,0,0]]]}},\"fB\":{\"type\":\"series\",\"children\":[{\"type\":"
    "\"parallel_gain\",\"params\":{\"gains\":[0.3,0.4]}},{\"type\":\"parallel_fir\",\"params\":{\"taps\":"
    "[[0,1],[0.5,0.5]]}}]}}}}",
    "{\"format\":\"adac-ir\",\"version\":1,\"name\":\"hh\",\"fs\":48000,\"graph\":{\"type\":\"recursion\","
    "\"fF\":{\"type\":\"parallel_delay\",\"params\":{\"samples\":[101,103,107]}},\"fB\":{\"type\":\"gain\","
    "\"module\":\"HouseholderMatrix\",\"params\":{\"matrix\":[[0.3333333333333333,-0.6666666666666666,"
    "-0.6666666666666666],[-0.6666666666666666,0.3333333333333333,-0.6666666666666666],[-0.6666666666666666,"
    "-0.6666666666666666,0.3333333333333333]],\"structure\":{\"kind\":\"householder\",\"u\":[1,1,1]}}}}}",
};

/* ---- mutations ---------------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
} text;

static void text_put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

static const char *const hostile_strings[] = {
    "a\nprocess = _;\n",
    "x */ ffunction(int exit(int), <stdlib.h>, \"\")(42); /* y",
    "\n/*\n*/ process = ffunction(int exit(int), <stdlib.h>, \"\")(42);\n//",
    "quote\"and\\backslash\\",
    "\x1b[2J\x1b]0;title\x07\r\b\t",
    "caf\xc3\xa9 \xe2\x80\xae reversed \xf0\x9f\x8e\xb5",
    "",
    "%s%n%x%p",
};

static const char *const hostile_tokens[] = {
    "\"", "[", "]", "{", "}", ",", ":", "1e999", "-1", "0", "2.5", "\\u0000", "\xff", "\xc3", "null", "true",
    "\"type\"", "\"in\":", "-0", "1e-320", "4294967297", "2147483648", "NaN", "\x00",
};

static const double extreme_numbers[] = {0,    -1,         0.5,         2.5,        1e9,    1e300, -1e300,
                                         2147483648.0, 4294967297.0, 1e-320, 67108864, 67108865, 3, 31, 32,
                                         4096, 4097,       1e6,         0.25,       -0.0};

static void byte_mutation(text *t, const char *seed, size_t len)
{
    text_put(t, seed, len);
    int edits = 1 + (int)below(4);
    for (int k = 0; k < edits && t->len; k++) {
        size_t at = below(t->len);
        switch (below(5)) {
        case 0: t->p[at] = (char)rnd(); break;
        case 1: { /* delete a range */
            size_t n = 1 + below(16);
            if (at + n > t->len) n = t->len - at;
            memmove(t->p + at, t->p + at + n, t->len - at - n + 1);
            t->len -= n;
            break;
        }
        default: { /* insert a token */
            const char *tok = hostile_tokens[below(sizeof hostile_tokens / sizeof *hostile_tokens)];
            size_t n = tok[0] ? strlen(tok) : 1;
            text_put(t, tok, n); /* grow, then move into place */
            memmove(t->p + at + n, t->p + at, t->len - n - at);
            memcpy(t->p + at, tok, n);
            break;
        }
        }
    }
}

static void collect(cJSON *v, cJSON **items, int *n, int cap)
{
    if (*n < cap) items[(*n)++] = v;
    for (cJSON *c = v->child; c; c = c->next) collect(c, items, n, cap);
}

static char *long_string(size_t n)
{
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++) s[i] = "a\n*/\"\\"[i % 6];
    s[n] = 0;
    return s;
}

static void structure_mutation(text *t, const char *seed)
{
    cJSON *doc = cJSON_Parse(seed);
    static cJSON *items[4096];
    int edits = 1 + (int)below(3);
    for (int k = 0; k < edits; k++) {
        int n = 0; /* collected anew: an edit may have freed some */
        collect(doc, items, &n, 4096);
        cJSON *v = items[below((size_t)n)];
        if (cJSON_IsNumber(v)) {
            double x = extreme_numbers[below(sizeof extreme_numbers / sizeof *extreme_numbers)];
            cJSON_SetNumberValue(v, x);
        } else if (cJSON_IsString(v)) {
            char *s = below(10) == 0 ? long_string(1 << 20)
                                     : strdup(hostile_strings[below(sizeof hostile_strings / sizeof *hostile_strings)]);
            free(v->valuestring);
            v->valuestring = s;
        } else if (cJSON_IsArray(v) && v->child) {
            switch (below(4)) {
            case 0: { /* a long array: copies of its first element */
                int copies = (int)below(3000);
                for (int i = 0; i < copies; i++) cJSON_AddItemToArray(v, cJSON_Duplicate(v->child, 1));
                break;
            }
            case 1: cJSON_Delete(cJSON_DetachItemViaPointer(v, v->child)); break;
            case 2: { /* one element nested one level deeper */
                cJSON *inner = cJSON_CreateArray();
                cJSON_AddItemToArray(inner, cJSON_Duplicate(v->child, 1));
                cJSON_ReplaceItemViaPointer(v, v->child, inner);
                break;
            }
            default: cJSON_AddItemToArray(v, cJSON_CreateArray()); break;
            }
        } else if (cJSON_IsObject(v) && v->child) {
            switch (below(4)) {
            case 0: /* the same key twice */
                cJSON_AddItemToObject(v, v->child->string, cJSON_Duplicate(v->child, 1));
                break;
            case 1: cJSON_Delete(cJSON_DetachItemViaPointer(v, v->child)); break;
            case 2: cJSON_AddNumberToObject(v, below(2) ? "in" : "out", extreme_numbers[below(20)]); break;
            default: cJSON_AddStringToObject(v, below(2) ? "model_path" : "module", hostile_strings[below(8)]); break;
            }
        }
    }
    char *s = cJSON_PrintUnformatted(doc);
    text_put(t, s, strlen(s));
    cJSON_free(s);
    cJSON_Delete(doc);
}

/* ---- checks ----------------------------------------------------------------- */

static long failures;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ir_fuzz: case %ld: ", current_case);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* Through the library: load, and for what loads, emit, run and certify. */
static int in_process(const text *t)
{
    char err[ADAC_ERR_LEN];
    adac_graph *g = adac_graph_load_text(t->p, t->len, err, sizeof err);
    if (!g) {
        if (err[0] != '$') failf("rejected without a JSON path: %s", err);
        return 0;
    }
    char *code = adac_faust_emit(g, err, sizeof err);
    if (!code) failf("loaded but the emitter failed: %s", err);
    free(code);
    int ni = g->root->n_in, no = g->root->n_out;
    if ((size_t)ni * no <= 64) {
        double *ir = malloc((size_t)ni * no * 256 * sizeof *ir);
        if (!adac_engine_render_impulse(g, 256, 64, ir)) failf("loaded but the engine could not run it");
        /* The single-precision path groups channels differently (8-float
         * vectors): it runs every such model too, at an odd block size. */
        adac_engine *single = adac_engine_create_controlled(g, NULL, ADAC_PRECISION_SINGLE);
        if (!single || !adac_engine_prepare(single, 37) || !adac_engine_render_paths(single, 256, ir))
            failf("loaded but the single-precision engine could not run it");
        adac_engine_free(single);
        free(ir);
    }
    /* The certificate's pole count can take seconds on a loop near instability:
     * every tenth model that loads is certified. */
    static long loaded_count;
    if (ni <= 16 && no <= 16 && loaded_count++ % 10 == 0) {
        adac_certify_options o;
        adac_certify_defaults(&o);
        cJSON *cert = adac_certify(g, NULL, &o);
        cJSON_Delete(cert);
    }
    adac_graph_free(g);
    return 1;
}

static int run_tool(const char *dir, char *const argv[], const char *stderr_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0) _exit(127);
        int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        alarm(CASE_SECONDS);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return WEXITSTATUS(status);
}

static void check_leftovers(const char *dir, const char *allowed[], int n_allowed)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int ok = 0;
        for (int i = 0; i < n_allowed; i++) ok |= !strcmp(e->d_name, allowed[i]);
        if (!ok) failf("left behind: %s/%s", dir, e->d_name);
    }
    closedir(d);
}

static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

static int stderr_names_path(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[8192] = {0};
    int ok = f && fgets(line, sizeof line, f) && strstr(line, "m.json: $");
    if (f) fclose(f);
    return ok;
}

/* Through the tools: the same file to adac-faust and adac-run. */
static void through_tools(const char *tools, const char *dir, const text *t, int loaded)
{
    char path[4096], faust[4096], run[4096], errp[4096];
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "wb");
    fwrite(t->p, 1, t->len, f);
    fclose(f);
    snprintf(faust, sizeof faust, "%s/adac-faust", tools);
    snprintf(run, sizeof run, "%s/adac-run", tools);
    snprintf(errp, sizeof errp, "%s.stderr", dir);
    char *const fa[] = {faust, "m.json", "-o", "out.dsp", NULL};
    char *const ra[] = {run, "m.json", "--ir", "64", "--out", "out.wav", NULL};
    char *const *runs[] = {fa, ra};
    const char *outs[] = {"out.dsp", "out.wav"};
    for (int k = 0; k < 2; k++) {
        int rc = run_tool(dir, runs[k], errp);
        if (rc < 0 || rc > 2) {
            char keep[4200];
            snprintf(keep, sizeof keep, "%s.case%ld", dir, current_case);
            rename(path, keep);
            failf("%s %s (the model is in %s)", runs[k][0],
                  rc < 0 ? "died by a signal" : rc == SANITIZER_EXIT ? "exited with a sanitizer report" : "failed to run", keep);
            continue;
        }
        else if (rc == 1 && !loaded && !stderr_names_path(errp))
            failf("%s rejected the model without naming a JSON path (see %s)", runs[k][0], errp);
        else if (rc == 0 && !loaded)
            failf("%s accepted a model the library rejects", runs[k][0]);
        const char *allowed[] = {"m.json", outs[k]};
        check_leftovers(dir, allowed, rc == 0 ? 2 : 1);
        char out[4200];
        snprintf(out, sizeof out, "%s/%s", dir, outs[k]);
        unlink(out);
    }
    clear_dir(dir);
}

int main(int argc, char **argv)
{
    long cases = 3000, tool_every = 50;
    uint64_t seed = 20261126;
    const char *tools = NULL, *work = NULL;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cases") && i + 1 < argc)
            cases = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--tools") && i + 1 < argc)
            tools = realpath(argv[++i], NULL);
        else if (!strcmp(argv[i], "--tool-every") && i + 1 < argc)
            tool_every = atol(argv[++i]);
        else if (!strcmp(argv[i], "--work") && i + 1 < argc)
            work = argv[++i];
        else {
            first_file = i;
            break;
        }
    }
    rng_state = seed ? seed : 1;
    /* Seeds: the built-in documents and any files given. */
    int n_seeds = 0;
    char *seeds[64];
    for (size_t i = 0; i < sizeof builtin_seeds / sizeof *builtin_seeds; i++) seeds[n_seeds++] = strdup(builtin_seeds[i]);
    for (int i = first_file; i < argc && n_seeds < 64; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "ir_fuzz: cannot read seed %s\n", argv[i]);
            return 2;
        }
        text t = {0};
        char buf[65536];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0) text_put(&t, buf, got);
        fclose(f);
        seeds[n_seeds++] = t.p;
    }
    for (int i = 0; i < n_seeds; i++) {
        char err[ADAC_ERR_LEN];
        adac_graph *g = adac_graph_load_string(seeds[i], err, sizeof err);
        if (!g) {
            fprintf(stderr, "ir_fuzz: seed %d does not load: %s\n", i, err);
            for (int k = 0; k < n_seeds; k++) free(seeds[k]);
            return 2;
        }
        adac_graph_free(g);
    }
    char dir[4096] = "";
    if (tools) {
        snprintf(dir, sizeof dir, "%s/ir_fuzz.XXXXXX", work ? work : "/tmp");
        if (!mkdtemp(dir)) {
            perror("ir_fuzz: mkdtemp");
            return 2;
        }
        setenv("ASAN_OPTIONS", "exitcode=86:detect_leaks=1", 1);
        setenv("UBSAN_OPTIONS", "halt_on_error=1:exitcode=86:print_stacktrace=1", 1);
    }
    signal(SIGALRM, on_alarm);
    long accepted = 0, rejected = 0, tool_runs = 0;
    time_t start = time(NULL);
    for (current_case = 0; current_case < cases; current_case++) {
        text t = {0};
        const char *s = seeds[below((size_t)n_seeds)];
        if (below(2))
            byte_mutation(&t, s, strlen(s));
        else
            structure_mutation(&t, s);
        alarm(CASE_SECONDS);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int loaded = in_process(&t);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        alarm(0);
        double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (getenv("IR_FUZZ_DUMP") && current_case == atol(getenv("IR_FUZZ_DUMP"))) {
            FILE *d = fopen("ir_fuzz_case.json", "wb");
            fwrite(t.p, 1, t.len, d);
            fclose(d);
        }
        if (getenv("IR_FUZZ_SLOW") && took > atof(getenv("IR_FUZZ_SLOW")))
            fprintf(stderr, "ir_fuzz: case %ld took %.2f s (%zu bytes, %s)\n", current_case, took, t.len,
                    loaded ? "loaded" : "rejected");
        loaded ? accepted++ : rejected++;
        if (tools && current_case % tool_every == 0) {
            through_tools(tools, dir, &t, loaded);
            tool_runs++;
        }
        free(t.p);
        if (current_case % 1000 == 999)
            fprintf(stderr, "ir_fuzz: %ld cases, %ld s\n", current_case + 1, (long)(time(NULL) - start));
    }
    if (tools) rmdir(dir);
    free((char *)tools);
    for (int i = 0; i < n_seeds; i++) free(seeds[i]);
    printf("ir_fuzz: seed %llu: %ld mutants (%ld loaded, %ld rejected), %ld through adac-faust and adac-run, "
           "%ld s: %ld failure(s)\n",
           (unsigned long long)seed, cases, accepted, rejected, tool_runs, (long)(time(NULL) - start), failures);
    return failures ? 1 : 0;
}
