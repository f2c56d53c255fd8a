"""Real FLAMO models (float64) for the conformance tests and the bundled example.
Each builder returns a flamo.processor.system.Shell with FFT/iFFT layers."""
from __future__ import annotations

import math

import numpy as np
import torch
from flamo.processor import dsp, system

FS = 48000
DT = torch.float64


def kw(nfft):
    return dict(nfft=nfft, dtype=DT, device="cpu")


def shell(core, nfft):
    return system.Shell(core=core, input_layer=dsp.FFT(nfft, dtype=DT),
                        output_layer=dsp.iFFT(nfft, dtype=DT))


def line_lengths(n, rng, lo=300, hi=1100):
    return np.sort(rng.choice(np.arange(lo, hi), size=n, replace=False))


def set_delays(module, samples, trainable=False):
    """Give a delay module these delays in samples, through its own conversion (and,
    when trainable, through the inverse of its softplus map)."""
    seconds = module.sample2s(torch.tensor(np.asarray(samples, dtype=float), dtype=DT))
    raw = torch.log(torch.expm1(seconds)) if trainable else seconds
    with torch.no_grad():
        module.assign_value(raw)


def homogeneous_gains(samples, t60, fs=FS):
    return 10 ** (-3 * np.asarray(samples, dtype=float) / (fs * t60))


def feedback_matrix(kind, n, nfft, rng):
    if kind == "householder":
        m = dsp.HouseholderMatrix(size=(n, n), **kw(nfft))
        with torch.no_grad():
            m.assign_value(torch.tensor(rng.standard_normal((n, 1)), dtype=DT))
        return m
    m = dsp.Matrix(size=(n, n), matrix_type=kind, **kw(nfft))
    with torch.no_grad():
        m.assign_value(torch.tensor(rng.standard_normal((n, n)), dtype=DT))
    return m


def absorption(kind, samples, t60, nfft, sections=1):
    n = len(samples)
    g = homogeneous_gains(samples, t60)
    if kind == "gain":
        m = dsp.parallelGain(size=(n,), **kw(nfft))
        with torch.no_grad():
            m.assign_value(torch.tensor(g, dtype=DT))
        return m
    # K one-pole-like low-pass sections whose product has DC gain g: each section
    # b = [g^(1/K)(1-p), 0, 0], a = [1, -p, 0], with a0 stored unnormalised (x2) so
    # FLAMO's a0 normalisation map is exercised.
    p = np.linspace(0.1, 0.3, sections)
    coeffs = np.zeros((sections, 6, n))
    for k in range(sections):
        gk = g ** (1.0 / sections)
        coeffs[k, 0] = 2 * gk * (1 - p[k])
        coeffs[k, 1] = 2 * 0.05 * gk * (1 - p[k])
        coeffs[k, 3] = 2 * (1 + 0.05)
        coeffs[k, 4] = -2 * p[k] * (1 + 0.05)
    m = dsp.parallelSOSFilter(size=(n,), n_sections=sections, **kw(nfft))
    with torch.no_grad():
        m.assign_value(torch.tensor(coeffs, dtype=DT))
    return m


def io_gains(n_in, n, n_out, nfft, rng):
    b = dsp.Gain(size=(n, n_in), **kw(nfft))
    c = dsp.Gain(size=(n_out, n), **kw(nfft))
    with torch.no_grad():
        b.assign_value(torch.tensor(rng.standard_normal((n, n_in)) / math.sqrt(n), dtype=DT))
        c.assign_value(torch.tensor(rng.standard_normal((n_out, n)) / math.sqrt(n), dtype=DT))
    return b, c


def fdn_core(n=8, matrix="householder", absorb="gain", sections=1, nfft=2**15, seed=0,
             trainable_delays=False, n_in=1, n_out=1, t60=0.15, unit=None):
    rng = np.random.default_rng(seed)
    samples = line_lengths(n, rng)
    dkw = dict(size=(n,), max_len=2000, isint=True, requires_grad=trainable_delays, **kw(nfft))
    if unit is not None:
        dkw["unit"] = unit
    delays = dsp.parallelDelay(**dkw)
    set_delays(delays, samples, trainable=trainable_delays)
    loop = system.Recursion(
        fF=system.Series(delays, absorption(absorb, samples, t60, nfft, sections)),
        fB=feedback_matrix(matrix, n, nfft, rng))
    b, c = io_gains(n_in, n, n_out, nfft, rng)
    return system.Series(b, loop, c)


def fdn(nfft=2**15, **kwargs):
    return shell(fdn_core(nfft=nfft, **kwargs), nfft)


def fdn_with_direct(nfft=2**15, seed=3):
    core = fdn_core(n=8, matrix="orthogonal", nfft=nfft, seed=seed)
    direct = dsp.Gain(size=(1, 1), **kw(nfft))
    with torch.no_grad():
        direct.assign_value(torch.tensor([[0.7]], dtype=DT))
    return shell(system.Parallel(core, direct, sum_output=True), nfft)


def nested_recursion(nfft=2**15, seed=5):
    """Recursion whose feedforward path is a series holding another recursion."""
    rng = np.random.default_rng(seed)
    n = 4
    inner_delays = dsp.parallelDelay(size=(n,), max_len=500, isint=True, **kw(nfft))
    set_delays(inner_delays, [37, 53, 71, 89])
    inner_gain = dsp.parallelGain(size=(n,), **kw(nfft))
    with torch.no_grad():
        inner_gain.assign_value(torch.tensor([0.5, -0.4, 0.45, 0.3], dtype=DT))
    inner = system.Recursion(fF=system.Series(inner_delays, inner_gain),
                             fB=feedback_matrix("householder", n, nfft, rng))
    outer_delays = dsp.parallelDelay(size=(n,), max_len=2000, isint=True, **kw(nfft))
    samples = [401, 613, 787, 997]
    set_delays(outer_delays, samples)
    outer_abs = absorption("sos", samples, 0.12, nfft, sections=2)
    outer = system.Recursion(fF=system.Series(outer_delays, inner, outer_abs),
                             fB=feedback_matrix("orthogonal", n, nfft, rng))
    b, c = io_gains(1, n, 1, nfft, rng)
    return shell(system.Series(b, outer, c), nfft)


def conformance_models():
    """name -> zero-argument builder, the conformance matrix of the core issue."""
    models = {}
    for n in (4, 8, 16):
        for kind in ("householder", "orthogonal", "hadamard"):
            absorb = "gain" if (n + len(kind)) % 2 else "sos"
            models[f"fdn{n}_{kind}_{absorb}"] = (
                lambda n=n, kind=kind, absorb=absorb: fdn(n=n, matrix=kind, absorb=absorb, seed=n))
    models["fdn8_gain_absorption"] = lambda: fdn(n=8, matrix="hadamard", absorb="gain", seed=11)
    models["fdn8_sos3_absorption"] = lambda: fdn(n=8, matrix="orthogonal", absorb="sos",
                                                 sections=3, seed=12)
    models["fdn8_default_unit"] = lambda: fdn(n=8, seed=13)  # unit left at FLAMO's default
    models["fdn8_unit1"] = lambda: fdn(n=8, seed=14, unit=1)
    models["fdn8_trainable_delays"] = lambda: fdn(n=8, seed=15, trainable_delays=True)
    models["fdn8_parallel_direct"] = fdn_with_direct
    models["fdn4_2in_2out"] = lambda: fdn(n=4, matrix="orthogonal", absorb="sos", n_in=2,
                                          n_out=2, seed=16)
    models["nested_recursion"] = nested_recursion
    return models
