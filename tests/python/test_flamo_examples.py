"""FLAMO's own FDN class, flamo.auxiliary.reverb.HomogeneousFDN (orthogonal mixing
matrix, homogeneous attenuation through its custom map_gamma), end to end:
FLAMO vs engine vs FAUST, the round trip, the certificate and the rt60 control."""
import numpy as np
import pytest
import torch

import adac
from conftest import error_db

FS = 48000


@pytest.fixture(scope="module")
def homogeneous_fdn():
    from flamo.auxiliary.config.config import HomogeneousFDNConfig
    from flamo.auxiliary.reverb import HomogeneousFDN
    np.random.seed(0)  # FLAMO draws the co-prime delay lengths with numpy
    torch.manual_seed(0)
    fdn = HomogeneousFDN(HomogeneousFDNConfig(N=6, nfft=2**16, dtype=torch.float64))
    # Attenuation map input 3 gives about 0.3 s of decay, well inside nfft: FLAMO's
    # response is then not time-aliased.
    with torch.no_grad():
        fdn.model.get_core().feedback_loop.feedforward.attenuation.assign_value(
            3.0 * torch.ones(6, dtype=torch.float64))
    return fdn.model


def test_flamo_homogeneous_fdn_matches(homogeneous_fdn):
    config = adac.flamo_to_json(homogeneous_fdn, fs=FS, name="HomogeneousFDN")
    ref = adac.flamo_impulse_response(homogeneous_fdn)
    n = len(ref)
    eng = adac.render_engine(config, n)
    assert np.abs(ref).max() > 0.1
    assert error_db(ref, eng).max() <= -120
    assert error_db(eng, adac.render_faust(adac.json_to_faust(config), n, fs=FS)).max() <= -120
    back = adac.json_to_flamo(config)
    assert error_db(ref, adac.flamo_impulse_response(back)).max() <= -120


def test_flamo_homogeneous_fdn_certified_and_controlled(homogeneous_fdn):
    config = adac.flamo_to_json(homogeneous_fdn, fs=FS, name="HomogeneousFDN")
    cert = adac.certify(config)
    assert cert["verdict"] == "certified-stable"
    loop = cert["loops"][0]
    assert loop["model_path"].endswith("feedback_loop")
    # rt60 reaches FLAMO's loop (delays at the head of the feedforward path) and
    # engine and FAUST agree with it moved.
    controls = {"rt60": {"init": 0.2, "min": 0.1, "max": 5}}
    eng = adac.render_engine(config, 24000, controls=controls, values={"rt60": 0.15})
    fst = adac.render_faust(adac.json_to_faust(config, controls=controls), 24000, fs=FS, values={"rt60": 0.15})
    assert error_db(eng, fst).max() <= -120
    assert np.abs(eng - adac.render_engine(config, 24000)).max() > 1e-3
    assert adac.certify(config, controls=controls)["verdict"] == "certified-stable"
