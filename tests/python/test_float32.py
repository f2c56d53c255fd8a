"""FLAMO's default dtype, float32: every conformance model, every module (alone
and in a loop) and FLAMO's example networks built as float32 twins compile, and
match their reference (float32_twins.py: the float32 parameters evaluated in
float64) within -120 dB: the engine, the compiled FAUST and the round trip; the
certificate and the rt60 control work on them as on the float64 models."""
import warnings

import numpy as np
import pytest
import torch

import adac
import flamo_example_networks
import float32_twins
import test_modules
from conftest import error_db
from flamo_models import FS, conformance_models
from float32_twins import twin
from test_flamo_examples import NFFT as EXAMPLE_NFFT, flamo_view

TOL_DB = -120.0
CONFORMANCE = conformance_models()


def compile_twin(builder, name):
    m32, m64 = twin(builder)
    assert next(m32.parameters()).dtype == torch.float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = adac.flamo_to_json(m32, fs=FS, name=name)
    assert config["flamo"]["dtype"] == "float32"
    return m32, m64, config


@pytest.mark.parametrize("name", sorted(CONFORMANCE))
def test_conformance_float32_twin(name):
    m32, m64, config = compile_twin(CONFORMANCE[name], name)
    ref = adac.flamo_impulse_response(m64, fs=FS)
    eng = adac.render_engine(config, ref.shape[0])
    assert error_db(ref, eng).max() <= TOL_DB, f"{name}: engine vs reference {error_db(ref, eng).max():.1f}"
    faust = adac.render_faust(adac.json_to_faust(config), ref.shape[0], fs=FS)
    assert error_db(eng, faust).max() <= TOL_DB
    # The round trip rebuilds the float32 model, parameter for parameter.
    back = adac.json_to_flamo(config)
    assert next(back.parameters()).dtype == torch.float32
    for p, q in zip(m32.parameters(), back.parameters()):
        assert torch.equal(p, q)
    assert adac.flamo_to_json(back, fs=FS, name=name)["graph"] == config["graph"]
    # The certificate reaches the float64 model's verdict.
    want = adac.certify(adac.flamo_to_json(m64, fs=FS, name=name))["verdict"]
    assert adac.certify(config)["verdict"] == want == "certified-stable"


def test_float32_householder_fdn_keeps_its_fast_form_and_controls():
    m32, m64, config = compile_twin(CONFORMANCE["fdn8_householder_gain"], "h")
    fb = config["graph"]["core"]["children"][1]["fB"]
    assert fb["params"]["structure"]["kind"] == "householder"
    code = adac.json_to_faust(config, controls={"rt60": True, "dry_wet": True})
    assert "rt60" in code
    cert = adac.certify(config, controls={"rt60": {"max": 10}})
    assert cert["verdict"] == "certified-stable"
    a = adac.render_engine(config, 4096, controls={"rt60": True}, values={"rt60": 1.0})
    b = adac.render_faust(code, 4096, fs=FS, values={"rt60": 1.0})
    assert error_db(a, b).max() <= TOL_DB


# ScatteringMatrix and VelvetNoiseMatrix draw their random sparse structure
# differently in a float64 build, so they have no float64 reference of this kind
# (float32_twins.py). They are compared with FLAMO's own float32 evaluation
# instead, whose rounding sets the tolerance: FLAMO computes a float32 model's
# response in complex64, each bin through about 20 float32 roundings (the matrix
# products and the 14 stages of a 2^14-point FFT), about 20 * 2^-24 = 1.2e-6
# relative (-98 dB); -85 dB leaves a factor 4.5 for the roundings adding up over
# the iFFT. Measured: -103.5 dB (ScatteringMatrix in a loop) to -133.7 dB
# (VelvetNoiseMatrix alone).
FLAMO_FLOAT32_TOL_DB = -85.0
NO_REFERENCE = {"ScatteringMatrix", "VelvetNoiseMatrix"}
MODULE_CASES = [(n, w) for n in sorted(set(test_modules.MODULES) - NO_REFERENCE) for w in ("alone", "in_loop")]


@pytest.mark.parametrize("name,where", MODULE_CASES, ids=[f"{n}-{w}" for n, w in MODULE_CASES])
def test_module_float32_twin(name, where):
    def builder():
        if where == "alone":
            return test_modules.shell(test_modules.build(name), test_modules.NFFT)
        return test_modules.in_loop(name)

    m32, m64, config = compile_twin(builder, name)
    ref = adac.flamo_impulse_response(m64, fs=FS)
    eng = adac.render_engine(config, test_modules.NFFT)
    assert error_db(ref, eng).max() <= TOL_DB, f"{name}: engine vs reference {error_db(ref, eng).max():.1f}"
    back = adac.json_to_flamo(config)
    assert adac.flamo_to_json(back, fs=FS, name=name)["graph"] == config["graph"]


@pytest.mark.parametrize("name", sorted(NO_REFERENCE))
def test_module_without_reference_compiles_at_float32(name):
    with float32_twins.built_in(torch.float32):
        model = test_modules.in_loop(name)
        alone = test_modules.shell(test_modules.build(name), test_modules.NFFT)
    for m in (model, alone):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cfg = adac.flamo_to_json(m, fs=FS, name=name)
        err = error_db(adac.flamo_impulse_response(m, fs=FS), adac.render_engine(cfg, test_modules.NFFT)).max()
        assert err <= FLAMO_FLOAT32_TOL_DB, f"{name}: engine vs FLAMO float32 {err:.1f} dB"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = adac.flamo_to_json(model, fs=FS, name=name)
    eng = adac.render_engine(config, test_modules.NFFT)
    faust = adac.render_faust(adac.json_to_faust(config), test_modules.NFFT, fs=FS)
    assert error_db(eng, faust).max() <= TOL_DB
    back = adac.json_to_flamo(config)
    assert next(back.parameters()).dtype == torch.float32
    ref = adac.flamo_impulse_response(model, fs=FS)
    assert error_db(ref, adac.flamo_impulse_response(back, fs=FS)).max() <= TOL_DB
    assert adac.certify(config)["verdict"] == "certified-stable"


@pytest.mark.parametrize("name", sorted(flamo_example_networks.EXAMPLES))
def test_example_network_float32_twin(name):
    holder = {}

    def builder():
        model, holder["alias_decay_db"] = flamo_example_networks.EXAMPLES[name]()
        return model

    m32, m64, config = compile_twin(builder, name)
    ref = adac.flamo_impulse_response(m64, fs=FS)
    eng = adac.render_engine(config, 6 * EXAMPLE_NFFT)
    err = error_db(ref, flamo_view(eng, EXAMPLE_NFFT, holder["alias_decay_db"])).max()
    assert err <= TOL_DB, f"{name}: engine vs reference {err:.1f}"
    verdict = adac.certify(config, precision="double")["verdict"]
    assert verdict == ("marginally-stable" if name == "colorless_fdn" else "certified-stable"), name
