#define FAUSTFLOAT double
#include "faust_dsp.h"

#include <faust/dsp/llvm-dsp-c.h>

/* The interpreter's C API, declared here as libfaust 2.54's
 * faust/dsp/interpreter-dsp-c.h declares it: that header does not compile as
 * C (the box API it includes names its enums the C++ way). */
typedef struct interpreter_dsp_factory interpreter_dsp_factory;
typedef struct interpreter_dsp interpreter_dsp;
interpreter_dsp_factory *createCInterpreterDSPFactoryFromString(const char *name_app, const char *dsp_content,
                                                                int argc, const char *argv[], char *error_msg);
bool deleteCInterpreterDSPFactory(interpreter_dsp_factory *factory);
interpreter_dsp *createCInterpreterDSPInstance(interpreter_dsp_factory *factory);
void deleteCInterpreterDSPInstance(interpreter_dsp *dsp);
int getNumInputsCInterpreterDSPInstance(interpreter_dsp *dsp);
int getNumOutputsCInterpreterDSPInstance(interpreter_dsp *dsp);
void buildUserInterfaceCInterpreterDSPInstance(interpreter_dsp *dsp, UIGlue *interface);
void initCInterpreterDSPInstance(interpreter_dsp *dsp, int sample_rate);
void computeCInterpreterDSPInstance(interpreter_dsp *dsp, int count, FAUSTFLOAT **input, FAUSTFLOAT **output);
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16

/* Two of libfaust's back ends. LLVM compiles to machine code, with LLVM's
 * fast-math flags on every floating-point operation: it may reassociate and
 * factor sums, which costs the state-variable sections 20 dB and more in single
 * precision (s1 + (e1*s1 + k2*v) becomes (1 + e1)*s1 + k2*v). The interpreter
 * computes each operation as written, as a plugin's C++ build does: the single
 * precision checks use it (bit for bit the engine's single path on the same
 * sections), timing and -double use LLVM. */
struct adac_faust_dsp {
    llvm_dsp_factory *factory;
    llvm_dsp *dsp;
    interpreter_dsp_factory *interp_factory;
    interpreter_dsp *interp;
    int double_precision;
    /* Slider values set by the caller, put back after every init (which resets
     * sliders to their init values). */
    int n_params;
    void *param_zone[MAX_PARAMS];
    double param_value[MAX_PARAMS];
};

static void apply_params(adac_faust_dsp *d)
{
    for (int k = 0; k < d->n_params; k++) {
        if (d->double_precision)
            *(double *)d->param_zone[k] = d->param_value[k];
        else
            *(float *)d->param_zone[k] = (float)d->param_value[k];
    }
}

/* Finding a slider's zone by its label: FAUST hands labels without their
 * [metadata]. Every other UI callback does nothing. */
typedef struct {
    const char *label;
    void *zone;
} zone_search;

static void ui_box(void *ui, const char *label) {}
static void ui_close(void *ui) {}
static void ui_button(void *ui, const char *label, FAUSTFLOAT *zone)
{
    zone_search *z = ui;
    if (!strcmp(label, z->label)) z->zone = zone;
}
static void ui_slider(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init, FAUSTFLOAT min,
                      FAUSTFLOAT max, FAUSTFLOAT step)
{
    ui_button(ui, label, zone);
}
static void ui_bargraph(void *ui, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT min, FAUSTFLOAT max) {}
static void ui_soundfile(void *ui, const char *label, const char *url, struct Soundfile **sf) {}
static void ui_declare(void *ui, FAUSTFLOAT *zone, const char *key, const char *value) {}

int adac_faust_set_param(adac_faust_dsp *d, const char *label, double value)
{
    zone_search z = {label, NULL};
    UIGlue glue = {&z, ui_box, ui_box, ui_box, ui_close, ui_button, ui_button, ui_slider, ui_slider,
                   ui_slider, ui_bargraph, ui_bargraph, ui_soundfile, ui_declare};
    if (d->interp)
        buildUserInterfaceCInterpreterDSPInstance(d->interp, &glue);
    else
        buildUserInterfaceCDSPInstance(d->dsp, &glue);
    if (!z.zone) return 0;
    int k = 0;
    while (k < d->n_params && d->param_zone[k] != z.zone) k++;
    if (k == MAX_PARAMS) return 0;
    if (k == d->n_params) d->n_params++;
    d->param_zone[k] = z.zone;
    d->param_value[k] = value;
    apply_params(d);
    return 1;
}

adac_faust_dsp *adac_faust_compile(const char *name, const char *code, int double_precision,
                                   char *err, size_t err_len)
{
    const char *argv_double[] = {"-double"};
    if (double_precision) return adac_faust_compile_args(name, code, 1, argv_double, err, err_len);
    char msg[4096] = {0};
    interpreter_dsp_factory *f = createCInterpreterDSPFactoryFromString(name, code, 0, NULL, msg);
    if (!f) {
        snprintf(err, err_len, "FAUST compilation failed: %s", msg);
        return NULL;
    }
    adac_faust_dsp *d = calloc(1, sizeof *d);
    if (!d) {
        deleteCInterpreterDSPFactory(f);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    d->interp_factory = f;
    if (!(d->interp = createCInterpreterDSPInstance(f))) {
        snprintf(err, err_len, "FAUST: could not create a DSP instance");
        adac_faust_free(d);
        return NULL;
    }
    return d;
}

adac_faust_dsp *adac_faust_compile_args(const char *name, const char *code, int argc,
                                        const char **argv, char *err, size_t err_len)
{
    char msg[4096] = {0};
    llvm_dsp_factory *f = createCDSPFactoryFromString(name, code, argc, argv, "", msg, -1);
    if (!f) {
        snprintf(err, err_len, "FAUST compilation failed: %s", msg);
        return NULL;
    }
    adac_faust_dsp *d = calloc(1, sizeof *d);
    d->factory = f;
    for (int i = 0; i < argc; i++) d->double_precision |= !strcmp(argv[i], "-double");
    d->dsp = createCDSPInstance(f);
    if (!d->dsp) {
        snprintf(err, err_len, "FAUST: could not create a DSP instance");
        adac_faust_free(d);
        return NULL;
    }
    return d;
}

int adac_faust_num_inputs(const adac_faust_dsp *d)
{
    return d->interp ? getNumInputsCInterpreterDSPInstance(d->interp) : getNumInputsCDSPInstance(d->dsp);
}

int adac_faust_num_outputs(const adac_faust_dsp *d)
{
    return d->interp ? getNumOutputsCInterpreterDSPInstance(d->interp) : getNumOutputsCDSPInstance(d->dsp);
}

int adac_faust_render_impulse(adac_faust_dsp *d, int fs, int n, double *out)
{
    int ni = adac_faust_num_inputs(d), no = adac_faust_num_outputs(d);
    /* Without -double the compiled code reads and writes float buffers. */
    size_t sample = d->double_precision ? sizeof(double) : sizeof(float);
    char *mem = calloc((size_t)(ni + no) * n, sample);
    void **bufs = calloc((size_t)(ni + no) + 1, sizeof *bufs);
    if (!mem || !bufs) {
        free(mem);
        free(bufs);
        return 0;
    }
    for (int c = 0; c < ni + no; c++) bufs[c] = mem + (size_t)c * n * sample;
    for (int i = 0; i < ni; i++) {
        adac_faust_init(d, fs);
        memset(mem, 0, (size_t)ni * n * sample);
        if (d->double_precision)
            ((double *)bufs[i])[0] = 1.0;
        else
            ((float *)bufs[i])[0] = 1.0f;
        adac_faust_compute(d, n, bufs, bufs + ni);
        for (int o = 0; o < no; o++) {
            double *dst = out + ((size_t)(o * ni + i)) * n;
            for (int t = 0; t < n; t++)
                dst[t] = d->double_precision ? ((double *)bufs[ni + o])[t]
                                             : ((float *)bufs[ni + o])[t];
        }
    }
    free(mem);
    free(bufs);
    return 1;
}

/* Further instances (adac-bench times one per run): LLVM builds only. */
void *adac_faust_new_instance(adac_faust_dsp *d)
{
    return d->factory ? createCDSPInstance(d->factory) : NULL;
}

void adac_faust_delete_instance(void *instance)
{
    if (instance) deleteCDSPInstance((llvm_dsp *)instance);
}

int adac_faust_is_double(const adac_faust_dsp *d)
{
    return d->double_precision;
}

void adac_faust_init(adac_faust_dsp *d, int fs)
{
    if (d->interp)
        initCInterpreterDSPInstance(d->interp, fs);
    else
        initCDSPInstance(d->dsp, fs);
    apply_params(d);
}

void adac_faust_compute(adac_faust_dsp *d, int n, void **in, void **out)
{
    if (d->interp)
        computeCInterpreterDSPInstance(d->interp, n, (double **)in, (double **)out);
    else
        computeCDSPInstance(d->dsp, n, (double **)in, (double **)out);
}

const char *adac_faust_version(void)
{
    return getCLibFaustVersion();
}

void adac_faust_free(adac_faust_dsp *d)
{
    if (!d) return;
    if (d->dsp) deleteCDSPInstance(d->dsp);
    if (d->factory) deleteCDSPFactory(d->factory);
    if (d->interp) deleteCInterpreterDSPInstance(d->interp);
    if (d->interp_factory) deleteCInterpreterDSPFactory(d->interp_factory);
    free(d);
}
