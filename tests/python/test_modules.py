"""Every module of flamo.processor.dsp, alone and inside an FDN loop: FLAMO vs
engine vs compiled FAUST on every path within -120 dB of peak, and the
json_to_flamo round trip. Filters designed in frequency are compared with what
FLAMO computes, so their coefficients must be the ones FLAMO applies."""
import numpy as np
import pytest
import torch
from flamo.processor import dsp, system

import adac
from conftest import error_db
from flamo_models import DT, FS, kw, set_delays, shell

NFFT = 2**14
N = 4


def lines(n):
    return [97, 131, 173, 211, 251, 293][:n]


# name -> (builder(n), "parallel" | "matrix"); matrix modules are n x n here.
MODULES = {
    "Biquad": (lambda n: dsp.Biquad(size=(n, n), n_sections=2, filter_type="lowpass", fs=FS, **kw(NFFT)), "matrix"),
    "parallelBiquad": (lambda n: dsp.parallelBiquad(size=(n,), n_sections=2, filter_type="highpass", fs=FS, **kw(NFFT)), "parallel"),
    "SVF": (lambda n: dsp.SVF(size=(n, n), n_sections=2, fs=FS, **kw(NFFT)), "matrix"),
    "parallelSVF": (lambda n: dsp.parallelSVF(size=(n,), n_sections=2, fs=FS, **kw(NFFT)), "parallel"),
    "GEQ": (lambda n: dsp.GEQ(size=(n, n), octave_interval=1, fs=FS, **kw(NFFT)), "matrix"),
    "parallelGEQ": (lambda n: dsp.parallelGEQ(size=(n,), octave_interval=1, fs=FS, **kw(NFFT)), "parallel"),
    "PEQ": (lambda n: dsp.PEQ(size=(n, n), n_bands=4, fs=FS, **kw(NFFT)), "matrix"),
    "parallelPEQ": (lambda n: dsp.parallelPEQ(size=(n,), n_bands=4, fs=FS, **kw(NFFT)), "parallel"),
    "AccurateGEQ": (lambda n: dsp.AccurateGEQ(size=(n, n), octave_interval=1, fs=FS, **kw(NFFT)), "matrix"),
    "parallelAccurateGEQ": (lambda n: dsp.parallelAccurateGEQ(size=(n,), octave_interval=1, fs=FS, **kw(NFFT)), "parallel"),
    "Filter": (lambda n: dsp.Filter(size=(48, n, n), **kw(NFFT)), "matrix"),
    "parallelFilter": (lambda n: dsp.parallelFilter(size=(48, n), **kw(NFFT)), "parallel"),
    "ScatteringMatrix": (lambda n: dsp.ScatteringMatrix(size=(3, n, n), m_L=torch.arange(n) * 2,
                                                        m_R=torch.arange(n).flip(0), **kw(NFFT)), "matrix"),
    "VelvetNoiseMatrix": (lambda n: dsp.VelvetNoiseMatrix(size=(3, n, n), m_L=torch.arange(n),
                                                          m_R=torch.arange(n) * 3, **kw(NFFT)), "matrix"),
    "GainDelay": (lambda n: dsp.GainDelay(size=(n, n), max_len=60, isint=True, fs=FS, **kw(NFFT)), "matrix"),
    "parallelGainDelay": (lambda n: dsp.parallelGainDelay(size=(n,), max_len=60, isint=True, fs=FS, **kw(NFFT)), "parallel"),
}


def build(name, seed=0):
    torch.manual_seed(seed)
    return MODULES[name][0](N)


def peak_gain(module) -> float:
    """Largest gain of the module over frequency (spectral norm for a matrix)."""
    with torch.no_grad():
        H = module.freq_response(module.param).detach().numpy()
    if H.ndim == 2:
        return float(np.abs(H).max())
    return float(max(np.linalg.norm(h, 2) for h in H))


def in_loop(name):
    """An FDN whose loop holds the module: parallel modules after the delay lines,
    matrix modules as the feedback path; scaled so that the loop is contractive."""
    module = build(name, seed=1)
    scale = dsp.parallelGain(size=(N,), **kw(NFFT))
    with torch.no_grad():
        scale.assign_value(torch.full((N,), 0.6 / peak_gain(module), dtype=DT))
    delays = dsp.parallelDelay(size=(N,), max_len=500, isint=True, **kw(NFFT))
    set_delays(delays, lines(N))
    b = dsp.Gain(size=(N, 1), **kw(NFFT))
    c = dsp.Gain(size=(1, N), **kw(NFFT))
    with torch.no_grad():
        b.assign_value(torch.linspace(0.3, 0.9, N, dtype=DT).reshape(N, 1))
        c.assign_value(torch.linspace(0.9, -0.5, N, dtype=DT).reshape(1, N))
    if MODULES[name][1] == "parallel":
        mix = dsp.Matrix(size=(N, N), matrix_type="orthogonal", **kw(NFFT))
        loop = system.Recursion(fF=system.Series(delays, module, scale), fB=mix)
    else:
        loop = system.Recursion(fF=system.Series(delays, scale), fB=module)
    return shell(system.Series(b, loop, c), NFFT)


CASES = [(name, where) for name in sorted(MODULES) for where in ("alone", "in_loop")]


@pytest.fixture(scope="module", params=CASES, ids=[f"{n}-{w}" for n, w in CASES])
def case(request):
    name, where = request.param
    model = shell(build(name), NFFT) if where == "alone" else in_loop(name)
    config = adac.flamo_to_json(model, fs=FS, name=name)
    return name, model, config, adac.flamo_impulse_response(model, fs=FS)


def test_module_matches_flamo_engine_faust(case):
    name, model, config, ref = case
    assert 20 * np.log10(np.abs(ref[-200:]).max() / np.abs(ref).max()) < -150, "not decayed"
    assert np.abs(ref).max() > 1e-6
    eng = adac.render_engine(config, NFFT)
    assert error_db(ref, eng).max() <= -120, f"{name}: engine vs FLAMO {error_db(ref, eng).max():.1f}"
    faust = adac.render_faust(adac.json_to_faust(config), NFFT, fs=FS)
    assert error_db(eng, faust).max() <= -120, f"{name}: FAUST vs engine"


def test_module_round_trip(case):
    name, model, config, ref = case
    again = adac.flamo_impulse_response(adac.json_to_flamo(config), fs=FS)
    assert error_db(ref, again).max() <= -120, name


def test_anti_aliasing_taper_is_not_part_of_the_filter():
    # alias_decay_db changes FLAMO's internal weighting, not the filter: the IR is
    # the same with and without it.
    torch.manual_seed(3)
    plain = dsp.parallelBiquad(size=(N,), n_sections=1, filter_type="lowpass", fs=FS, **kw(NFFT))
    torch.manual_seed(3)
    tapered = dsp.parallelBiquad(size=(N,), n_sections=1, filter_type="lowpass", fs=FS,
                                 alias_decay_db=30.0, **kw(NFFT))
    a = adac.flamo_to_json(shell(plain, NFFT), fs=FS)["graph"]["core"]["params"]
    b = adac.flamo_to_json(shell(tapered, NFFT), fs=FS)["graph"]["core"]["params"]
    np.testing.assert_allclose(a["sections"], b["sections"], rtol=1e-13)
