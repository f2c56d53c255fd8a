"""Plugins exported with adac.export_plugin, loaded in real hosts.

The VST3 bundles are loaded by pedalboard (JUCE's VST3 hosting), the LV2 bundles
by tests/hosts/lv2_render (lilv; lv2apply refuses every JUCE LV2 because of its
atom control port). Four exports, each built once per test session: the bundled
FDN (a float64 FLAMO model, 1 in 1 out) and a float32 FLAMO FDN with 2 inputs and
2 outputs, each with the FAUST back end and with the engine back end. Every
path's impulse response is compared with the engine's.
"""
from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

import adac
from adac import export as adac_export
from conftest import ROOT

import flamo_models
import float32_twins

import pedalboard

FS = 48000
LV2_RENDER = ROOT / "build" / "dev" / "lv2_render"
# Against the double engine: single-precision FAUST; the single-precision engine
# back end; double FAUST and the double engine back end (float only at the host's
# buffers).
TOL_DB = {"single": -100.0, "engine-single": -110.0, "double": -120.0}


def _tolerance(r) -> float:
    if r["precision"] == "double":
        return TOL_DB["double"]
    return TOL_DB["engine-single" if r["backend"] == "engine" else "single"]


def _stereo_model() -> dict:
    with float32_twins.built_in(torch.float32):
        model = flamo_models.fdn(n=8, n_in=2, n_out=2, absorb="sos", t60=0.3, seed=11)
    return adac.flamo_to_json(model, fs=FS, name="Stereo FDN")


EXPORTS = {
    # key: (model, backend, precision, formats)
    "fdn8-faust": ("fdn8", "faust", "single", ("vst3", "lv2", "standalone")),
    "fdn8-engine": ("fdn8", "engine", "double", ("vst3", "lv2")),
    "stereo-faust": ("stereo", "faust", "double", ("vst3", "lv2")),
    "stereo-engine": ("stereo", "engine", "single", ("vst3", "lv2")),
}


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """Builds the four plugins once, installing them into folders of the test's own.
    ADAC_TEST_PLUGIN_DIR (for working on these tests) keeps them between runs."""
    keep = os.environ.get("ADAC_TEST_PLUGIN_DIR")
    root = Path(keep) if keep else tmp_path_factory.mktemp("plugins")
    models = {"fdn8": adac.to_dict(ROOT / "examples" / "fdn8.json"), "stereo": _stereo_model()}
    out = {}
    for key, (model, backend, precision, formats) in EXPORTS.items():
        record = root / f"{key}.result.json"
        if keep and record.is_file():
            result = json.loads(record.read_text())
        else:
            result = adac.export_plugin(models[model], root / key, name=f"ADAC test {key}", formats=formats,
                                        backend=backend, precision=precision, vst3_dir=root / "vst3",
                                        lv2_dir=root / "lv2")
            record.write_text(json.dumps(result))
        out[key] = dict(result, model=models[model], precision=precision, backend=backend)
    return out


# The controls an export gives a plugin by default.
CONTROLS = {"rt60": True, "dry_wet": True, "pre_delay": True}


def _engine(config, n, values=None):
    """The engine's responses (n, outputs, inputs), with the plugin's controls."""
    return adac.render_engine(config, n, controls=CONTROLS, values=values)


def _error_db(ref, test):
    peak = np.abs(ref).max()
    return 20 * np.log10(max(np.abs(test - ref).max(), 1e-300) / peak)


def _vst3_responses(plugin, n_in, n, rate, offset=0):
    """Impulse responses (n, outputs, inputs) from a pedalboard plugin: one impulse
    per input channel, at sample `offset`."""
    # pedalboard reads the latency before it prepares the plugin at a new rate:
    # a first call at that rate makes the reported latency (and its compensation) current.
    plugin.process(np.zeros((n_in, 256), np.float32), rate, reset=True)
    paths = []
    for i in range(n_in):
        x = np.zeros((n_in, n + offset), np.float32)
        x[i, offset] = 1.0
        paths.append(plugin.process(x, rate, buffer_size=512, reset=True)[:, offset:].T)
    return np.stack(paths, axis=2)


def _lv2_responses(result, n_in, n, rate, tmp_path, sets=(), offset=0):
    uri = f"https://adac.invalid/plugins/{result['manufacturer_code']}/{result['plugin_code']}"
    env = dict(os.environ, LV2_PATH=str(Path(result["installed"]["lv2"]).parent))
    paths = []
    for i in range(n_in):
        x = np.zeros((n + offset, n_in), np.float32)
        x[offset, i] = 1.0
        src, dst = tmp_path / f"in{i}.wav", tmp_path / f"out{i}.wav"
        sf.write(src, x, rate, subtype="FLOAT")
        cmd = [str(LV2_RENDER), uri, str(src), str(dst), "--block", "256"]
        for name, value in sets:
            cmd += ["--set", f"{name}={value}"]
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        y, _ = sf.read(dst, dtype="float64", always_2d=True)
        paths.append(y[offset:])
    return np.stack(paths, axis=2)


@pytest.mark.parametrize("key", list(EXPORTS))
def test_vst3_and_lv2_match_the_engine_at_48k(exported, key, tmp_path):
    r = exported[key]
    n_in, n_out = adac.validate(r["model"])
    n = FS // 2
    ref = _engine(r["model"], n)
    tol = _tolerance(r)
    # The single engine back end computes what render_engine's single path does.
    single = (adac.render_engine(r["model"], n, controls=CONTROLS, precision="single")
              if r["backend"] == "engine" and r["precision"] == "single" else None)
    vst3 = pedalboard.load_plugin(r["installed"]["vst3"])
    got = _vst3_responses(vst3, n_in, n, FS)
    assert vst3.reported_latency_samples == 0  # at the model's rate nothing is resampled
    assert got.shape == ref.shape
    assert _error_db(ref, got) <= tol, (key, "vst3", _error_db(ref, got))
    if single is not None:
        assert _error_db(single, got) <= -140.0, (key, "vst3 vs the single engine", _error_db(single, got))
    got = _lv2_responses(r, n_in, n, FS, tmp_path)
    assert _error_db(ref, got) <= tol, (key, "lv2", _error_db(ref, got))
    if single is not None:
        assert _error_db(single, got) <= -140.0, (key, "lv2 vs the single engine", _error_db(single, got))


def _resample(x, ratio):
    """One pass of libsamplerate's best sinc converter over a whole signal
    (columns), offline: the reference for the plugin at a host rate."""
    lib = ctypes.CDLL("libsamplerate.so.0")

    class SrcData(ctypes.Structure):
        _fields_ = [("data_in", ctypes.POINTER(ctypes.c_float)), ("data_out", ctypes.POINTER(ctypes.c_float)),
                    ("input_frames", ctypes.c_long), ("output_frames", ctypes.c_long),
                    ("input_frames_used", ctypes.c_long), ("output_frames_gen", ctypes.c_long),
                    ("end_of_input", ctypes.c_int), ("src_ratio", ctypes.c_double)]

    x = np.ascontiguousarray(x, np.float32)
    out = np.zeros((int(len(x) * ratio) + 64, x.shape[1]), np.float32)
    d = SrcData(x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                len(x), len(out), 0, 0, 1, ratio)
    assert lib.src_simple(ctypes.byref(d), 0, x.shape[1]) == 0  # 0: SRC_SINC_BEST_QUALITY
    return out[:d.output_frames_gen].astype(np.float64)


@pytest.mark.parametrize("key,host", [("fdn8-faust", "vst3"), ("fdn8-engine", "vst3"),
                                      ("stereo-engine", "lv2")])
def test_at_44k1_the_plugin_is_the_model_resampled(exported, key, host, tmp_path):
    """At 44.1 kHz the plugin resamples around the model (libsamplerate, best sinc):
    its response is the engine's 48 kHz response resampled to 44.1 kHz, times
    48000/44100 (an impulse response scales with the sample period), delayed by
    the latency it reports, which the host compensates.

    Tolerance: libsamplerate specifies its best converter's worst-case SNR as
    97 dB; the plugin's response has been through two conversions and the
    reference through one, so their difference is at most about three such
    errors, 97 - 10 log10(3) = 92 dB below the signal: we require 90 dB. It is
    compared below 90 % of the host's Nyquist frequency: above that the
    converter's transition band starts (measured: the error is -136 dB below
    19.8 kHz and -59 dB at 21 kHz), and there one conversion and two differ by
    design."""
    r = exported[key]
    rate = 44100
    n_in, n_out = adac.validate(r["model"])
    n, offset = rate // 2, 1000  # the impulse comes late enough for the converters' pre-ringing
    h48 = _engine(r["model"], FS // 2 + 4000)
    ref = np.stack([_resample(h48[:, :, i], rate / FS)[:n] for i in range(n_in)], axis=2) * (FS / rate)
    if host == "vst3":
        plugin = pedalboard.load_plugin(r["installed"]["vst3"])
        got = _vst3_responses(plugin, n_in, n, rate, offset)
        assert plugin.reported_latency_samples > 0
    else:
        got = _lv2_responses(r, n_in, n, rate, tmp_path, offset=offset)
    f = np.fft.rfftfreq(n, 1 / rate)
    band = f < 0.9 * rate / 2
    for o in range(n_out):
        for i in range(n_in):
            R, G = np.fft.rfft(ref[:, o, i]), np.fft.rfft(got[:, o, i])
            err = 10 * np.log10(np.sum(np.abs(G - R)[band] ** 2) / np.sum(np.abs(R)[band] ** 2))
            assert err <= -90.0, (key, host, o, i, err)


@pytest.mark.parametrize("key", ["fdn8-faust", "stereo-engine"])
def test_parameters_are_visible_with_their_ranges(exported, key):
    r = exported[key]
    expected = {c["name"]: c for c in adac._lib.controls_describe(adac.to_text(r["model"]), CONTROLS)}
    plugin = pedalboard.load_plugin(r["installed"]["vst3"])
    seen = {p.name: p for p in plugin.parameters.values() if p.name != "Bypass"}
    assert set(seen) == set(expected)
    for name, c in expected.items():
        p = seen[name]
        assert p.min_value == pytest.approx(c["min"]) and p.max_value == pytest.approx(c["max"])
        assert (p.label or "") == c["unit"]
        assert getattr(plugin, p.python_name) == pytest.approx(c["init"])
    listing = subprocess.run([str(LV2_RENDER), f"https://adac.invalid/plugins/{r['manufacturer_code']}/"
                              f"{r['plugin_code']}"], capture_output=True, text=True,
                             env=dict(os.environ, LV2_PATH=str(Path(r["installed"]["lv2"]).parent)))
    assert listing.returncode == 0, listing.stderr
    lv2 = {line.split()[1]: [float(v) for v in line.split()[3::2]]
           for line in listing.stdout.splitlines() if line.startswith("param ")}
    assert lv2 == {n: [pytest.approx(c["init"]), pytest.approx(c["min"]), pytest.approx(c["max"])]
                   for n, c in expected.items()}


@pytest.mark.parametrize("key", list(EXPORTS))
def test_rt60_set_in_the_host_gives_the_engines_response(exported, key, tmp_path):
    r = exported[key]
    n_in, _ = adac.validate(r["model"])
    n = FS // 2
    ref = _engine(r["model"], n, values={"rt60": 1.5})
    plugin = pedalboard.load_plugin(r["installed"]["vst3"])
    plugin.rt60_s = 1.5
    assert _error_db(ref, _vst3_responses(plugin, n_in, n, FS)) <= -100.0
    assert _error_db(ref, _lv2_responses(r, n_in, n, FS, tmp_path, sets=[("rt60", 1.5)])) <= -100.0
    # and the model as trained differs, so the setting did act
    assert _error_db(ref, _engine(r["model"], n)) > -40.0


def test_parameter_state_is_saved_and_restored(exported):
    path = exported["fdn8-engine"]["installed"]["vst3"]
    a = pedalboard.load_plugin(path)
    a.rt60_s, a.dry_wet = 3.25, 0.5
    b = pedalboard.load_plugin(path)
    assert b.rt60_s != pytest.approx(3.25)
    b.raw_state = a.raw_state
    assert b.rt60_s == pytest.approx(3.25, abs=1e-4) and b.dry_wet == pytest.approx(0.5, abs=1e-4)


def test_identity_bundles_certificate_and_standalone(exported):
    r = exported["fdn8-faust"]
    plugin = pedalboard.load_plugin(r["installed"]["vst3"])
    assert plugin.name == "ADAC test fdn8-faust" and plugin.manufacturer_name == "ADAC"
    # The same name keeps its plugin code across exports and processes.
    code = subprocess.run([sys.executable, "-c", "from adac.export import _four_char_code as c; "
                           "print(c('ADAC/ADAC test fdn8-faust', None, 'x'))"], capture_output=True, text=True)
    assert code.stdout.strip() == r["plugin_code"]
    assert r["plugin_code"] != exported["fdn8-engine"]["plugin_code"]
    cert = json.loads(Path(r["cert"]).read_text())
    assert cert["verdict"] == "certified-stable"
    vst3 = Path(r["installed"]["vst3"])
    assert json.loads((vst3 / "Contents" / "Resources" / Path(r["cert"]).name).read_text()) == cert
    assert json.loads((Path(r["installed"]["lv2"]) / Path(r["cert"]).name).read_text()) == cert
    standalone = Path(r["standalone"])
    assert standalone.is_file() and os.access(standalone, os.X_OK)
    assert standalone.read_bytes()[:4] == b"\x7fELF"


def _growing_model():
    a = 1.2 * np.eye(4)
    return adac.dss_to_json(a, np.ones((4, 1)), np.ones((1, 4)), np.zeros((1, 1)), [101, 211, 307, 401],
                            fs=FS, name="grows")


def test_an_unstable_model_is_refused_before_anything_is_built(tmp_path):
    model = tmp_path / "grows.json"
    adac.save(_growing_model(), model)
    out, vst3, lv2 = tmp_path / "out", tmp_path / "vst3", tmp_path / "lv2"
    r = subprocess.run([sys.executable, "-m", "adac.export", str(model), str(out), "--vst3-dir", str(vst3),
                        "--lv2-dir", str(lv2)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "refused" in r.stderr and "unstable" in r.stderr
    assert not out.exists() and not vst3.exists() and not lv2.exists()
    with pytest.raises(adac_export.ExportError, match="unstable"):
        adac.export_juce(model, out, install=False)
    assert not out.exists()


def test_names_are_checked_and_escaped(tmp_path):
    with pytest.raises(ValueError, match="name"):
        adac_export._check_name('x"; system("rm")', "name")
    assert adac_export._name_from_model('evil"\n*/ name\x1b[31m') == "evil____ name__31m"
    # A hostile string as a C++ literal: the compiler reads back exactly its bytes.
    hostile = 'a"b\\c\n*/??=é);system("x");//' + "x" * 300
    src = tmp_path / "lit.cpp"
    src.write_text("#include <cstdio>\nstatic const char s[] =\n    " + adac_export._c_string(hostile)
                   + ";\nint main() { std::fwrite(s, 1, sizeof s - 1, stdout); }\n")
    subprocess.run(["c++", "-o", str(tmp_path / "lit"), str(src)], check=True)
    assert subprocess.run([str(tmp_path / "lit")], capture_output=True).stdout == hostile.encode()


def test_a_build_failure_shows_the_compilers_error_not_the_log(tmp_path, monkeypatch):
    header = adac_export._model_header
    monkeypatch.setattr(adac_export, "_model_header",
                        lambda *a: header(*a) + "#error this model header is broken on purpose\n")
    with pytest.raises(adac_export.ExportError) as e:
        adac.export_plugin(ROOT / "examples" / "fdn8.json", tmp_path, formats=("lv2",), install=False)
    text = str(e.value)
    assert "building the LV2 plugin failed" in text
    assert "error: #error this model header is broken on purpose" in text
    assert len(text.splitlines()) < 20 and "build.log" in text
    with pytest.raises(adac_export.ExportError, match="no JUCEConfig.cmake"):
        adac.export_plugin(ROOT / "examples" / "fdn8.json", tmp_path, install=False, juce_dir=tmp_path)


def test_cli_help_and_version():
    for flag, expect in (("--help", "adac-export"), ("--version", adac.__version__)):
        r = subprocess.run([sys.executable, "-m", "adac.export", flag], capture_output=True, text=True)
        assert r.returncode == 0 and expect in r.stdout


def _juce_base64_decode(text: str) -> bytes:
    """JUCE's MemoryBlock base64 ("SIZE.CHARS", its own alphabet, bits LSB first),
    in which its VST3 wrapper keeps the processor's state."""
    alphabet = ".ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+"
    size, chars = text.split(".", 1)
    value = sum(alphabet.index(ch) << (6 * i) for i, ch in enumerate(chars))
    return value.to_bytes(int(size) + 1, "little")[: int(size)]


def test_adac_live_reloads_a_published_model_and_keeps_its_parameters(tmp_path):
    """ADAC Live (the live back end) in pedalboard: it plays the model file it
    watches; a publish of another model (same shape, other output gains) is heard
    after the reload, with a parameter set before it still in place; the watched
    path is saved in the plugin's state."""
    import re
    import time

    watched = tmp_path / "live" / "model.json"
    live = adac.HotReload(fs=FS, name="live", path=watched, min_interval=0.0)
    first = adac.to_dict(ROOT / "examples" / "fdn8.json")
    assert live.update(first)
    r = adac.export_plugin(first, tmp_path / "out", name="ADAC Live test", backend="live", watch=watched,
                           formats=("vst3",), install=False)
    plugin = pedalboard.load_plugin(r["vst3"])
    plugin.dry_wet = 0.5
    n = FS // 2
    before = _vst3_responses(plugin, 1, n, FS)
    assert _error_db(_engine(first, n, values={"dry_wet": 0.5}), before) <= -100.0
    second = json.loads(json.dumps(first))
    c = second["graph"]["core"]["children"][-1]["params"]
    c["matrix"] = (np.asarray(c["matrix"]) * 0.5).tolist()
    assert live.update(second)
    time.sleep(0.5)  # the plugin's watcher loads it; the next block plays it
    after = plugin.process(np.eye(1, n, dtype=np.float32), FS, buffer_size=512, reset=True).T[:, :, None]
    assert plugin.dry_wet == pytest.approx(0.5, abs=1e-4)
    assert _error_db(_engine(second, n, values={"dry_wet": 0.5}), after) <= -100.0
    assert _error_db(before, after) > -20.0  # it did change
    component = re.search(rb"<IComponent>([^<]*)</IComponent>", plugin.raw_state)[1].decode()
    assert str(watched.resolve()).encode() in _juce_base64_decode(component)
