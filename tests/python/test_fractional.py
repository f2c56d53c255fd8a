"""Fractional delays (isint=False): the engine and FAUST use the same Lagrange
taps (sample-exact with each other), and the default order stays within -60 dB
of FLAMO's ideal delay up to fs/6."""
import numpy as np
import pytest
import torch
from flamo.processor import dsp, system

import adac
from conftest import error_db
from flamo_models import DT, FS, fdn_core, kw, set_delays, shell

NFFT = 2**12


def fractional_bank(samples, trainable=False):
    d = dsp.parallelDelay(size=(len(samples),), max_len=2000, isint=False,
                          requires_grad=trainable, **kw(NFFT))
    set_delays(d, samples, trainable=trainable)
    return shell(d, NFFT)


@pytest.mark.parametrize("order,limit_db", [(9, -70.0), (7, -58.0)])
def test_error_against_flamo_ideal_delay(order, limit_db):
    samples = [100.13, 250.5, 377.77, 90.01, 401.99]
    model = fractional_bank(samples, trainable=True)
    config = adac.flamo_to_json(model, fs=FS, fractional_order=order)
    flamo = adac.flamo_impulse_response(model, fs=FS)  # circular sinc: FLAMO's ideal delay
    eng = adac.render_engine(config, NFFT)
    w = 2 * np.pi * np.arange(NFFT // 2 + 1) / NFFT
    band = w <= 2 * np.pi / 6
    for k in range(len(samples)):
        H_flamo = np.fft.rfft(flamo[:, k, k])
        H_eng = np.fft.rfft(eng[:, k, k])
        err = 20 * np.log10(np.abs(H_eng - H_flamo)[band].max())
        assert err <= limit_db, (k, err)
    # and the error is real: higher frequencies are worse than the band
    assert np.abs(np.fft.rfft(eng[:, 1, 1]) - np.fft.rfft(flamo[:, 1, 1]))[~band].max() > 1e-3


def test_fractional_fdn_engine_and_faust_agree():
    core = fdn_core(n=8, nfft=2**14, seed=7)
    delays = core[1].feedforward[0]
    d = dsp.parallelDelay(size=(8,), max_len=2000, isint=False, requires_grad=True, **kw(2**14))
    base = delays.get_delays()(delays.param).round().detach().numpy()
    set_delays(d, base + np.linspace(0.1, 0.9, 8), trainable=True)
    core[1].feedforward[0] = d
    config = adac.flamo_to_json(shell(core, 2**14), fs=FS)
    assert config["graph"]["core"]["children"][1]["fF"]["children"][0]["params"]["interpolation"]["order"] == 9
    eng = adac.render_engine(config, 2**14)
    faust = adac.render_faust(adac.json_to_faust(config), 2**14, fs=FS)
    assert np.abs(eng).max() > 1e-2
    assert error_db(eng, faust).max() <= -120


def test_short_fractional_loop_keeps_a_sample():
    # a 1.5-sample fractional delay in a loop: the window starts at 1, not 0
    d = dsp.parallelDelay(size=(1,), max_len=10, isint=False, **kw(NFFT))
    set_delays(d, [1.5])
    g = dsp.parallelGain(size=(1,), **kw(NFFT))
    with torch.no_grad():
        g.assign_value(torch.tensor([0.5], dtype=DT))
    config = adac.flamo_to_json(shell(system.Recursion(d, g), NFFT), fs=FS)
    eng = adac.render_engine(config, 512)
    faust = adac.render_faust(adac.json_to_faust(config), 512, fs=FS)
    assert error_db(eng, faust).max() <= -120
