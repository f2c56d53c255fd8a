"""Run-time dispatch: the engine gives the same bits at every SIMD level this
machine has (engine/simd.h), each forced through ADAC_SIMD in its own process, on
every conformance model (and a float32 twin) and the bundled FDN with its
macro-controls: the double path (the oracle) and the single path alike. The
nofma level (what CPUs without FMA run: multiply-adds rounded twice) stays
within rounding of the oracle, and is not it."""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import adac
from conftest import ROOT
from flamo_models import FS, conformance_models
from float32_twins import twin

LEVELS = ("baseline", "avx2", "avx512")

RENDER = """
import json, sys
import numpy as np
import adac
jobs = json.load(open(sys.argv[1]))
out = {"level": adac.simd_level()}
for name, (config, controls, values) in jobs.items():
    # An odd block size runs every kernel's vector part and its remainder.
    out[name] = adac.render_engine(config, 6000, block=100, controls=controls, values=values)
    out[name + "/single"] = adac.render_engine(config, 6000, block=100, controls=controls, values=values,
                                               precision="single")
np.savez(sys.argv[2], **{k: np.asarray(v) for k, v in out.items()})
"""


def available_levels():
    best = subprocess.run([sys.executable, "-c", "import adac; print(adac.simd_level())"], capture_output=True,
                          text=True, check=True, env=dict(os.environ, ADAC_SIMD="avx512")).stdout.strip()
    return LEVELS[:LEVELS.index(best) + 1]


def test_double_and_single_paths_are_bit_identical_at_every_dispatch_level(tmp_path):
    levels = available_levels()
    assert len(levels) >= 2, f"only {levels} on this machine: nothing to compare"
    jobs = {name: (adac.flamo_to_json(build(), fs=FS, name=name), None, None)
            for name, build in conformance_models().items()}
    # FLAMO's default dtype too: a float32 twin (its parameters as float32 holds them).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m32, _ = twin(conformance_models()["fdn8_sos3_absorption"])
        jobs["fdn8_sos3_absorption_float32"] = (adac.flamo_to_json(m32, fs=FS, name="f32"), None, None)
    fdn8 = json.loads((ROOT / "examples" / "fdn8.json").read_text())
    jobs["fdn8_controls"] = (fdn8, {"rt60": True, "dry_wet": True, "pre_delay": True},
                             {"rt60": 3.0, "dry_wet": 0.7, "pre_delay": 0.01})
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    script = tmp_path / "render.py"
    script.write_text(RENDER)
    results = {}
    for level in (*levels, "nofma"):
        out = tmp_path / f"{level}.npz"
        subprocess.run([sys.executable, script, tmp_path / "jobs.json", out], check=True,
                       env=dict(os.environ, ADAC_SIMD=level))
        results[level] = np.load(out)
        assert str(results[level]["level"]) == level
    reference = results[levels[0]]
    for level in levels[1:]:
        for name in [*jobs, *(f"{j}/single" for j in jobs)]:
            a, b = reference[name], results[level][name]
            assert np.abs(a).max() > 0, name
            assert a.tobytes() == b.tobytes(), (name, level, np.abs(a - b).max())
    # nofma: the same models within rounding (relative to each output's peak), and
    # not the oracle's bits wherever a dense mix fuses its multiply-adds.
    differ = []
    for name in [*jobs, *(f"{j}/single" for j in jobs)]:
        a, b = reference[name], results["nofma"][name]
        tolerance = (1e-4 if name.endswith("/single") else 1e-11) * np.abs(a).max()
        assert np.abs(a - b).max() <= tolerance, (name, np.abs(a - b).max() / np.abs(a).max())
        if a.tobytes() != b.tobytes():
            differ.append(name)
    assert "fdn8_sos3_absorption" in differ and "fdn8_sos3_absorption/single" in differ, differ


def test_a_level_the_cpu_lacks_is_not_taken():
    r = subprocess.run([sys.executable, "-c", "import adac; print(adac.simd_level())"], capture_output=True,
                       text=True, check=True, env=dict(os.environ, ADAC_SIMD="no-such-level"))
    assert r.stdout.strip() == available_levels()[-1]
