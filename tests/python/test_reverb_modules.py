"""The attenuation filters of flamo.auxiliary.reverb that ADAC reads (their own
rfft-based designs): alone and as the absorption of an FDN, FLAMO vs engine vs
FAUST within -120 dB, and the round trip."""
import contextlib

import numpy as np
import pytest
import torch
from flamo.auxiliary import reverb
from flamo.processor import dsp, system

import adac
from conftest import error_db
from flamo_models import DT, FS, kw, set_delays, shell

NFFT = 2**14
DELAYS = [97, 131, 173, 211]

BUILDERS = {
    "parallelFDNGEQ": lambda d: reverb.parallelFDNGEQ(octave_interval=1, nfft=NFFT, fs=FS, delays=d,
                                                      device="cpu", dtype=DT),
    "parallelFDNAccurateGEQ": lambda d: reverb.parallelFDNAccurateGEQ(octave_interval=1, nfft=NFFT, fs=FS,
                                                                      delays=d, device="cpu", dtype=DT),
    "parallelGFDNAccurateGEQ": lambda d: reverb.parallelGFDNAccurateGEQ(
        octave_interval=1, n_groups=2, nfft=NFFT, fs=FS, delays=d, device="cpu", dtype=DT),
    "parallelFDNPEQ": lambda d: reverb.parallelFDNPEQ(n_bands=10, delays=d, nfft=NFFT, fs=FS, device="cpu",
                                                      dtype=DT),
    "parallelFirstOrderShelving": lambda d: reverb.parallelFirstOrderShelving(
        nfft=NFFT, fs=FS, rt_nyquist=0.05, delays=d, device="cpu", dtype=DT),
}


@contextlib.contextmanager
def default_dtype(dtype):
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def flamo_precision(name):
    """parallelFDNPEQ makes its taps with torch's default dtype: in float64 FLAMO's
    response of them is exact (float32 is checked below). The others are left at
    the default (FLAMO's AccurateGEQ design fails under a float64 default)."""
    return default_dtype(torch.float64) if name == "parallelFDNPEQ" else contextlib.nullcontext()


def short_rt(module):
    """Reverberation times of 50-90 ms per band (the parameters are T60s), so that
    FLAMO's circular response has decayed within nfft."""
    with torch.no_grad():
        module.assign_value(torch.linspace(0.05, 0.09, module.param.numel(),
                                           dtype=DT).reshape(module.param.shape))
    return module


def fdn_with(name):
    d = torch.tensor(DELAYS, dtype=DT)
    delays = dsp.parallelDelay(size=(4,), max_len=500, isint=True, **kw(NFFT))
    set_delays(delays, DELAYS)
    mix = dsp.Matrix(size=(4, 4), matrix_type="orthogonal", **kw(NFFT))
    b = dsp.Gain(size=(4, 1), **kw(NFFT))
    c = dsp.Gain(size=(1, 4), **kw(NFFT))
    with torch.no_grad():
        b.assign_value(torch.full((4, 1), 0.5, dtype=DT))
        c.assign_value(torch.tensor([[0.7, -0.4, 0.3, 0.5]], dtype=DT))
    absorption = short_rt(BUILDERS[name](d))
    loop = system.Recursion(fF=system.Series(delays, absorption), fB=mix)
    return shell(system.Series(b, loop, c), NFFT)


@pytest.mark.parametrize("where", ["alone", "in_loop"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_reverb_filter(name, where):
    torch.manual_seed(4)
    with flamo_precision(name):
        model = shell(short_rt(BUILDERS[name](torch.tensor(DELAYS, dtype=DT))), NFFT) \
            if where == "alone" else fdn_with(name)
        config = adac.flamo_to_json(model, fs=FS)
        ref = adac.flamo_impulse_response(model, fs=FS)
        again = adac.flamo_impulse_response(adac.json_to_flamo(config), fs=FS)
    assert np.isfinite(ref).all() and np.abs(ref).max() > 1e-3
    assert 20 * np.log10(np.abs(ref[-200:]).max() / np.abs(ref).max()) < -150
    eng = adac.render_engine(config, NFFT)
    assert error_db(ref, eng).max() <= -120
    assert error_db(eng, adac.render_faust(adac.json_to_faust(config), NFFT, fs=FS)).max() <= -120
    assert error_db(ref, again).max() <= -120


def test_float32_taps_compile_exactly_with_a_warning():
    """Built under the float32 default, parallelFDNPEQ makes float32 taps and FLAMO's
    own float32 evaluation of them is off near its low-frequency poles: ADAC says
    so and compiles those very taps, which FLAMO evaluates exactly in float64 (a
    parallelSOSFilter holding them)."""
    torch.manual_seed(4)
    module = BUILDERS["parallelFDNPEQ"](torch.tensor(DELAYS, dtype=DT))
    with pytest.warns(UserWarning, match="float32"):
        config = adac.flamo_to_json(shell(module, NFFT), fs=FS)
    sections = np.asarray(config["graph"]["core"]["params"]["sections"])  # (n, K, 6)
    assert np.array_equal(sections.astype(np.float32), sections)
    taps = dsp.parallelSOSFilter(size=(len(DELAYS),), n_sections=sections.shape[1], nfft=NFFT,
                                 dtype=torch.float64, device="cpu")
    with torch.no_grad():
        taps.assign_value(torch.tensor(np.transpose(sections, (1, 2, 0))))
    exact = adac.flamo_impulse_response(shell(taps, NFFT), fs=FS)
    assert error_db(exact, adac.render_engine(config, NFFT)).max() <= -120
