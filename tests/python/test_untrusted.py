"""Untrusted model files, .dsp files, control input and audio (issue: safe with
untrusted input). Each test reproduces one defect found by attacking the tools
as a hostile user would; every one failed before the fix."""
import json
import re
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import adac
from conftest import ROOT

BIN = ROOT / ".venv" / "bin"
FDN8 = ROOT / "examples" / "fdn8.json"
HEAD = {"format": "adac-ir", "version": 1, "name": "t", "fs": 48000}


def run(tool, *args, **kw):
    return subprocess.run([str(BIN / tool), *map(str, args)], capture_output=True, text=True, **kw)


def doc(graph, **head):
    return {**HEAD, **head, "graph": graph}


def loop(gains=(0.5, 0.4), delays=(3, 5), **leaf):
    n = len(delays)
    return {"type": "recursion", **leaf,
            "fF": {"type": "parallel_delay", "params": {"samples": list(delays)}},
            "fB": {"type": "parallel_gain", "params": {"gains": list(gains)}}}


def validate_in_child(text: str) -> subprocess.CompletedProcess:
    """adac.validate in a fresh interpreter, so a crash is seen as a crash."""
    code = ("import sys, adac\n"
            "try:\n    adac.validate(sys.stdin.read()); print('ok')\n"
            "except adac.IRError as e:\n    print('IRError', e)\n")
    return subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=120)


# 1. The loader sized an SOS block from rows * cols in int: an overflow, then a heap overflow.
def test_huge_declared_sos_shape_is_refused_not_overflowed():
    entry = "[[1,0,0,1,0,0]]"
    row0 = "[" + ",".join([entry] * 65536) + "]"
    sections = "[" + row0 + "," + ",".join(["[]"] * 65535) + "]"
    text = ('{"format":"adac-ir","version":1,"fs":48000,"graph":{"type":"sos","params":{"sections":'
            + sections + '}}}')
    r = validate_in_child(text)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("IRError $.graph.params.sections"), r.stdout


# 2. Strings from the model file reached FAUST comments raw: a newline made the rest code.
HOSTILE = [
    "x\n/*\n*/ process = ffunction(int exit(int), <stdlib.h>, \"\")(42);\n//",
    "a */ b /* c \r\n d",
    "quote \" back \\ slash \\",
    "\x1b[2J\x07\x08\t\x7f",
    "caf\u00e9 \u202e \U0001F3B5",
    "y" * (1 << 20),
]


def hostile_model(s):
    g = loop()
    g["model_path"] = s
    g["module"] = s
    g["fF"]["model_path"] = s
    g["fB"]["module"] = s
    return doc(g, name=s)


def strip_comments(code):
    """The code without comments and the name declaration, leaf names (made from
    model paths, letters and digits only) reduced to their numbers."""
    code = "\n".join(line.split("//")[0] for line in code.splitlines() if not line.startswith("declare name"))
    return re.sub(r"\bleaf(\d+)_\w*", r"leaf\1", code)


@pytest.mark.parametrize("s", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_never_become_faust_code(s, tmp_path):
    plain = adac.json_to_faust(doc(loop()))
    code = adac.json_to_faust(hostile_model(s))
    assert strip_comments(code) == strip_comments(plain)
    assert "ffunction" not in strip_comments(code)
    # Compiled, it is exactly the plain model's DSP.
    np.testing.assert_array_equal(adac.render_faust(code, 512), adac.render_faust(plain, 512))
    model = tmp_path / "m.json"
    model.write_text(json.dumps(hostile_model(s)))
    dsp = tmp_path / "m.dsp"
    assert run("adac-faust", model, "-o", dsp).returncode == 0
    r = run("adac-verify", model, dsp, "--length", 512)
    assert r.returncode == 0, r.stderr


def test_terminal_output_escapes_control_characters(tmp_path):
    g = doc({"type": "series", "children": [
        {"type": "gain", "model_path": "evil\x1b[2J\nname", "params": {"matrix": [[1], [1]]}},
        {"type": "parallel_gain", "params": {"gains": [1, 1, 1]}}]})
    model = tmp_path / "m.json"
    model.write_text(json.dumps(g))
    r = run("adac-faust", model)
    assert r.returncode == 1 and "channel mismatch" in r.stderr
    assert "\x1b" not in r.stderr and "\\x1B[2J\\nname" in r.stderr


# 3. Readers disagreed: C kept the first duplicate key, Python the last.
@pytest.mark.parametrize("text,path", [
    ('{"format":"adac-ir","version":1,"fs":48000,"graph":{"type":"parallel_gain","params":{"gains":[0]}},'
     '"graph":{"type":"parallel_gain","params":{"gains":[1]}}}', '$: key "graph"'),
    ('{"format":"adac-ir","version":1,"fs":48000,"graph":{"type":"parallel_gain","params":{"gains":[1],'
     '"gains":[2]}}}', '$.graph.params: key "gains"'),
    ('{"format":"adac-ir","version":1,"fs":48000,"graph":{"type":"parallel_gain","in":2.5,'
     '"params":{"gains":[1,1]}}}', "$.graph.in"),
    ('{"format":"adac-ir","version":1,"fs":48000,"name":"a\\u0000b","graph":{"type":"parallel_gain",'
     '"params":{"gains":[1]}}}', "$: \\u0000"),
])
def test_documents_readers_could_disagree_on_are_refused(text, path):
    with pytest.raises(adac.IRError) as e:
        adac.validate(text)
    assert str(e.value).startswith(path), str(e.value)
    with pytest.raises(adac.IRError):
        adac.ir.to_dict(text)


def test_nul_and_invalid_utf8_in_files_are_refused(tmp_path):
    good = json.dumps(doc({"type": "parallel_gain", "params": {"gains": [1]}}))
    for name, data in {"nul.json": good.encode() + b"\x00junk", "latin1.json": good.replace('"t"', '"\xe9"').encode("latin-1")}.items():
        p = tmp_path / name
        p.write_bytes(data)
        r = run("adac-faust", p)
        assert r.returncode == 1 and ": $: " in r.stderr, r.stderr
        with pytest.raises(adac.IRError):
            adac.validate(p)
    with pytest.raises(adac.IRError, match="NUL"):
        adac.validate(good + "\x00")


# 4. adac-verify passed wrong models.
def test_verify_never_passes_on_a_silent_reference(tmp_path):
    model = tmp_path / "late.json"
    model.write_text(json.dumps(doc({"type": "parallel_delay", "params": {"samples": [2000]}})))
    wrong = tmp_path / "wrong.dsp"
    wrong.write_text("process = *(0);\n")
    r = run("adac-verify", model, wrong, "--length", 1000)
    assert r.returncode == 1 and "silent" in r.stdout, r.stdout
    # By default the compared window reaches past the first arrival: the wrong .dsp fails.
    r = run("adac-verify", model, wrong)
    assert r.returncode == 1 and "FAIL" in r.stdout
    right = tmp_path / "right.dsp"
    assert run("adac-faust", model, "-o", right).returncode == 0
    assert run("adac-verify", model, right).returncode == 0


@pytest.mark.parametrize("fs", [0.3, 1e7])
def test_sample_rates_outside_the_limits_are_refused(fs):
    with pytest.raises(adac.IRError, match=r"^\$\.fs"):
        adac.validate(doc({"type": "parallel_gain", "params": {"gains": [1]}}, fs=fs))


@pytest.mark.parametrize("tool,args", [
    ("adac-verify", ["--tolerance", "abc"]), ("adac-verify", ["--length", "1e5"]),
    ("adac-verify", ["--length", "4294967297"]), ("adac-run", ["--ir", "48000abc", "--out", "x.wav"]),
    ("adac-run", ["--play", "--backend", "null", "--seconds", "1e300"]), ("adac-run", ["--block", "64k"]),
    ("adac-run", ["--tail", "forever", "--in", "x.wav", "--out", "y.wav"]),
])
def test_unparseable_numbers_are_refused(tool, args, tmp_path):
    extra = [tmp_path / "x.dsp"] if tool == "adac-verify" else []
    r = run(tool, FDN8, *extra, *args, cwd=tmp_path)
    assert r.returncode == 2 and "expected" in r.stderr, r.stderr


# 5. --json wrote paths unescaped and overflowed a fixed buffer.
def test_verify_json_report_is_valid_for_any_path(tmp_path):
    d = tmp_path / ('q"uo\\te' + "d" * 200)
    d.mkdir()
    dsp = d / ("x" * 200 + ".dsp")
    assert run("adac-faust", FDN8, "-o", dsp).returncode == 0
    report = d / ("r\"" + "p" * 200 + ".json")
    r = run("adac-verify", FDN8, dsp, "--json", report, "--length", 4096)
    assert r.returncode == 0, r.stderr
    j = json.loads(report.read_text())
    assert j["dsp"] == str(dsp) and j["pass"] is True


# 6. Loading was quadratic (cJSON_GetArrayItem in loops): 60 s and more.
def test_loading_is_linear_in_the_document():
    sections = [[1.0, 0.1, 0.0, 1.0, -0.1, 0.0]] * 100000
    series = {"type": "series", "children": [{"type": "parallel_gain", "params": {"gains": [0.5]}}] * 100000}
    for g in ({"type": "parallel_sos", "params": {"sections": [sections]}}, series):
        text = json.dumps(doc(g))
        t = time.monotonic()
        adac.validate(text)
        # Quadratic loading took over 60 s for each; linear takes well under 1 s.
        assert time.monotonic() - t < 15


# 7. One long delay sized every line to it, and nothing stopped an absurd one.
def test_each_delay_line_is_sized_to_its_own_delay(tmp_path):
    delays = [2 ** 26] + [100 + i for i in range(7)]
    model = tmp_path / "long.json"
    model.write_text(json.dumps(doc({"type": "parallel_delay", "params": {"samples": delays}})))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = run("adac-run", model, "--ir", 4800, "--out", tmp_path / "ir.wav")
    assert r.returncode == 0, r.stderr
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # One 2^26-sample line is 512 MiB; eight of that size (the old sizing) 4 GiB.
    assert peak_mib < 1500 or before / 1024 >= 1500, peak_mib
    with pytest.raises(adac.IRError, match=r"^\$\.graph\.params\.samples\[0\]: delay of 5e\+08"):
        adac.validate(doc({"type": "parallel_delay", "params": {"samples": [5e8]}}))


def test_delay_memory_beyond_the_budget_is_refused_with_the_leaf():
    g = {"type": "series", "children": [
        {"type": "parallel_delay", "model_path": f"line{k}", "params": {"samples": [2 ** 26] * 8}} for k in range(2)]}
    with pytest.raises(adac.IRError, match=r"^\$\.graph\.children\[0\]: the model's delay lines need"):
        adac.validate(doc(g))


# 8. Output problems were found after the work, and temp files were left behind.
def test_outputs_are_checked_first_and_never_left_half_written(tmp_path):
    wide = tmp_path / "wide.json"
    wide.write_text(json.dumps(doc({"type": "gain", "params": {"matrix": [[1.0]] * 1100}})))
    t = time.monotonic()
    r = run("adac-run", wide, "--ir", 48000, "--out", tmp_path / "w.wav", cwd=tmp_path)
    assert r.returncode == 1 and "1024 channels" in r.stderr and time.monotonic() - t < 10
    link = tmp_path / "link.wav"
    link.symlink_to(tmp_path / "target.wav")
    r = run("adac-run", FDN8, "--ir", 100, "--out", link)
    assert r.returncode == 2 and "symbolic link" in r.stderr and link.is_symlink()
    long_name = tmp_path / ("n" * 246 + ".wav")
    r = run("adac-run", FDN8, "--ir", 100, "--out", long_name)
    assert r.returncode == 0 and long_name.is_file(), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["wide.json", "link.wav", long_name.name])


def test_interrupted_render_leaves_no_temporary_file(tmp_path):
    p = subprocess.Popen([str(BIN / "adac-run"), str(FDN8), "--ir", "100000000", "--out", "ir.wav"], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob(".adac-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(tmp_path.glob(".adac-*")), "the temporary file never appeared"
    p.send_signal(signal.SIGINT)
    p.wait(timeout=30)
    assert p.returncode != 0
    assert list(tmp_path.iterdir()) == []


# 9. Undefined behaviour in conversions.
def test_conversions_at_the_limits(tmp_path):
    code = adac.json_to_faust(doc(loop(), fs=1e6), controls={"pre_delay": {"max": 10000}})
    assert "-2147483648" not in code and "min(10000000," in code
    with pytest.raises(adac.IRError, match=r"interpolation: order must be an integer"):
        adac.validate(doc({"type": "parallel_delay", "params": {
            "samples": [3.5], "interpolation": {"method": "lagrange", "order": 2 ** 31}}}))
    r = run("adac-run", tmp_path, "--ir", 10, "--out", tmp_path / "x.wav")
    assert r.returncode == 1 and "not a regular file" in r.stderr
    r = run("adac-verify", FDN8, tmp_path)
    assert r.returncode == 1 and "not a regular file" in r.stderr


# 10. Live control input on standard input.
def live(payload, keep_open, seconds=1.0):
    """adac-run playing on the null backend for `seconds`, given `payload` on
    standard input; with keep_open the input stays open (no newline, no end)."""
    p = subprocess.Popen([str(BIN / "adac-run"), str(FDN8), "--play", "--backend", "null", "--seconds",
                          str(seconds), "--controls", '{"rt60": true, "dry_wet": true}'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t = time.monotonic()
    if not keep_open:
        _, err = p.communicate(payload, timeout=seconds + 10)
        return time.monotonic() - t, err
    p.stdin.write(payload)
    p.stdin.flush()
    try:
        p.wait(timeout=seconds + 10)  # must finish while its input stays open
    finally:
        elapsed = time.monotonic() - t
        p.kill()
        p.stdin.close()
    return elapsed, p.stderr.read()


def test_partial_control_line_does_not_stall_playback(tmp_path):
    elapsed, err = live("rt60=2", keep_open=True, seconds=1.0)
    assert elapsed < 3.0, elapsed


def test_two_control_lines_in_one_write_both_apply(tmp_path):
    _, err = live("rt60=2\ndry_wet=0.5\nrt60=nan\n", keep_open=False)
    assert "rt60 -> 2" in err and "dry_wet -> 0.5" in err, err
    assert "finite" in err and "no control 'rt60'" not in err, err


# 11. Audio input: one NaN poisoned the loop for ever; files were loaded whole.
def test_non_finite_input_does_not_poison_the_output(tmp_path):
    x = np.zeros(48000, dtype=np.float32)
    x[0], x[10], x[20] = 1.0, np.nan, np.inf
    sf.write(tmp_path / "x.wav", x, 48000, subtype="FLOAT")
    r = run("adac-run", FDN8, "--in", tmp_path / "x.wav", "--out", tmp_path / "y.wav", "--tail", 0)
    assert r.returncode == 0 and "2 input sample(s) were NaN or infinite" in r.stderr, r.stderr
    y, _ = sf.read(tmp_path / "y.wav")
    assert np.isfinite(y).all() and np.abs(y).max() > 0
    # The same as the clean input (the bad samples taken as 0).
    x[10] = x[20] = 0
    sf.write(tmp_path / "c.wav", x, 48000, subtype="FLOAT")
    assert run("adac-run", FDN8, "--in", tmp_path / "c.wav", "--out", tmp_path / "z.wav", "--tail", 0).returncode == 0
    np.testing.assert_array_equal(y, sf.read(tmp_path / "z.wav")[0])


def test_files_are_streamed_with_flat_memory(tmp_path):
    rss = []
    for minutes in (0.05, 3):
        n = int(48000 * 60 * minutes)
        sf.write(tmp_path / "x.wav", np.full(n, 0.01, dtype=np.float32), 48000, subtype="FLOAT")
        code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        r = subprocess.run([sys.executable, "-c", code, str(BIN / "adac-run"), str(FDN8), "--in",
                            str(tmp_path / "x.wav"), "--out", str(tmp_path / "y.wav"), "--tail", "0"], stdout=None,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        rss.append(int(r.stdout.split()[-1]) / 1024)
    # A 3-minute file held whole would add about 100 MiB (float in, double out).
    assert rss[1] - rss[0] < 20, rss


# 12. libfaust crashes or hangs on some programs: contained in a child process.
@pytest.mark.parametrize("code,what", [
    ("process = @(500000000);\n", "FAUST"),
    ("process = par(i, 20000, _) :> _;\n", "FAUST"),
])
def test_hostile_dsp_cannot_take_the_verifier_down(code, what, tmp_path):
    dsp = tmp_path / "h.dsp"
    dsp.write_text(code)
    t = time.monotonic()
    r = run("adac-verify", FDN8, dsp, "--length", 64, "--faust-timeout", 20, timeout=120)
    assert r.returncode == 1 and what in r.stderr, (r.returncode, r.stderr)
    assert time.monotonic() - t < 60


def test_hanging_dsp_is_stopped_at_the_time_limit(tmp_path):
    dsp = tmp_path / "slow.dsp"
    dsp.write_text("process = @(2000000000);\n")
    t = time.monotonic()
    r = run("adac-verify", FDN8, dsp, "--length", 64, "--faust-timeout", 3, timeout=120)
    assert r.returncode == 1 and ("longer than 3 s" in r.stderr or "crashed" in r.stderr), r.stderr
    assert time.monotonic() - t < 30


def test_render_faust_survives_a_crashing_program():
    with pytest.raises(RuntimeError, match="FAUST"):
        adac.render_faust("process = @(500000000);\n", 64)
    # The interpreter is still here, and libfaust still works.
    assert adac.render_faust("process = *(0.5);\n", 4)[0, 0, 0] == 0.5


def test_python_writers_are_atomic_and_refuse_links(tmp_path):
    config = adac.to_dict(FDN8)
    long_name = tmp_path / ("m" * 250 + ".json")
    adac.save(config, long_name)
    assert adac.to_dict(long_name) == config
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(OSError, match="symbolic link"):
        adac.save(config, link)
    assert link.is_symlink() and not (tmp_path / "elsewhere.json").exists()
    cert = adac.write_certificate(config, tmp_path / "r.dsp")
    assert json.loads(cert.read_text())["verdict"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([long_name.name, "link.json", "r.cert.json"])


@pytest.mark.parametrize("tool", ["adac-run", "adac-faust", "adac-verify", "adac-bench", "adac-certify"])
def test_every_tool_has_a_version(tool):
    r = run(tool, "--version")
    assert r.returncode == 0 and r.stdout.startswith(f"{tool} {adac.__version__} (ADAC IR version 1)"), r.stdout


@pytest.mark.parametrize("args", [["--seconds", "abc"], ["--block", "1e3"], ["--fs", "48000abc"], ["--repeat", "0"]])
def test_bench_refuses_unparseable_numbers(args):
    r = run("adac-bench", *args)
    assert r.returncode == 2 and "expected" in r.stderr, r.stderr


def test_reports_escape_model_strings_and_file_names(tmp_path):
    g = loop()
    g["model_path"] = "loop\x1b[31m\nred"
    g["fB"]["module"] = "\x1b]0;pwned\x07"
    model = tmp_path / "m.json"
    model.write_text(json.dumps(doc(g)))
    dsp = tmp_path / "x\x1b[2J.dsp"
    r = run("adac-certify", model, "--dsp", dsp)
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\\x1B[31m\\nred" in r.stdout
    assert "x\\x1B[2J.cert.json" in r.stdout  # the file written, named escaped


def test_a_long_non_ascii_name_is_cut_at_a_whole_character():
    code = adac.json_to_faust(doc(loop(), name="\u00e9" * 300))
    line = next(l for l in code.splitlines() if l.startswith("declare name"))
    line.encode("utf-8").decode("utf-8")  # valid UTF-8 in the generated code
    assert line.startswith('declare name "\u00e9') and "\ufffd" not in line
