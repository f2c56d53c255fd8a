"""Bad models get a clear error naming the node, never an IR or a .dsp."""
import math

import numpy as np
import pytest
import torch
from flamo.processor import dsp, system

import adac
from flamo_models import DT, FS, fdn, kw, set_delays, shell

NFFT = 2**12


def delay_loop(delays=(7, 11), gain=0.5, **delay_kw):
    d = dsp.parallelDelay(size=(len(delays),), max_len=100, isint=True, **kw(NFFT), **delay_kw)
    set_delays(d, delays)
    g = dsp.parallelGain(size=(len(delays),), **kw(NFFT))
    with torch.no_grad():
        g.assign_value(torch.full((len(delays),), gain, dtype=DT))
    return d, g


class ScaledGain(dsp.parallelGain):
    """A user's subclass with its own map: ADAC cannot know what it applies."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.map = lambda x: 2 * x


def test_unsupported_module_names_class_and_path():
    d, g = delay_loop()
    model = shell(system.Series(d, ScaledGain(size=(2,), **kw(NFFT)), g), NFFT)
    with pytest.raises(adac.UnsupportedModuleError,
                       match=r"model\.core\.1: module test_front_end_errors\.ScaledGain is not supported"):
        adac.flamo_to_json(model, fs=FS)


def test_transform_in_the_core_is_refused_but_left_out_of_a_layer():
    """A Transform is arbitrary torch code on spectra: inside the core it would be
    processing ADAC cannot realise; as a Shell's output layer (|H| for a loss) it
    is not part of the time response, and is left out with a warning."""
    d, g = delay_loop()
    magnitude = dsp.Transform(transform=lambda x: torch.abs(x), device="cpu", dtype=DT)
    with pytest.raises(adac.UnsupportedModuleError, match=r"model\.core\.1: module .*Transform"):
        adac.flamo_to_json(shell(system.Series(d, magnitude, g), NFFT), fs=FS)
    d, g = delay_loop()
    model = system.Shell(core=system.Series(d, g), input_layer=dsp.FFT(NFFT, dtype=DT),
                         output_layer=magnitude)
    with pytest.warns(UserWarning, match=r"model\.output_layer: Transform layer left out"):
        config = adac.flamo_to_json(model, fs=FS)
    assert config["graph"]["flamo"]["layers"]["output_layer"] == "Transform"
    assert np.abs(adac.render_engine(config, 64)).max() > 0


def test_nan_parameter_names_path():
    d, g = delay_loop()
    with torch.no_grad():
        g.param[1] = float("nan")
    model = shell(system.Series(d, g), NFFT)
    with pytest.raises(ValueError, match=r"model\.core\.1: .*non-finite"):
        adac.flamo_to_json(model, fs=FS)


def test_infinite_gain_in_dict_is_refused_before_c():
    config = adac.flamo_to_json(fdn(n=4, nfft=NFFT), fs=FS)
    config["graph"]["core"]["children"][0]["params"]["matrix"][2][0] = math.inf
    with pytest.raises(adac.IRError, match=r"\$\.graph\.core\.children\[0\]\.params\.matrix\[2\]\[0\]: value is not finite"):
        adac.json_to_faust(config)


def test_negative_delay():
    d = dsp.parallelDelay(size=(2,), max_len=100, isint=True, **kw(NFFT))
    with torch.no_grad():
        d.assign_value(torch.tensor([-0.01, 0.02], dtype=DT))
    with pytest.raises(ValueError, match=r"model\.core: negative delay"):
        adac.flamo_to_json(shell(d, NFFT), fs=FS)


def test_delay_free_loop_named():
    a = dsp.parallelGain(size=(2,), **kw(NFFT))
    b = dsp.parallelGain(size=(2,), **kw(NFFT))
    model = shell(system.Recursion(a, b), NFFT)
    with pytest.raises(adac.IRError, match=r"\$\.graph\.core: delay-free loop.*'model\.core'"):
        adac.flamo_to_json(model, fs=FS)


def test_fs_mismatch_is_a_decision():
    d = dsp.parallelDelay(size=(2,), max_len=100, isint=True, fs=44100, **kw(NFFT))
    set_delays(d, [10, 20])
    model = shell(d, NFFT)
    with pytest.raises(ValueError, match=r"model\.core: parallelDelay was built with fs=44100"):
        adac.flamo_to_json(model, fs=48000)
    kept = adac.flamo_to_json(model, fs=48000, fs_mismatch="keep_samples")
    assert kept["graph"]["core"]["params"]["samples"] == [10, 20]
    rescaled = adac.flamo_to_json(model, fs=48000, fs_mismatch="keep_seconds")
    assert rescaled["graph"]["core"]["params"]["samples"] == [round(10 * 48000 / 44100),
                                                               round(20 * 48000 / 44100)]


def test_fractional_delay_gets_lagrange_interpolation():
    d = dsp.parallelDelay(size=(2,), max_len=100, isint=False, **kw(NFFT))
    set_delays(d, [10.25, 20.0])
    params = adac.flamo_to_json(shell(d, NFFT), fs=FS, fractional_order=7)["graph"]["core"]["params"]
    assert params["interpolation"] == {"method": "lagrange", "order": 7}
    np.testing.assert_allclose(params["samples"], [10.25, 20.0], rtol=1e-12)
    with pytest.raises(ValueError, match="fractional_order"):
        adac.flamo_to_json(shell(d, NFFT), fs=FS, fractional_order=0)


def test_integer_valued_delay_without_isint_is_accepted():
    d = dsp.parallelDelay(size=(2,), max_len=100, isint=False, **kw(NFFT))
    set_delays(d, [10, 20])
    config = adac.flamo_to_json(shell(d, NFFT), fs=FS)
    assert config["graph"]["core"]["params"]["samples"] == [10, 20]


def test_controls_not_silently_ignored():
    config = adac.flamo_to_json(fdn(n=4, nfft=NFFT), fs=FS)
    assert 'hslider("rt60' in adac.json_to_faust(config, controls={"rt60": True})
    with pytest.raises(adac.IRError, match="controls.rt6: unknown control"):
        adac.json_to_faust(config, controls={"rt6": True})
    with pytest.raises(TypeError, match="controls must be a dict"):
        adac.json_to_faust(config, controls=["rt60"])


def test_flamo_to_faust_is_both_steps():
    model = fdn(n=4, nfft=NFFT)
    assert adac.flamo_to_faust(model, fs=FS, name="x") == adac.json_to_faust(
        adac.flamo_to_json(model, fs=FS, name="x"))


def test_ir_keeps_effective_and_raw_values():
    model = fdn(n=4, matrix="orthogonal", nfft=NFFT, trainable_delays=True)
    config = adac.flamo_to_json(model, fs=FS)
    loop = config["graph"]["core"]["children"][1]
    delays = loop["fF"]["children"][0]
    assert delays["module"] == "parallelDelay" and delays["flamo"]["requires_grad"]
    raw = np.asarray(delays["flamo"]["param"])
    # effective = softplus(raw) * fs / unit, rounded: the raw weights are not the delays
    want = np.round(np.log1p(np.exp(raw)) * FS / delays["flamo"]["args"]["unit"])
    assert delays["params"]["samples"] == want.astype(int).tolist()
    matrix = np.asarray(loop["fB"]["params"]["matrix"])
    np.testing.assert_allclose(matrix @ matrix.T, np.eye(4), atol=1e-12)  # orthogonal after its map
    assert not np.allclose(matrix, np.asarray(loop["fB"]["flamo"]["param"]))
