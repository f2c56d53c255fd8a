"""adac-verify --single: the tolerance comes from the model's own coefficient-
rounding floor (the engine with every coefficient rounded to float, against the
engine), 6 dB above it or -120 dB, whichever is higher."""
import json
import subprocess

import numpy as np

import adac
from conftest import ROOT

BIN = ROOT / ".venv" / "bin"
FS = 48000


def verify_single(model, dsp, tmp_path):
    out = tmp_path / "report.json"
    r = subprocess.run([BIN / "adac-verify", model, dsp, "--single", "--json", out], capture_output=True, text=True)
    return r, json.loads(out.read_text())


def lowpass(f0, q):
    w0 = 2 * np.pi * f0 / FS
    alpha, c = np.sin(w0) / (2 * q), np.cos(w0)
    b = np.array([(1 - c) / 2, 1 - c, (1 - c) / 2])
    a = np.array([1 + alpha, -2 * c, 1 - alpha])
    return [*(b / a[0]), 1.0, *(a[1:] / a[0])]


def test_bundled_fdn_passes_single_with_its_floor_stated(tmp_path):
    model, dsp = ROOT / "examples" / "fdn8.json", tmp_path / "fdn8.dsp"
    subprocess.run([BIN / "adac-faust", model, "-o", dsp], check=True)
    r, report = verify_single(model, dsp, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "coefficient-rounding floor" in r.stdout and "single precision" in r.stdout
    floor = report["coefficient_floor_db"]
    assert -170 < floor < -120
    assert abs(adac.coefficient_floor_db(model, report["samples"]) - floor) < 1e-2  # the same from Python
    assert abs(report["tolerance_db"] - max(floor + 6, -120)) < 1e-3  # the floor is rounded
    assert report["worst_db"] <= report["tolerance_db"]


def test_floor_sets_the_tolerance_where_rounding_the_coefficients_costs_more(tmp_path):
    # Poles very near z = 1 (a 30 Hz resonance, Q = 100): rounding the numbers of
    # even the state-variable section to float moves the response by more than
    # -126 dB; the tolerance follows the floor.
    graph = {"type": "parallel_sos", "params": {"sections": [[lowpass(30, 100.0), lowpass(33, 2.0)]]}}
    model, dsp = tmp_path / "lp.json", tmp_path / "lp.dsp"
    adac.save({"format": "adac-ir", "version": 1, "name": "lp", "fs": FS, "graph": graph}, model)
    subprocess.run([BIN / "adac-faust", model, "-o", dsp], check=True)
    r, report = verify_single(model, dsp, tmp_path)
    assert report["coefficient_floor_db"] > -126
    assert abs(report["tolerance_db"] - (report["coefficient_floor_db"] + 6)) < 1e-3  # the floor is rounded
    assert r.returncode == 0, r.stdout
    assert "interpreter" in r.stdout


def test_a_wrong_coefficient_fails_single(tmp_path):
    model, dsp = ROOT / "examples" / "fdn8.json", tmp_path / "fdn8.dsp"
    subprocess.run([BIN / "adac-faust", model, "-o", dsp], check=True)
    # One input gain 1e-4 off: about -80 dB, far above this model's tolerance.
    config = json.loads(model.read_text())
    text = dsp.read_text()
    wrong = None
    for token in text.replace("(", " ").replace(")", " ").replace(",", " ").split():
        try:
            value = float(token)
        except ValueError:
            continue
        if 0.05 < abs(value) < 0.95 and "." in token:
            wrong = text.replace(token, repr(value * (1 + 1e-4)), 1)
            break
    assert wrong is not None and config["name"]
    dsp.write_text(wrong)
    r, report = verify_single(model, dsp, tmp_path)
    assert r.returncode == 1 and "FAIL" in r.stdout
    assert report["worst_db"] > report["tolerance_db"]


def test_float32_flamo_model_passes_single_with_its_floor(tmp_path):
    """FLAMO's default dtype: a float32-built FDN with SOS absorption gets its own
    floor and a tolerance from it, and its FAUST single build and the engine's
    single path both stay within that tolerance of the model."""
    import warnings

    import torch

    import flamo_models
    import float32_twins
    from conftest import error_db

    with float32_twins.built_in(torch.float32):
        m32 = flamo_models.fdn(n=8, absorb="sos", sections=3, t60=0.3, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = adac.flamo_to_json(m32, fs=FS, name="fdn8_float32")
    assert config["flamo"]["dtype"] == "float32"
    model, dsp = tmp_path / "fdn8_f32.json", tmp_path / "fdn8_f32.dsp"
    adac.save(config, model)
    subprocess.run([BIN / "adac-faust", model, "-o", dsp], check=True)
    r, report = verify_single(model, dsp, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    floor = report["coefficient_floor_db"]
    assert abs(report["tolerance_db"] - max(floor + 6, -120)) < 1e-3
    n = report["samples"]
    single = adac.render_engine(config, n, precision="single")
    assert error_db(adac.render_engine(config, n), single).max() <= report["tolerance_db"]
