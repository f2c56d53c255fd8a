"""A pyFDN gallery design compiled through dss_to_json (numpy only) matches the
same design compiled through FLAMO (pyFDN's build_to_flamo), and both match
pyFDN's own time-domain response and FLAMO's."""
import numpy as np
import pyFDN
import pytest
import torch

import adac
from conftest import error_db

FS = 48000


@pytest.fixture(scope="module")
def build():
    # short decay so FLAMO's circular response has died out within nfft
    return pyFDN.fdn_build_gallery(8, fs=FS, rt=0.25, rt_nyquist=0.08, num_inputs=2,
                                   num_outputs=2, direct_gain=0.3, output_gain_db=[0.0, -3.0],
                                   output_gain_db_nyquist=[-6.0, 0.0], rng=7)


def dss_config(build):
    return adac.dss_to_json(build.A, build.B, build.C, build.D, build.delays, build.fs,
                            name="gallery8", absorption=build.post_delay,
                            feedback_filter=build.post_matrix, output_filter=build.post_output)


def test_dss_matches_pyfdn_and_flamo(build):
    assert build.post_delay is not None and build.post_output is not None
    nfft = 2**15
    config = dss_config(build)
    eng = adac.render_engine(config, nfft)
    reference = pyFDN.build_to_impz(build, nfft)  # pyFDN's own time-domain render
    assert reference.shape == eng.shape
    assert np.abs(reference).max() > 0.01
    assert error_db(reference, eng).max() <= -120

    flamo_model = pyFDN.build_to_flamo(build, nfft=nfft, device="cpu", dtype=torch.float64)
    via_flamo = adac.flamo_to_json(flamo_model, fs=FS)
    assert error_db(eng, adac.render_engine(via_flamo, nfft)).max() <= -120
    assert error_db(adac.flamo_impulse_response(flamo_model, fs=FS), eng).max() <= -120

    faust = adac.render_faust(adac.json_to_faust(config), nfft, fs=FS)
    assert error_db(eng, faust).max() <= -120


def test_dss_without_torch_dependencies(build):
    import subprocess
    import sys
    code = ("import sys, numpy as np, adac; "
            "c = adac.dss_to_json(np.eye(2)*0.5, np.ones((2,1)), np.ones((1,2)), np.zeros((1,1)), [3,5], 48000); "
            "print(adac.render_engine(c, 16)[:, 0, 0].tolist()); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    first, torch_loaded = out.strip().splitlines()
    assert torch_loaded == "False"
    h = eval(first)
    assert h[3] == 1.0 and h[5] == 1.0 and h[6] == 0.5 and h[8] == 0.0


@pytest.mark.parametrize("bad,match", [
    (dict(A=np.eye(3)), r"A: shape \(3, 3\), expected \(2, 2\)"),
    (dict(B=np.ones((3, 1))), r"B: shape"),
    (dict(A=np.zeros((2, 2, 4))), "FIR feedback matrices"),
    (dict(absorption=np.zeros((1, 5, 2))), "SOS bank"),
    (dict(D=np.array([[np.nan]])), "non-finite"),
])
def test_dss_errors(bad, match):
    args = dict(A=np.eye(2) * 0.5, B=np.ones((2, 1)), C=np.ones((1, 2)), D=np.zeros((1, 1)),
                delays=[3, 5], fs=FS)
    args.update(bad)
    with pytest.raises(ValueError, match=match):
        adac.dss_to_json(**args)
