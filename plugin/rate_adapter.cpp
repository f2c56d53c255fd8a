#include "rate_adapter.h"

#include <samplerate.h>

#include <algorithm>
#include <cmath>

adac_rate_adapter::~adac_rate_adapter() { release(); }

void adac_rate_adapter::release()
{
    if (up) src_delete((SRC_STATE *)up);
    if (down) src_delete((SRC_STATE *)down);
    up = down = nullptr;
}

bool adac_rate_adapter::prepare(double host_fs, double model_fs, int inputs, int outputs, int max_host_block,
                                adac_dsp_backend &dsp, int model_max_block)
{
    release();
    backend = &dsp;
    n_in = inputs;
    n_out = outputs;
    max_host = max_host_block;
    model_max = model_max_block;
    up_ratio = model_fs / host_fs;
    down_ratio = host_fs / model_fs;
    int err = 0;
    up = src_new(SRC_SINC_BEST_QUALITY, n_in, &err);
    if (!up) return false;
    down = src_new(SRC_SINC_BEST_QUALITY, n_out, &err);
    if (!down) return false;
    if (src_is_valid_ratio(up_ratio) != 1 || src_is_valid_ratio(down_ratio) != 1) return false;

    /* One host block becomes at most ceil(n * ratio) + a few model frames. */
    long model_cap = (long)std::ceil(max_host * up_ratio) + 8;
    host_in_i.assign((size_t)max_host * n_in, 0.0f);
    model_in_i.assign((size_t)model_cap * n_in, 0.0f);
    model_out_i.assign((size_t)model_max * n_out, 0.0f);
    host_out_i.assign(((size_t)std::ceil(model_max * down_ratio) + 8) * n_out, 0.0f);
    model_in.assign((size_t)model_max * n_in, 0.0f);
    model_out.assign((size_t)model_max * n_out, 0.0f);
    model_in_ptr.resize(n_in);
    model_out_ptr.resize(n_out);
    for (int c = 0; c < n_in; c++) model_in_ptr[c] = &model_in[(size_t)c * model_max];
    for (int c = 0; c < n_out; c++) model_out_ptr[c] = &model_out[(size_t)c * model_max];

    /* The latency: the most host frames the two converters ever withhold, found by
     * running them (on silence, without the model) one frame at a time, the finest
     * a host can split its blocks; 2 frames of margin for rounding in the ratio. */
    fifo_frames = 1 << 16;
    fifo.assign((size_t)fifo_frames * n_out, 0.0f);
    fifo_read = fifo_count = 0;
    long fed = 0, produced = 0, deficit = 0;
    std::fill(host_in_i.begin(), host_in_i.end(), 0.0f);
    long probe = (long)std::ceil(4 * 1024 * std::max(1.0, down_ratio)) + 4096;
    for (long t = 0; t < probe; t++) {
        produced += push(host_in_i.data(), 1, false);
        fed += 1;
        deficit = std::max(deficit, fed - produced);
        fifo_read = fifo_count = 0;
    }
    latency_samples = (int)deficit + 2;
    fifo_frames = latency_samples + 2L * max_host + (long)std::ceil(model_max * down_ratio) + 16;
    fifo.assign((size_t)fifo_frames * n_out, 0.0f);
    reset();
    return true;
}

void adac_rate_adapter::reset()
{
    src_reset((SRC_STATE *)up);
    src_reset((SRC_STATE *)down);
    std::fill(fifo.begin(), fifo.end(), 0.0f);
    fifo_read = 0;
    fifo_count = latency_samples; /* the FIFO starts with `latency` frames of silence */
}

long adac_rate_adapter::push(const float *interleaved_in, long n, bool run_model)
{
    long appended = 0;
    long in_used = 0;
    /* libsamplerate takes in more input than it can turn into output when the
     * output buffer is full; it is called again, with what input is left or none,
     * until it has nothing more to give. */
    for (;;) {
        SRC_DATA u{};
        u.data_in = interleaved_in + (size_t)in_used * n_in;
        u.input_frames = n - in_used;
        u.data_out = model_in_i.data();
        u.output_frames = std::min<long>((long)(model_in_i.size() / n_in), model_max);
        u.src_ratio = up_ratio;
        if (src_process((SRC_STATE *)up, &u) != 0) return appended;
        in_used += u.input_frames_used;
        long m = u.output_frames_gen;
        if (m > 0) {
            if (run_model) {
                for (long t = 0; t < m; t++)
                    for (int c = 0; c < n_in; c++) model_in[(size_t)c * model_max + t] = model_in_i[(size_t)t * n_in + c];
                backend->process(model_in_ptr.data(), model_out_ptr.data(), (int)m);
                for (long t = 0; t < m; t++)
                    for (int c = 0; c < n_out; c++)
                        model_out_i[(size_t)t * n_out + c] = model_out[(size_t)c * model_max + t];
            } else {
                std::fill(model_out_i.begin(), model_out_i.begin() + (size_t)m * n_out, 0.0f);
            }
            long m_used = 0;
            for (;;) {
                SRC_DATA d{};
                d.data_in = model_out_i.data() + (size_t)m_used * n_out;
                d.input_frames = m - m_used;
                d.data_out = host_out_i.data();
                d.output_frames = (long)(host_out_i.size() / n_out);
                d.src_ratio = down_ratio;
                if (src_process((SRC_STATE *)down, &d) != 0) return appended;
                m_used += d.input_frames_used;
                for (long t = 0; t < d.output_frames_gen && fifo_count < fifo_frames; t++) {
                    long w = (fifo_read + fifo_count) % fifo_frames;
                    for (int c = 0; c < n_out; c++) fifo[(size_t)w * n_out + c] = host_out_i[(size_t)t * n_out + c];
                    fifo_count++;
                    appended++;
                }
                if (d.output_frames_gen == 0 && (m_used == m || d.input_frames_used == 0)) break;
            }
        }
        if (m == 0 && (in_used == n || u.input_frames_used == 0)) break;
    }
    return appended;
}

void adac_rate_adapter::process(const float *const *in, float *const *out, int n)
{
    for (int t = 0; t < n; t++)
        for (int c = 0; c < n_in; c++) host_in_i[(size_t)t * n_in + c] = in[c][t];
    push(host_in_i.data(), n, true);
    for (int t = 0; t < n; t++) {
        bool have = fifo_count > 0;
        for (int c = 0; c < n_out; c++) out[c][t] = have ? fifo[(size_t)fifo_read * n_out + c] : 0.0f;
        if (have) {
            fifo_read = (fifo_read + 1) % fifo_frames;
            fifo_count--;
        }
    }
}
