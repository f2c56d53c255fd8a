"""Macro-controls (rt60, dry_wet, pre_delay) in the engine and in FAUST: the same
behaviour in both, exactly the model at neutral settings, errors for controls
that do not apply."""
import subprocess

import numpy as np
import pytest
import soundfile as sf

import adac
from adac.rt60 import measure_tracking, schroeder_t60
from conftest import ROOT, error_db
from flamo_models import FS, fdn
import float32_twins
import torch

BIN = ROOT / ".venv" / "bin"
ALL = {"rt60": True, "dry_wet": True, "pre_delay": True}


@pytest.fixture(scope="module")
def reverb():
    """A real FLAMO FDN: 8 lines, Householder feedback, SOS absorption."""
    return adac.flamo_to_json(fdn(n=8, matrix="householder", absorb="sos", sections=2), fs=FS, name="Rev")


def both(config, n, controls, values=None):
    eng = adac.render_engine(config, n, controls=controls, values=values)
    fst = adac.render_faust(adac.json_to_faust(config, controls=controls), n, fs=FS, values=values)
    return eng, fst


def test_neutral_controls_are_sample_identical(reverb):
    n = 12000
    plain_eng = adac.render_engine(reverb, n)
    plain_fst = adac.render_faust(adac.json_to_faust(reverb), n, fs=FS)
    for values in (None, {"rt60": 0, "dry_wet": 1, "pre_delay": 0}):  # at init, and set explicitly
        eng, fst = both(reverb, n, ALL, values)
        assert np.array_equal(eng, plain_eng)
        # libfaust does not reproduce its own rounding from one compilation to the
        # next within a process (the order of a sum can change: up to ~1e-18 here,
        # with or without controls), so FAUST is held to that level, not to bits.
        assert error_db(plain_fst, fst).max() <= -300


@pytest.mark.parametrize("controls,values", [
    (ALL, {"rt60": 0.7, "dry_wet": 0.35, "pre_delay": 12.34}),       # sliders moving from neutral
    ({"rt60": {"init": 1.5}, "dry_wet": {"init": 0.6}, "pre_delay": {"init": 3.3}}, None),  # resting
    ({"rt60": {"init": 3, "min": 0.5, "max": 6}, "pre_delay": {"init": 40, "max": 50}}, {"rt60": 0.5, "pre_delay": 7}),
    ({"rt60": {"mode": "homogeneous", "init": 3, "min": 0.5, "max": 8}}, {"rt60": 0.5}),
])
def test_engine_and_faust_agree_with_controls_moved(reverb, controls, values):
    n = 24000
    eng, fst = both(reverb, n, controls, values)
    assert np.abs(eng - adac.render_engine(reverb, n)).max() > 1e-3  # the controls do something
    assert error_db(eng, fst).max() <= -120


def test_what_each_control_does(reverb):
    n = 6000
    wet = adac.render_engine(reverb, n)[:, 0, 0]
    # dry_wet resting at 0: the input itself
    h = adac.render_engine(reverb, n, controls={"dry_wet": {"init": 0}})[:, 0, 0]
    assert h[0] == 1 and not h[1:].any()
    # half: the mean of the two
    h = adac.render_engine(reverb, n, controls={"dry_wet": {"init": 0.5}})[:, 0, 0]
    assert np.allclose(h, 0.5 * wet + 0.5 * (np.arange(n) == 0), atol=1e-15)
    # pre_delay resting at 10 ms: the wet path 480 samples later
    h = adac.render_engine(reverb, n, controls={"pre_delay": {"init": 10}})[:, 0, 0]
    assert not h[:480].any() and np.array_equal(h[480:], wet[:-480])
    # rt60 shortens the decay of this model (trained to 0.15 s) when set below it
    h = adac.render_engine(reverb, 48000, controls={"rt60": {"init": 0.1}})[:, 0, 0]
    assert schroeder_t60(h, FS) < 0.8 * schroeder_t60(adac.render_engine(reverb, 48000)[:, 0, 0], FS)


def test_rt60_tracks_the_slider_within_5_percent():
    rows = measure_tracking()
    assert [r["set"] for r in rows][0] == 0.2 and rows[-1]["set"] == 10
    for r in rows:
        assert abs(r["engine"] / r["set"] - 1) <= 0.05, r
        assert abs(r["faust"] / r["set"] - 1) <= 0.05, r


@pytest.mark.parametrize("controls,message", [
    ({"reverb": True}, "controls.reverb: unknown control"),
    ({"rt60": {"max": 5, "min": 6}}, "controls.rt60: min (6) must be below max (5)"),
    ({"rt60": {"init": 30}}, "controls.rt60.init: 30 is outside [0, 20]"),
    ({"rt60": {"colour": 1}}, "controls.rt60.colour: unknown setting"),
    ({"dry_wet": {"max": 2}}, "controls.dry_wet: range [0, 2] is outside"),
    ({"pre_delay": {"step": 0}}, "controls.pre_delay.step"),
    ({"dry_wet": "yes"}, "controls.dry_wet: expected true, false or an object"),
])
def test_bad_controls_are_refused_by_path(reverb, controls, message):
    for call in (lambda: adac.json_to_faust(reverb, controls=controls),
                 lambda: adac.render_engine(reverb, 10, controls=controls),
                 lambda: adac.certify(reverb, controls=controls)):
        with pytest.raises(adac.IRError, match=None) as e:
            call()
        assert message in str(e.value)


def test_controls_that_do_not_apply_are_errors():
    no_loop = {"format": "adac-ir", "version": 1, "name": "g", "fs": FS,
               "graph": {"type": "gain", "params": {"matrix": [[1.0], [0.5]]}}}
    with pytest.raises(adac.IRError, match="controls.rt60: the model has no feedback loop"):
        adac.json_to_faust(no_loop, controls={"rt60": True})
    with pytest.raises(adac.IRError, match="controls.dry_wet: the model has 1 input.* and 2 output"):
        adac.json_to_faust(no_loop, controls={"dry_wet": True})
    loop_without_lines = {"format": "adac-ir", "version": 1, "name": "g", "fs": FS, "graph": {
        "type": "recursion", "fF": {"type": "delay", "params": {"samples": [[3, 4], [5, 6]]}},
        "fB": {"type": "gain", "params": {"matrix": [[0.1, 0], [0, 0.1]]}}}}
    with pytest.raises(adac.IRError, match="no loop starts its feedforward path with a parallel delay"):
        adac.render_engine(loop_without_lines, 10, controls={"rt60": True})
    with pytest.raises(adac.IRError, match="control 'rt60' is not enabled"):
        adac.render_engine(loop_without_lines, 10, values={"rt60": 1})


def test_cli_set_and_live_changes(tmp_path, reverb):
    model = tmp_path / "rev.json"
    adac.save(reverb, model)
    dsp = tmp_path / "rev.dsp"
    r = subprocess.run([BIN / "adac-faust", model, "-o", dsp, "--controls", '{"rt60": true, "dry_wet": true}'],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert 'hslider("rt60 [unit:s]"' in dsp.read_text() and 'hslider("dry_wet"' in dsp.read_text()
    # --set starts a control at a value: the same response as the API with that init
    r = subprocess.run([BIN / "adac-run", model, "--ir", "4000", "--out", tmp_path / "ir.wav", "--double",
                        "--set", "rt60=0.5", "--set", "dry_wet=0.25"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got, _ = sf.read(tmp_path / "ir.wav")
    want = adac.render_engine(reverb, 4000, controls={"rt60": {"init": 0.5}, "dry_wet": {"init": 0.25}})
    assert np.array_equal(got, want[:, 0, 0])
    # while playing: NAME=V lines on stdin move the sliders
    r = subprocess.run([BIN / "adac-run", model, "--play", "--backend", "null", "--seconds", "0.3",
                        "--set", "rt60=2"], input="rt60=1.25\npre_delay=3\nrt60=99\n",
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "rt60 -> 1.25" in r.stderr
    assert "no control 'pre_delay' in this run" in r.stderr
    # clamped to the top of the range: in decay mode, where this model stops decaying
    top = adac.certify(reverb, controls={"rt60": True})["controls"]["rt60"]["range"][1]
    assert 1 < top < 20 and f"rt60 -> {top:g} at" in r.stderr and "clamped" in r.stderr
    r = subprocess.run([BIN / "adac-run", model, "--ir", "10", "--out", tmp_path / "x.wav", "--set", "rt60"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "expected NAME=NUMBER" in r.stderr


# -- rt60 decay mode: the slider sets the decay the listener hears --------------

def lossy_fdn(absorb, dtype="float64"):
    """A 16-line FDN trained to a 1.2 s decay: homogeneous gains, or a biquad per
    line (a frequency-dependent decay); float32 as FLAMO builds it by default."""
    with float32_twins.built_in(getattr(torch, dtype)):
        model = fdn(n=16, t60=1.2, absorb=absorb, nfft=2**15, seed=3)
    return adac.flamo_to_json(model, fs=FS)


@pytest.mark.parametrize("absorb,tolerance,dtype", [("gain", 0.02, "float64"), ("sos", 0.12, "float64"),
                                                    ("gain", 0.02, "float32"), ("sos", 0.12, "float32")])
def test_rt60_decay_mode_sets_the_decay_heard_on_a_lossy_model(absorb, tolerance, dtype):
    config = lossy_fdn(absorb, dtype)
    assert config["flamo"]["dtype"] == dtype
    cert = adac.certify(config, controls={"rt60": True})
    rt = cert["controls"]["rt60"]
    assert rt["mode"] == "decay" and abs(rt["model_t60"][0] - 1.2) < 0.1
    # The whole default range is certified: the line gains at its top are the largest.
    assert cert["verdict"] == "certified-stable" and rt["certified_at"] == rt["range"][1]
    for t in (0.5, 1.0, 3.0, 5.0):
        controls = {"rt60": {"init": t}}
        n = int(FS * (t + 1.5))
        eng = adac.render_engine(config, n, controls=controls)
        heard = schroeder_t60(eng[:, 0, 0], FS)
        # Mid-band T60 is what the slider sets; a frequency-dependent decay measured
        # broadband lands near it, a homogeneous one on it.
        assert abs(heard / t - 1) <= tolerance, (absorb, t, heard)
        fst = adac.render_faust(adac.json_to_faust(config, controls=controls), n, fs=FS)
        assert error_db(eng, fst).max() <= -120


def test_rt60_homogeneous_mode_adds_to_the_models_decay():
    config = lossy_fdn("gain")
    heard = []
    for t in (1.0, 3.0, 10.0):
        controls = {"rt60": {"init": t, "mode": "homogeneous"}}
        eng = adac.render_engine(config, int(FS * 3), controls=controls)
        heard.append(schroeder_t60(eng[:, 0, 0], FS))
    # 1/T = 1/1.2 + 1/rt60: always shorter than the model's own 1.2 s.
    for t, h in zip((1.0, 3.0, 10.0), heard):
        assert abs(h - 1 / (1 / 1.2 + 1 / t)) < 0.05 * h, (t, h)


def test_rt60_decay_mode_range_stops_where_a_loop_would_grow():
    """A loop whose low band decays much slower than its mid band: a long mid-band
    T60 would make the low band grow, so the range stops short of it, and a max
    asked for beyond it is refused (homogeneous mode has no such limit)."""
    delays = [401, 503, 601, 701]
    n = len(delays)
    a = np.linalg.qr(np.random.default_rng(1).standard_normal((n, n)))[0]
    # One-pole lowpass per line: 0.999 at DC, about 0.93 at 1 kHz.
    pole = 0.9
    sos = np.zeros((1, 6, n))
    sos[0, 0, :], sos[0, 3, :], sos[0, 4, :] = 0.999 * (1 - pole), 1, -pole
    config = adac.dss_to_json(a, np.ones((n, 1)) / 2, np.ones((1, n)) / 2, np.zeros((1, 1)), delays, FS,
                              absorption=sos)
    rt = adac.certify(config, controls={"rt60": True})["controls"]["rt60"]
    assert rt["range"][1] < 20
    assert adac.certify(config, controls={"rt60": True})["verdict"] == "certified-stable"
    with pytest.raises(adac.IRError, match=r"controls.rt60.max: 20 s is longer than this model can decay"):
        adac.json_to_faust(config, controls={"rt60": {"max": 20}})
    assert adac.json_to_faust(config, controls={"rt60": {"max": 20, "mode": "homogeneous"}})


def test_rt60_mode_errors():
    with pytest.raises(adac.IRError, match="controls.rt60.mode: expected \"decay\""):
        adac.json_to_faust(lossy_fdn("gain"), controls={"rt60": {"mode": "loud"}})
