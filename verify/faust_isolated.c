#define _GNU_SOURCE
#include "faust_isolated.h"

#include "faust_dsp.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the child sends first; the samples follow when ok. */
typedef struct {
    int ok, n_in, n_out;
    char err[1024];
} reply_header;

/* In the child: compile, set the sliders, render into *out (allocated here,
 * for the paths the program has). */
static int run_job(const adac_faust_job *job, double **out, reply_header *h)
{
    /* The factory's name is only a label; a fixed one, since libfaust fails on
     * some names a model file may hold. */
    adac_faust_dsp *d = adac_faust_compile("adac", job->code, job->double_precision, h->err, sizeof h->err);
    if (!d) return 0;
    h->n_in = adac_faust_num_inputs(d);
    h->n_out = adac_faust_num_outputs(d);
    int ok = 0;
    size_t paths = (size_t)h->n_in * (size_t)h->n_out;
    if (paths > (size_t)job->max_paths)
        snprintf(h->err, sizeof h->err,
                 "channel mismatch: the FAUST DSP has %d input(s) and %d output(s), more paths than the %d expected",
                 h->n_in, h->n_out, job->max_paths);
    else if (!(*out = calloc(paths * job->n + 1, sizeof **out)))
        snprintf(h->err, sizeof h->err, "FAUST render: out of memory");
    else
        ok = 1;
    for (int k = 0; ok && k < job->n_params; k++)
        if (!adac_faust_set_param(d, job->labels[k], job->values[k])) {
            snprintf(h->err, sizeof h->err, "the FAUST DSP has no slider '%s'", job->labels[k]);
            ok = 0;
        }
    if (ok && !(ok = adac_faust_render_impulse(d, job->fs, job->n, *out)))
        snprintf(h->err, sizeof h->err, "FAUST render: out of memory");
    adac_faust_free(d);
    return ok;
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w, n -= (size_t)w;
    }
    return 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Reads n bytes before the deadline: 1 done, 0 end of data, -1 out of time. */
static int read_all(int fd, void *buf, size_t n, double deadline)
{
    char *p = buf;
    while (n) {
        int ms = (int)ceil((deadline - now()) * 1000);
        if (ms <= 0) return -1;
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return -1;
        ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return 0;
        p += got, n -= (size_t)got;
    }
    return 1;
}

static void child(const adac_faust_job *job, int fd, double seconds, size_t memory)
{
#if !defined(__SANITIZE_ADDRESS__)
    /* The budget comes on top of what the process already maps (a Python parent
     * with torch maps gigabytes it never touches). (An AddressSanitizer build
     * reserves terabytes of shadow memory up front: no limit there.) */
    size_t mapped = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (statm && fscanf(statm, "%lu", &pages) == 1) mapped = (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
    if (statm) fclose(statm);
    struct rlimit as = {mapped + memory, mapped + memory};
    setrlimit(RLIMIT_AS, &as);
#endif
    rlim_t cpu = (rlim_t)ceil(seconds) + 1;
    struct rlimit cpu_limit = {cpu, cpu + 1};
    setrlimit(RLIMIT_CPU, &cpu_limit);
    double *out = NULL;
    reply_header h = {0};
    h.ok = run_job(job, &out, &h);
    size_t paths = (size_t)h.n_in * (size_t)h.n_out;
    int sent = write_all(fd, &h, sizeof h) && (!h.ok || write_all(fd, out, paths * job->n * sizeof *out));
    _exit(sent ? 0 : 3);
}

int adac_faust_render_isolated(const adac_faust_job *job, double *out, int *n_in, int *n_out, char *err,
                               size_t err_len)
{
    double seconds = job->seconds > 0 ? job->seconds : ADAC_FAUST_DEFAULT_SECONDS;
    size_t memory = job->memory_bytes ? job->memory_bytes : ADAC_FAUST_DEFAULT_MEMORY;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, err_len, "FAUST: cannot create a pipe (%s)", strerror(errno));
        return 0;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_len, "FAUST: cannot start a child process (%s)", strerror(errno));
        close(fds[0]), close(fds[1]);
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        child(job, fds[1], seconds, memory);
    }
    close(fds[1]);
    double deadline = now() + seconds;
    reply_header h;
    int got = read_all(fds[0], &h, sizeof h, deadline);
    if (got == 1 && h.ok)
        got = read_all(fds[0], out, (size_t)h.n_in * h.n_out * job->n * sizeof *out, deadline);
    close(fds[0]);
    if (got < 0) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got < 0) {
        snprintf(err, err_len,
                 "FAUST: compiling and rendering took longer than %g s and was stopped (a hostile or "
                 "very large program?)",
                 seconds);
        return 0;
    }
    if (got == 0 || !WIFEXITED(status)) {
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        if (sig == SIGXCPU)
            snprintf(err, err_len, "FAUST: compiling and rendering used more than %g s of CPU and was stopped",
                     seconds);
        else if (sig)
            snprintf(err, err_len,
                     "FAUST: libfaust crashed (signal %d, %s) on this program; the memory limit is %zu MiB",
                     sig, strsignal(sig), memory >> 20);
        else
            snprintf(err, err_len, "FAUST: the compiling process ended without an answer (exit %d)",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
    }
    if (!h.ok) {
        h.err[sizeof h.err - 1] = 0;
        snprintf(err, err_len, "%s", h.err);
        return 0;
    }
    *n_in = h.n_in;
    *n_out = h.n_out;
    return 1;
}
