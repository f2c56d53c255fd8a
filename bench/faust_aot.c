#define _GNU_SOURCE
#include "faust_aot.h"
#include "bench_clock.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct adac_faust_aot {
    void *lib, *dsp;
    void *(*make)(void);
    void (*init)(void *, int);
    void (*compute)(void *, int, float **, float **);
    void (*destroy)(void *);
    double build_s;
};

/* The few lines a FAUST class needs to be called from C: FAUST's own dsp, UI and
 * Meta interfaces, the generated class, and four entry points. */
static const char wrapper[] = "#include <faust/dsp/dsp.h>\n"
                              "#include <faust/gui/UI.h>\n"
                              "#include <faust/gui/meta.h>\n"
                              "#include \"generated.cpp\"\n"
                              "extern \"C\" {\n"
                              "void *aot_make(void) { return new adac_aot(); }\n"
                              "void aot_init(void *d, int fs) { static_cast<adac_aot *>(d)->init(fs); }\n"
                              "void aot_compute(void *d, int n, float **in, float **out)\n"
                              "{ static_cast<adac_aot *>(d)->compute(n, in, out); }\n"
                              "void aot_destroy(void *d) { delete static_cast<adac_aot *>(d); }\n"
                              "}\n";

const char *adac_faust_aot_compiler(void)
{
    return "faust -lang cpp (single precision), c++ -O3 -march=native";
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Runs argv with stdout and stderr into log; 1 on exit status 0. */
static int run(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        if (f) dup2(fileno(stdout), STDERR_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0) return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void first_error(const char *log, const char *what, char *err, size_t err_len)
{
    char line[512] = "";
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "error")) break;
    if (f) fclose(f);
    line[strcspn(line, "\n")] = 0;
    snprintf(err, err_len, "%s failed%s%s", what, *line ? ": " : "", line);
}

static void remove_dir(const char *dir)
{
    const char *names[] = {"generated.dsp", "generated.cpp", "wrapper.cpp", "aot.so", "log.txt"};
    char path[1024];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

adac_faust_aot *adac_faust_aot_build(const char *dsp_code, char *err, size_t err_len)
{
    char dir[] = "/tmp/adac-aot-XXXXXX", dsp[1024], cpp[1024], wrap[1024], so[1024], log[1024];
    if (!mkdtemp(dir)) {
        snprintf(err, err_len, "cannot create a build folder in /tmp");
        return NULL;
    }
    snprintf(dsp, sizeof dsp, "%s/generated.dsp", dir);
    snprintf(cpp, sizeof cpp, "%s/generated.cpp", dir);
    snprintf(wrap, sizeof wrap, "%s/wrapper.cpp", dir);
    snprintf(so, sizeof so, "%s/aot.so", dir);
    snprintf(log, sizeof log, "%s/log.txt", dir);
    adac_faust_aot *a = calloc(1, sizeof *a);
    double t0 = adac_bench_now_s();
    if (!a || !write_file(dsp, dsp_code) || !write_file(wrap, wrapper)) {
        snprintf(err, err_len, "cannot write the build files in %s", dir);
        goto fail;
    }
    char *faust[] = {"faust", "-lang", "cpp", "-cn", "adac_aot", "-o", cpp, dsp, NULL};
    if (!run(faust, log)) {
        first_error(log, "faust -lang cpp", err, err_len);
        goto fail;
    }
    char *cxx[] = {"c++", "-O3", "-march=native", "-shared", "-fPIC", "-o", so, wrap, NULL};
    if (!run(cxx, log)) {
        first_error(log, "c++ -O3 -march=native", err, err_len);
        goto fail;
    }
    a->build_s = adac_bench_now_s() - t0;
    a->lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!a->lib) {
        snprintf(err, err_len, "dlopen: %s", dlerror());
        goto fail;
    }
    *(void **)&a->make = dlsym(a->lib, "aot_make");
    *(void **)&a->init = dlsym(a->lib, "aot_init");
    *(void **)&a->compute = dlsym(a->lib, "aot_compute");
    *(void **)&a->destroy = dlsym(a->lib, "aot_destroy");
    if (!a->make || !a->init || !a->compute || !a->destroy || !(a->dsp = a->make())) {
        snprintf(err, err_len, "the compiled FAUST library lacks its entry points");
        goto fail;
    }
    remove_dir(dir); /* the library stays mapped */
    return a;
fail:
    if (a && a->lib) dlclose(a->lib);
    free(a);
    remove_dir(dir);
    return NULL;
}

void adac_faust_aot_init(adac_faust_aot *a, int fs)
{
    a->init(a->dsp, fs);
}

void adac_faust_aot_compute(adac_faust_aot *a, int n, float **in, float **out)
{
    a->compute(a->dsp, n, in, out);
}

double adac_faust_aot_build_seconds(const adac_faust_aot *a)
{
    return a->build_s;
}

void adac_faust_aot_free(adac_faust_aot *a)
{
    if (!a) return;
    a->destroy(a->dsp);
    dlclose(a->lib);
    free(a);
}
