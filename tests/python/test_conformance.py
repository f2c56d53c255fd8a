"""The conformance matrix: real FLAMO models (float64), compared on every
input->output path: FLAMO <-> engine <-> compiled FAUST, and FLAMO <-> the model
rebuilt by json_to_flamo. Everything within -120 dB of each path's peak."""
import numpy as np
import pytest

import adac
from conftest import error_db
from flamo_models import FS, conformance_models

TOL_DB = -120.0
MODELS = conformance_models()


@pytest.fixture(scope="module", params=sorted(MODELS))
def case(request):
    model = MODELS[request.param]()
    config = adac.flamo_to_json(model, fs=FS, name=request.param)
    flamo_ir = adac.flamo_impulse_response(model, fs=FS)
    return request.param, model, config, flamo_ir


def test_response_decays_within_nfft(case):
    # The comparison is only meaningful if FLAMO's circular response has decayed.
    name, model, config, ref = case
    tail = np.abs(ref[-1000:]).max() / np.abs(ref).max()
    assert 20 * np.log10(tail) < -150, name


def test_engine_matches_flamo(case):
    name, model, config, ref = case
    eng = adac.render_engine(config, ref.shape[0])
    err = error_db(ref, eng)
    assert err.max() <= TOL_DB, f"{name}: engine vs FLAMO {err.max():.1f} dB"


def test_faust_matches_engine_and_flamo(case):
    name, model, config, ref = case
    n = ref.shape[0]
    eng = adac.render_engine(config, n)
    code = adac.json_to_faust(config)
    faust = adac.render_faust(code, n, fs=FS)
    assert faust.shape == eng.shape
    assert error_db(eng, faust).max() <= TOL_DB, f"{name}: FAUST vs engine"
    assert error_db(ref, faust).max() <= TOL_DB, f"{name}: FAUST vs FLAMO"


def test_round_trip(case):
    name, model, config, ref = case
    rebuilt = adac.json_to_flamo(config)
    again = adac.flamo_impulse_response(rebuilt, fs=FS)
    assert error_db(ref, again).max() <= TOL_DB, name
    # And the IR of the rebuilt model is the same document.
    assert adac.flamo_to_json(rebuilt, fs=FS, name=name)["graph"] == config["graph"]


def test_paths_all_covered():
    config = adac.flamo_to_json(MODELS["fdn4_2in_2out"](), fs=FS)
    eng = adac.render_engine(config, 4096)
    assert eng.shape[1:] == (2, 2)
    # every one of the four paths carries signal
    assert (np.abs(eng).max(axis=0) > 1e-3).all()
