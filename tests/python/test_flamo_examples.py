"""FLAMO's own networks end to end: its FDN class
flamo.auxiliary.reverb.HomogeneousFDN (orthogonal mixing, homogeneous attenuation
through its custom map_gamma) and the networks of its example scripts (colorless
FDN, GEQ-absorption FDNs, grouped FDN; see flamo_example_networks.py): FLAMO vs
engine vs FAUST, the round trip, the certificate (and the rt60 control)."""
import warnings

import numpy as np
import pytest
import torch

import adac
from conftest import error_db
from flamo_example_networks import EXAMPLES, FS, NFFT


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


# -- the networks of FLAMO's example scripts ----------------------------------

def flamo_view(h, nfft, alias_decay_db):
    """What FLAMO's get_time_response shows of a system whose true impulse response
    is h (longer than nfft): sampling the spectrum at nfft points folds h[n + k nfft]
    onto h[n], and the anti-aliasing envelope weights fold k by 10^(-k A / 20)."""
    k = len(h) // nfft
    weights = 10.0 ** (-alias_decay_db * np.arange(k) / 20)
    return np.einsum("k,knoi->noi", weights, h[:k * nfft].reshape(k, nfft, *h.shape[1:]))


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def example(request):
    model, alias_decay_db = EXAMPLES[request.param]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        config = adac.flamo_to_json(model, fs=FS, name=request.param)
    ref = adac.flamo_impulse_response(model, fs=FS)
    # 6 x nfft samples: the folds left out are below -150 dB (30 dB each with the
    # envelope, and the GEQ example has decayed by -150 dB within 2 nfft).
    eng = adac.render_engine(config, 6 * NFFT)
    return request.param, model, alias_decay_db, config, ref, eng, caught


def test_example_network_matches_flamo(example):
    name, _, alias_decay_db, config, ref, eng, _ = example
    assert np.abs(ref).max() > 0.05
    assert error_db(ref, flamo_view(eng, NFFT, alias_decay_db)).max() <= -120, name


def test_example_network_faust_matches_engine(example):
    name, _, _, config, _, eng, _ = example
    faust = adac.render_faust(adac.json_to_faust(config), NFFT, fs=FS)
    assert error_db(eng[:NFFT], faust).max() <= -120, name


def test_example_network_round_trip(example):
    name, _, _, config, ref, _, _ = example
    back = adac.json_to_flamo(config)
    assert error_db(ref, adac.flamo_impulse_response(back, fs=FS)).max() <= -120, name


def test_example_network_certificate(example):
    """The colorless FDN is lossless as built (orthogonal feedback, no attenuation):
    marginally stable, and said so; the attenuating ones are certified."""
    name, _, _, config, _, _, caught = example
    verdict = adac.certify(config, precision="double")["verdict"]
    assert verdict == ("marginally-stable" if name == "colorless_fdn" else "certified-stable"), name
    left_out = [str(w.message) for w in caught if "Transform layer left out" in str(w.message)]
    assert len(left_out) == (1 if name == "colorless_fdn" else 0), left_out
