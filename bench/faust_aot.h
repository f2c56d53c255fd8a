/* The emitted FAUST as a plugin ships it: translated to C++ by the faust compiler
 * in single precision, compiled ahead of time by the system C++ compiler at -O3
 * for the native architecture, loaded with dlopen. adac-bench times it beside
 * the engine and libfaust's in-process build. */
#ifndef ADAC_FAUST_AOT_H
#define ADAC_FAUST_AOT_H

#include <stddef.h>

typedef struct adac_faust_aot adac_faust_aot;

/* NULL on failure, with the failing command and its first error line in err. */
adac_faust_aot *adac_faust_aot_build(const char *dsp_code, char *err, size_t err_len);
void adac_faust_aot_init(adac_faust_aot *a, int fs);
void adac_faust_aot_compute(adac_faust_aot *a, int n, float **in, float **out);
double adac_faust_aot_build_seconds(const adac_faust_aot *a);
void adac_faust_aot_free(adac_faust_aot *a);
/* The compiler command used, for reports. */
const char *adac_faust_aot_compiler(void);

#endif
