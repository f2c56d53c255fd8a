/* Runs a back end at the model's sample rate inside a host running at another.
 * The model's delays and filters are defined at its fs, so the host's signal is
 * resampled to fs, processed, and resampled back, with libsamplerate's best sinc
 * converter (Debian's libsamplerate0). Its output is aligned in time with its
 * input (it withholds samples until it can compute them, it does not shift
 * them), so the only delay the chain adds is the one this adapter chooses: a FIFO
 * of `latency()` host samples, just deep enough that what the converters withhold
 * never runs it dry. The host is told that latency and compensates it exactly. */
#pragma once

#include "dsp_backend.h"

#include <vector>

class adac_rate_adapter {
public:
    ~adac_rate_adapter();
    /* Allocates everything and measures the latency; false when out of memory or
     * when libsamplerate refuses the ratio. */
    bool prepare(double host_fs, double model_fs, int n_in, int n_out, int max_host_block,
                 adac_dsp_backend &backend, int model_max_block);
    int latency() const { return latency_samples; }
    /* n <= max_host_block frames at the host rate; allocation- and lock-free. */
    void process(const float *const *in, float *const *out, int n);
    void reset();

private:
    void release();
    /* Feeds n host frames (interleaved) through up-conversion, the back end (when
     * run_model) and down-conversion, appending what comes out to the FIFO.
     * Returns the host frames appended. */
    long push(const float *interleaved_in, long n, bool run_model);

    adac_dsp_backend *backend = nullptr;
    void *up = nullptr, *down = nullptr; /* SRC_STATE, kept opaque here */
    double up_ratio = 1.0, down_ratio = 1.0;
    int n_in = 0, n_out = 0, max_host = 0, model_max = 0, latency_samples = 0;
    std::vector<float> host_in_i, model_in_i, model_out_i, host_out_i;
    std::vector<float> model_in, model_out; /* planar, model_max frames per channel */
    std::vector<const float *> model_in_ptr;
    std::vector<float *> model_out_ptr;
    std::vector<float> fifo; /* interleaved n_out channels, ring of fifo_frames */
    long fifo_frames = 0, fifo_read = 0, fifo_count = 0;
};
