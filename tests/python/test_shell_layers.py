"""A Shell's input/output layers may hold processing next to the FFT/iFFT domain
changes (e.g. Series(FFT, Gain)); the compiled system must include it, as the
model's forward pass does."""
import numpy as np
import torch
from flamo.processor import dsp, system

import adac
from conftest import error_db
from flamo_models import DT, FS, fdn_core, kw

NFFT = 2**15


def test_processing_in_shell_layers_is_kept():
    # FFT/iFFT take no device argument, so the layers' gains are left without one
    pre = dsp.Gain(size=(1, 1), nfft=NFFT, dtype=DT)
    post = dsp.Gain(size=(1, 1), nfft=NFFT, dtype=DT)
    with torch.no_grad():
        pre.assign_value(torch.tensor([[0.5]], dtype=DT))
        post.assign_value(torch.tensor([[-2.5]], dtype=DT))
    model = system.Shell(core=fdn_core(n=4, nfft=NFFT, seed=21),
                         input_layer=system.Series(dsp.FFT(NFFT, dtype=DT), pre),
                         output_layer=system.Series(post, dsp.iFFT(NFFT, dtype=DT)))
    config = adac.flamo_to_json(model, fs=FS)
    paths = [c.get("model_path") for c in config["graph"]["core"]["children"]]
    assert paths == ["model.input_layer.1", "model.core", "model.output_layer.0"]
    impulse = torch.zeros(1, NFFT, 1, dtype=DT)
    impulse[0, 0, 0] = 1
    with torch.no_grad():
        ref = model(impulse).double().numpy()[0][:, :, None]
    eng = adac.render_engine(config, NFFT)
    assert np.abs(ref).max() > 0.01
    assert error_db(ref, eng).max() <= -120
