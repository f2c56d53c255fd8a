"""The engine's single-precision path (engine/sample.h): every module computed in
float with float coefficients, twice the SIMD lanes of the double path. Against
the double path (the oracle) it stays within -110 dB on every conformance model,
float64- and float32-built; it really is float arithmetic (not the double path
under another name); its vector kernels give the bits of their scalar tails
(block 1 against an odd block); and adac-run, render_engine and the streaming
Engine all reach it."""
import subprocess
import warnings

import numpy as np
import pytest
import soundfile as sf

import adac
from conftest import ROOT, error_db
from flamo_models import FS, conformance_models, fdn
from float32_twins import twin

BIN = ROOT / ".venv" / "bin"
TOL_DB = -110.0
N = 12000
CONFORMANCE = conformance_models()


def configs(name):
    """The model built in float64, and its float32 twin (FLAMO's default)."""
    build = CONFORMANCE[name]
    m32, _ = twin(build)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"float64": adac.flamo_to_json(build(), fs=FS, name=name),
                "float32": adac.flamo_to_json(m32, fs=FS, name=name)}


@pytest.mark.parametrize("name", sorted(CONFORMANCE))
def test_single_path_within_110_db_of_the_double_path(name):
    for dtype, config in configs(name).items():
        double = adac.render_engine(config, N, block=100)
        single = adac.render_engine(config, N, block=100, precision="single")
        worst = error_db(double, single).max()
        assert worst <= TOL_DB, f"{name} ({dtype}): single vs double {worst:.1f} dB"
        # Float arithmetic, not the double path again: the rounding shows, near
        # float's resolution (2^-24 is -144 dB).
        assert worst > -200, f"{name} ({dtype}): single equals double"
        # Every kernel's vector part against its scalar remainder: the same bits.
        by_sample = adac.render_engine(config, N, block=1, precision="single")
        assert single.tobytes() == by_sample.tobytes(), f"{name} ({dtype}): block 1 differs from block 100"


def test_wide_banks_fill_the_sixteen_lane_groups():
    """23 lines with absorption filters: a biquad bank of one full group of 16
    float channels and one padded group; dense mixing over odd tiles."""
    config = adac.flamo_to_json(fdn(n=23, matrix="orthogonal", absorb="sos", sections=2), fs=FS, name="fdn23")
    double = adac.render_engine(config, N, block=100)
    single = adac.render_engine(config, N, block=100, precision="single")
    assert -200 < error_db(double, single).max() <= TOL_DB
    assert single.tobytes() == adac.render_engine(config, N, block=37, precision="single").tobytes()


def test_streaming_engine_and_reload_keep_single_precision():
    config = ROOT / "examples" / "fdn8.json"
    x = np.zeros((4000, 1), dtype=np.float32)
    x[0] = 1
    with adac.Engine(config, block=64, precision="single") as eng:
        assert eng.precision == "single"
        y = eng.process(x)
        assert y.dtype == np.float32
        assert eng.load(config) == "kept"  # same shape, same precision
    ir = adac.render_engine(config, 4000, precision="single")[:, :, 0]
    np.testing.assert_array_equal(y, ir.astype(np.float32))
    with pytest.raises(ValueError, match="precision must be 'single' or 'double'"):
        adac.Engine(config, precision="half")
    with pytest.raises(ValueError, match="precision must be 'single' or 'double'"):
        adac.render_engine(config, 10, precision="float")


def test_adac_run_precision_option(tmp_path):
    model = ROOT / "examples" / "fdn8.json"
    out = tmp_path / "ir.wav"
    r = subprocess.run([BIN / "adac-run", model, "--ir", "3000", "--out", out, "--double", "--precision", "single"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    x, fs = sf.read(out, always_2d=True)
    np.testing.assert_array_equal(x, adac.render_engine(model, 3000, precision="single").reshape(3000, -1))
    assert not np.array_equal(x, adac.render_engine(model, 3000).reshape(3000, -1))
    r = subprocess.run([BIN / "adac-run", model, "--ir", "10", "--out", tmp_path / "x.wav", "--precision", "half"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--precision is 'double' or 'single'" in r.stderr
    assert not (tmp_path / "x.wav").exists()
    assert "--precision" in subprocess.run([BIN / "adac-run", "--help"], capture_output=True, text=True).stdout
