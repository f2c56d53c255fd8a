"""The command-line tools on good and bad input: a clear message and a non-zero
exit, and never a half-written or wrong output file."""
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import adac
from conftest import ROOT
from flamo_models import FS, fdn

BIN = ROOT / ".venv" / "bin"


def run(tool, *args, check=False):
    return subprocess.run([str(BIN / tool), *map(str, args)], capture_output=True, text=True,
                          check=check)


GOOD_HEAD = {"format": "adac-ir", "version": 1, "name": "t", "fs": 48000}

BAD = {
    "malformed": ('{"format": "adac-ir", "version": 1,, }', "malformed JSON"),
    "version": (json.dumps({**GOOD_HEAD, "version": 2, "graph": {}}), "unsupported schema version 2"),
    "infinite": ('{"format":"adac-ir","version":1,"fs":48000,"graph":{"type":"parallel_gain",'
                 '"params":{"gains":[1e400]}}}', "$.graph.params.gains[0]: value is not finite"),
    "nan": ('{"format":"adac-ir","version":1,"fs":48000,"graph":{"type":"parallel_gain",'
            '"params":{"gains":[NaN]}}}', "malformed JSON"),
    "negative_delay": (json.dumps({**GOOD_HEAD, "graph": {"type": "parallel_delay", "params": {"samples": [3, -1]}}}),
                       "$.graph.params.samples[1]: negative delay"),
    "delay_free_loop": (json.dumps({**GOOD_HEAD, "graph": {"type": "recursion",
                                    "fF": {"type": "parallel_gain", "params": {"gains": [0.5]}},
                                    "fB": {"type": "parallel_gain", "params": {"gains": [0.5]}}}}),
                        "$.graph: delay-free loop"),
    "channels": (json.dumps({**GOOD_HEAD, "graph": {"type": "series", "children": [
                    {"type": "gain", "params": {"matrix": [[1], [1]]}},
                    {"type": "parallel_gain", "params": {"gains": [1, 1, 1]}}]}}),
                 "channel mismatch in series"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_no_dsp(tmp_path, case):
    text, message = BAD[case]
    model = tmp_path / "bad.json"
    model.write_text(text)
    out = tmp_path / "bad.dsp"
    r = run("adac-faust", model, "-o", out)
    assert r.returncode != 0
    assert message in r.stderr, r.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [model]  # no temporary left behind either
    r = run("adac-run", model, "--ir", 100, "--out", tmp_path / "ir.wav")
    assert r.returncode != 0 and message in r.stderr
    assert not (tmp_path / "ir.wav").exists()


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    d = tmp_path_factory.mktemp("fdn")
    config = adac.flamo_to_json(fdn(n=4, nfft=2**14), fs=FS, name="FDN4")
    adac.save(config, d / "fdn4.json")
    run("adac-faust", d / "fdn4.json", "-o", d / "fdn4.dsp", check=True)
    return d, config


def test_help_on_every_tool():
    for tool in ("adac-run", "adac-faust", "adac-verify", "adac-bench"):
        r = run(tool, "--help")
        assert r.returncode == 0 and "usage:" in r.stdout


def test_verify_passes_and_reports_json(compiled):
    d, _ = compiled
    r = run("adac-verify", d / "fdn4.json", d / "fdn4.dsp", "--json", d / "report.json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS" in r.stdout
    report = json.loads((d / "report.json").read_text())
    # null: no difference at all (an exact match has no finite dB figure)
    assert report["pass"] and len(report["paths"]) == 1
    assert report["worst_db"] is None or report["worst_db"] <= -120


def test_verify_fails_on_a_wrong_dsp(compiled):
    d, _ = compiled
    code = (d / "fdn4.dsp").read_text()
    # one delay one sample too long: must be caught
    import re
    wrong = re.sub(r"@\((\d+)\)", lambda m: f"@({int(m.group(1)) + 1})", code, count=1)
    assert wrong != code
    (d / "wrong.dsp").write_text(wrong)
    r = run("adac-verify", d / "fdn4.json", d / "wrong.dsp")
    assert r.returncode == 1 and "FAIL" in r.stdout


def test_verify_rejects_channel_mismatch(compiled, tmp_path):
    d, _ = compiled
    (tmp_path / "stereo.dsp").write_text("process = _ <: _, _;")
    r = run("adac-verify", d / "fdn4.json", tmp_path / "stereo.dsp")
    assert r.returncode == 1 and "channel mismatch" in r.stderr


def test_bad_control_request_is_a_usage_error_in_every_tool(compiled, tmp_path):
    """adac-faust, adac-run and adac-certify check a controls request the same way:
    exit 2, the JSON path of the bad entry, and no output written."""
    d, _ = compiled
    request = '{"reverb": true}'
    for tool, args in (("adac-faust", ("-o", tmp_path / "x.dsp")),
                       ("adac-run", ("--ir", 10, "--out", tmp_path / "x.wav")),
                       ("adac-certify", ("--json", tmp_path / "x.json"))):
        r = run(tool, d / "fdn4.json", "--controls", request, *args)
        assert r.returncode == 2 and "controls.reverb: unknown control" in r.stderr, (tool, r.stderr)
    assert list(tmp_path.iterdir()) == []


def test_unknown_options_and_extra_files_are_usage_errors_in_every_tool(compiled, tmp_path):
    """Every tool that takes a model names the argument it could not place, exits 2
    and shows its usage."""
    d, _ = compiled
    model = d / "fdn4.json"
    for tool, files in (("adac-faust", [model]), ("adac-run", [model]), ("adac-certify", [model]),
                        ("adac-verify", [model, tmp_path / "x.dsp"])):
        r = run(tool, *files, "--no-such-option")
        assert r.returncode == 2 and "unknown option or missing value: --no-such-option" in r.stderr, (tool, r.stderr)
        assert "usage:" in r.stderr, (tool, r.stderr)
        r = run(tool, *files, tmp_path / "extra.json")
        assert r.returncode == 2 and "too many arguments" in r.stderr and "extra.json" in r.stderr, (tool, r.stderr)
    assert list(tmp_path.iterdir()) == []


def test_run_impulse_response_matches_engine(compiled):
    d, config = compiled
    r = run("adac-run", d / "fdn4.json", "--ir", 4000, "--out", d / "ir.wav", "--double")
    assert r.returncode == 0, r.stderr
    x, fs = sf.read(d / "ir.wav")
    assert fs == FS and x.shape == (4000,)
    np.testing.assert_array_equal(x, adac.render_engine(config, 4000)[:, 0, 0])


def test_run_processes_a_file(compiled, tmp_path):
    d, config = compiled
    rng = np.random.default_rng(1)
    x = rng.standard_normal(3000) * 0.1
    sf.write(tmp_path / "x.wav", x, FS, subtype="DOUBLE")
    r = run("adac-run", d / "fdn4.json", "--in", tmp_path / "x.wav", "--out", tmp_path / "y.wav",
            "--double", "--block", 64)
    assert r.returncode == 0, r.stderr
    y, _ = sf.read(tmp_path / "y.wav")
    # The reverb tail is kept (--tail auto): the output runs past the input
    # until it has decayed 90 dB below its peak.
    assert len(y) > 3000
    h = adac.render_engine(config, len(y))[:, 0, 0]
    want = np.convolve(x.astype(np.float32).astype(float), h)[: len(y)]
    np.testing.assert_allclose(y, want, atol=1e-9)
    assert np.abs(y[-200:]).max() < 10 ** (-90 / 20) * np.abs(y).max() * 1.01
    assert np.abs(want[3000:len(y) - 2000]).max() > 10 ** (-90 / 20) * np.abs(y).max()
    r = run("adac-run", d / "fdn4.json", "--in", tmp_path / "x.wav", "--out", tmp_path / "y0.wav",
            "--double", "--tail", 0)
    np.testing.assert_allclose(sf.read(tmp_path / "y0.wav")[0], want[:3000], atol=1e-9)
    r = run("adac-run", d / "fdn4.json", "--in", tmp_path / "x.wav", "--out", tmp_path / "y1.wav",
            "--double", "--tail", 0.5)
    assert len(sf.read(tmp_path / "y1.wav")[0]) == 3000 + FS // 2


def test_run_file_channel_mismatch(compiled, tmp_path):
    d, _ = compiled
    sf.write(tmp_path / "st.wav", np.zeros((100, 2)), FS)
    r = run("adac-run", d / "fdn4.json", "--in", tmp_path / "st.wav", "--out", tmp_path / "y.wav")
    assert r.returncode != 0 and "2 channel(s) but the model has 1 input" in r.stderr


def test_play_without_sound_card_is_a_clear_error(compiled):
    d, _ = compiled
    r = run("adac-run", d / "fdn4.json", "--play", "--seconds", "0.1")
    # this machine has no sound card: PortAudio finds no device
    assert r.returncode == 1
    assert "no audio" in r.stderr


def test_play_null_backend_runs_the_audio_callback(compiled):
    d, _ = compiled
    r = run("adac-run", d / "fdn4.json", "--play", "--backend", "null", "--seconds", "0.5",
            "--block", 128)
    assert r.returncode == 0, r.stderr
    # It stops at the frame asked for, mid-block (0.5 s at 48 kHz).
    assert "null backend rendered 24000 frames" in r.stdout


def test_list_devices(compiled):
    r = run("adac-run", "--list-devices")
    assert r.returncode == 0


def test_audio_back_ends_do_not_flood_the_terminal():
    # ALSA and JACK print dozens of probing lines on a machine without a sound
    # card; adac-run hides them and keeps its own message.
    r = run("adac-run", ROOT / "examples" / "fdn8.json", "--list-devices")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.strip()


def test_dsp_states_the_models_sample_rate(tmp_path):
    config = {"format": "adac-ir", "version": 1, "name": "r", "fs": 44100,
              "graph": {"type": "parallel_delay", "params": {"samples": [10]}}}
    code = adac.json_to_faust(config)
    assert 'declare adac_fs "44100";' in code and "The model's sample rate is 44100 Hz" in code


def test_public_functions_document_every_argument():
    import inspect
    for name in adac.__all__:
        obj = getattr(adac, name)
        if not inspect.isfunction(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        for param in inspect.signature(obj).parameters:
            shown = f"**{param}" if inspect.signature(obj).parameters[param].kind == inspect.Parameter.VAR_KEYWORD else param
            assert f"{shown}:" in doc, f"adac.{name}: argument {param!r} undocumented"
    assert adac.__version__


def test_clipping_is_reported_and_normalize_scales_to_a_peak(tmp_path):
    fdn8 = ROOT / "examples" / "fdn8.json"
    x = np.random.default_rng(2).standard_normal(24000).astype(np.float32)
    sf.write(tmp_path / "x.wav", x, FS, subtype="FLOAT")
    r = run("adac-run", fdn8, "--in", tmp_path / "x.wav", "--out", tmp_path / "y.wav", "--double")
    assert r.returncode == 0 and "above full scale" in r.stderr, r.stderr
    y, _ = sf.read(tmp_path / "y.wav")
    clipped = int(re.search(r"warning: (\d+) output sample", r.stderr).group(1))
    assert clipped == int((np.abs(y) > 1).sum()) > 0
    assert f"peak {20 * np.log10(np.abs(y).max()):.1f} dBFS" in r.stderr
    r = run("adac-run", fdn8, "--in", tmp_path / "x.wav", "--out", tmp_path / "n.wav", "--double",
            "--normalize", -1)
    assert r.returncode == 0 and "above full scale" not in r.stderr, r.stderr
    n, _ = sf.read(tmp_path / "n.wav")
    assert len(n) == len(y)
    assert abs(20 * np.log10(np.abs(n).max()) + 1) < 1e-4
    np.testing.assert_allclose(n, y * (np.abs(n).max() / np.abs(y).max()), atol=1e-6)
    r = run("adac-run", fdn8, "--play", "--backend", "null", "--normalize", -1)
    assert r.returncode == 2 and "--normalize works on a file" in r.stderr


def test_input_at_another_rate_is_resampled_to_the_model_and_back(tmp_path):
    """A 10 ms delay (480 samples at the model's 48 kHz) must stay 10 ms for a
    44.1 kHz file: 441 samples there. Played at the file's rate without
    resampling it would be 480 samples (10.9 ms), and every filter detuned."""
    model = tmp_path / "d.json"
    model.write_text(json.dumps({"format": "adac-ir", "version": 1, "name": "d", "fs": FS, "graph": {
        "type": "series", "children": [{"type": "parallel_delay", "params": {"samples": [480]}},
                                       {"type": "parallel_gain", "params": {"gains": [0.5]}}]}}))
    rate = 44100
    t = np.arange(rate // 2) / rate
    x = np.concatenate([np.sin(2 * np.pi * 1000 * t) * np.hanning(len(t)), np.zeros(rate // 2)]).astype(np.float32)
    sf.write(tmp_path / "x.wav", x, rate, subtype="FLOAT")
    r = run("adac-run", model, "--in", tmp_path / "x.wav", "--out", tmp_path / "y.wav", "--tail", 0)
    assert r.returncode == 0 and "resampled to the model's 48000 Hz and the output back" in r.stderr, r.stderr
    y, fy = sf.read(tmp_path / "y.wav")
    assert fy == rate and len(y) == len(x)
    want = np.zeros(len(x))
    want[441:] = 0.5 * x[:-441]
    # libsoxr's high quality: 125 dB stop band, flat to 91 % of Nyquist; a 1 kHz
    # burst sits deep in the passband, so the round trip costs well under -100 dB.
    assert 20 * np.log10(np.abs(y - want).max() / np.abs(want).max()) < -100
    r = run("adac-run", model, "--in", tmp_path / "x.wav", "--out", tmp_path / "z.wav", "--no-resample")
    assert r.returncode == 1 and "--no-resample" in r.stderr and not (tmp_path / "z.wav").exists()


def test_null_backend_writes_what_it_played(tmp_path):
    fdn8 = ROOT / "examples" / "fdn8.json"
    x = np.zeros(4800, dtype=np.float32)
    x[0] = 1
    sf.write(tmp_path / "x.wav", x, FS, subtype="FLOAT")
    r = run("adac-run", fdn8, "--play", "--backend", "null", "--in", tmp_path / "x.wav", "--out",
            tmp_path / "played.wav", "--tail", 0.25)
    assert r.returncode == 0, r.stderr
    played, fs = sf.read(tmp_path / "played.wav")
    assert fs == FS and len(played) == 4800 + FS // 4
    np.testing.assert_allclose(played, adac.render_engine(fdn8, len(played))[:, 0, 0], atol=1e-6)
    r = run("adac-run", fdn8, "--play", "--out", tmp_path / "p.wav")
    assert r.returncode == 2 and "--backend null only" in r.stderr
