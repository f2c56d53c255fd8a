/* The host's float blocks widened to the engine's doubles and rounded back, for
 * the back ends that run ADAC's engine. Allocated in prepare only. */
#pragma once

#include <vector>

class adac_wide_buffers {
public:
    void prepare(int inputs, int outputs, int max_block)
    {
        in.assign((size_t)inputs * max_block, 0.0);
        out.assign((size_t)outputs * max_block, 0.0);
        in_ptr.assign(inputs, nullptr);
        out_ptr.assign(outputs, nullptr);
        for (int c = 0; c < inputs; c++) in_ptr[c] = &in[(size_t)c * max_block];
        for (int c = 0; c < outputs; c++) out_ptr[c] = &out[(size_t)c * max_block];
    }
    const double *const *widen(const float *const *x, int n)
    {
        for (size_t c = 0; c < in_ptr.size(); c++)
            for (int t = 0; t < n; t++) in_ptr[c][t] = x[c][t];
        return in_ptr.data();
    }
    double *const *outputs() { return out_ptr.data(); }
    void narrow(float *const *y, int n) const
    {
        for (size_t c = 0; c < out_ptr.size(); c++)
            for (int t = 0; t < n; t++) y[c][t] = (float)out_ptr[c][t];
    }

private:
    std::vector<double> in, out;
    std::vector<double *> in_ptr, out_ptr;
};
