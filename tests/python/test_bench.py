"""adac-bench end to end on a small ladder: every figure present and sane, the
fits reported, JSON and plot written, bad options refused."""
import json
import subprocess

from conftest import ROOT

BIN = ROOT / ".venv" / "bin"


def bench(*args):
    return subprocess.run([str(BIN / "adac-bench"), *map(str, args)], capture_output=True, text=True)


def test_bench_reports_engine_and_faust_for_each_kind(tmp_path):
    out, png = tmp_path / "bench.json", tmp_path / "bench.png"
    r = bench("--lines", "4..12", "--seconds", "0.05", "--repeat", "1", "--no-aot", "--json", out, "--plot", png)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(out.read_text())
    rows = report["rows"]
    # 4, 6, 8, 12 dense and householder; Hadamard only at the powers of two
    assert sorted((x["kind"], x["lines"]) for x in rows) == sorted(
        [(k, n) for k in ("dense", "householder") for n in (4, 6, 8, 12)] + [("hadamard", 4), ("hadamard", 8)])
    for x in rows:
        assert x["engine_rtf"] > 1 and x["faust_rtf"] > 1, x
        assert abs(x["engine_over_faust"] - x["engine_rtf"] / x["faust_rtf"]) < 1e-3 * x["engine_over_faust"]
        assert x["engine_bytes"] > 8 * 4 * 300 and x["faust_bytes"] > 8 * 4 * 300, x  # the delay lines
    # An N^2 fit needs four sizes: Hadamard (4 and 8 only) gets none, and says so.
    assert {(f["kind"], f["implementation"]) for f in report["fits"]} == {
        (k, i) for k in ("dense", "householder") for i in ("engine", "faust")}
    assert "hadamard    no N^2 fit: 2 size(s) measured, a fit needs 4 or more" in r.stdout
    for f in report["fits"]:
        outliers = f["fit"]["outliers"]  # sizes left out of the fit as noise
        assert isinstance(outliers, list) and set(outliers) <= {6, 8, 12}, f
    # Progress on a pipe comes as plain lines, not one line rewritten with CR.
    assert "\r" not in r.stderr and "round 1 of 1: 4 lines, dense\n" in r.stderr
    assert "-double" in report["faust"]["options"] and "libfaust" in report["faust"]["compiler"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "cost ~" in r.stdout and "pinned to core" in r.stdout


def test_bench_saves_models_that_load_and_verify(tmp_path):
    r = bench("--lines", "4", "--kinds", "hadamard", "--seconds", "0.02", "--repeat", "1", "--no-faust",
              "--save-models", tmp_path)
    assert r.returncode == 0, r.stderr
    model = tmp_path / "fdn4_hadamard.json"
    assert json.loads(model.read_text())["graph"]["children"][1]["fB"]["params"]["structure"]["kind"] == "hadamard"
    dsp = tmp_path / "fdn4.dsp"
    subprocess.run([str(BIN / "adac-faust"), model, "-o", dsp], check=True)
    v = subprocess.run([str(BIN / "adac-verify"), model, dsp], capture_output=True, text=True)
    assert v.returncode == 0 and "PASS" in v.stdout, v.stdout + v.stderr


def test_bench_diagonal_floor_model_into_a_new_folder(tmp_path):
    """The diagonal kind (no mixing, the floor for fast forms) is a parallel gain of
    ones in the loop; --save-models makes its folder."""
    folder = tmp_path / "models"
    r = bench("--lines", "4", "--kinds", "dense,householder,hadamard,diagonal", "--seconds", "0.02", "--repeat", "1",
              "--no-aot", "--save-models", folder)
    assert r.returncode == 0, r.stderr
    fb = json.loads((folder / "fdn4_diagonal.json").read_text())["graph"]["children"][1]["fB"]
    assert fb["type"] == "parallel_gain" and fb["params"]["gains"] == [1.0] * 4
    rows = [line.split() for line in r.stdout.splitlines() if line.split()[:1] == ["4"]]
    assert [row[1] for row in rows] == ["dense", "householder", "hadamard", "diagonal"]
    assert all(float(row[2]) > 0 and float(row[3]) > 0 for row in rows)


def test_bench_roofline_and_ahead_of_time_faust(tmp_path):
    """The core's peak, each model's arithmetic counted from its graph, every
    figure as a fraction of the peak, and the FAUST build a plugin ships."""
    out = tmp_path / "bench.json"
    r = bench("--lines", "8", "--kinds", "dense,householder,diagonal", "--seconds", "0.2", "--repeat", "1",
              "--json", out)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(out.read_text())
    peak = report["peak"]
    assert peak["dispatch"].split()[0] in ("baseline", "avx2", "avx512")
    assert 0 < peak["double_gflops"] < peak["single_gflops"]  # twice the lanes
    assert "c++ -O3 -march=native" in report["faust_aot"]["compiler"]
    rows = {x["kind"]: x for x in report["rows"]}
    # Flops from the graph: the same lines and biquads (9 flops each) in every kind;
    # the feedback is an 8 x 8 product (15 per output), a Householder (5 per line),
    # or a parallel gain of ones (1 per line).
    assert rows["dense"]["flops_per_sample"] > rows["householder"]["flops_per_sample"] > \
        rows["diagonal"]["flops_per_sample"] >= 9 * 8
    assert rows["dense"]["flops_per_sample"] - rows["diagonal"]["flops_per_sample"] == 8 * 15 - 8
    assert rows["householder"]["flops_per_sample"] - rows["diagonal"]["flops_per_sample"] == 8 * 5 - 8
    for x in rows.values():
        assert x["aot_rtf"] > 1 and 0 < x["aot_peak_fraction"] < 1, x
        assert 0 < x["engine_peak_fraction"] < 1 and 0 < x["faust_peak_fraction"] < 1, x
        expected = x["flops_per_sample"] * 48000 * x["engine_rtf"] / (peak["double_gflops"] * 1e9)
        assert abs(x["engine_peak_fraction"] - expected) < 1e-3 * expected
        # The single-precision engine, timed in the same rounds, against the single peak.
        assert x["single_rtf"] > 1 and 0 < x["single_peak_fraction"] < 1, x
        expected = x["flops_per_sample"] * 48000 * x["single_rtf"] / (peak["single_gflops"] * 1e9)
        assert abs(x["single_peak_fraction"] - expected) < 1e-3 * expected
        assert abs(x["single_over_double"] - x["single_rtf"] / x["engine_rtf"]) < 1e-3 * x["single_over_double"]
    assert "peak" in r.stdout and "GFLOP/s" in r.stdout and "dispatch" in r.stdout
    assert "single xRT" in r.stdout and "peak after the rounds" in r.stdout
    # The dense mix alone, the bound on the dense models' fraction.
    assert [m["n"] for m in report["mix_alone"]] == [32, 64]
    for m in report["mix_alone"]:
        assert 0 < m["double_peak_fraction"] < 1 and 0 < m["single_peak_fraction"] < 1, m
        assert abs(m["double_peak_fraction"] - m["double_gflops"] / peak["double_gflops"]) < 1e-4
    assert "mix alone" in r.stdout


def test_bench_help_and_bad_options():
    r = bench("--help")
    assert r.returncode == 0 and "usage: adac-bench" in r.stdout and "--lines" in r.stdout
    r = bench("--kinds", "circulant")
    assert r.returncode == 2 and "unknown matrix kind 'circulant'" in r.stderr
    r = bench("--lines", "x")
    assert r.returncode == 2 and "bad value 'x' for --lines" in r.stderr
