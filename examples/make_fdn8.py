"""Builds the bundled example: an 8-line feedback delay network in FLAMO (float64),
the way a researcher would set one up before training, and extracts it to
examples/fdn8.json with adac.flamo_to_json.

    .venv/bin/python examples/make_fdn8.py
"""
from pathlib import Path

import numpy as np
import torch
from flamo.processor import dsp, system

import adac

FS = 48000
NFFT = 2**17  # long enough for the response to decay well below -120 dB
N = 8
T60 = 0.6  # seconds, at DC
kw = dict(nfft=NFFT, dtype=torch.float64, device="cpu")


def build():
    rng = np.random.default_rng(2026)
    samples = np.array([809, 877, 937, 1049, 1151, 1249, 1373, 1499])

    delays = dsp.parallelDelay(size=(N,), max_len=2000, isint=True, **kw)
    with torch.no_grad():
        delays.assign_value(delays.sample2s(torch.tensor(samples, dtype=torch.float64)))

    # Per-line absorption: a first-order low-pass section whose DC gain gives every
    # line the same decay rate (T60), and more damping at high frequencies.
    g = 10 ** (-3 * samples / (FS * T60))
    pole = 0.25
    sos = np.zeros((1, 6, N))
    sos[0, 0] = g * (1 - pole)
    sos[0, 3] = 1.0
    sos[0, 4] = -pole
    absorption = dsp.parallelSOSFilter(size=(N,), n_sections=1, **kw)
    with torch.no_grad():
        absorption.assign_value(torch.tensor(sos))

    feedback = dsp.Matrix(size=(N, N), matrix_type="orthogonal", **kw)
    input_gain = dsp.Gain(size=(N, 1), **kw)
    output_gain = dsp.Gain(size=(1, N), **kw)
    with torch.no_grad():
        feedback.assign_value(torch.tensor(rng.standard_normal((N, N))))
        input_gain.assign_value(torch.tensor(rng.standard_normal((N, 1)) / np.sqrt(N)))
        output_gain.assign_value(torch.tensor(rng.standard_normal((1, N)) / np.sqrt(N)))

    fdn = system.Series(
        input_gain,
        system.Recursion(fF=system.Series(delays, absorption), fB=feedback),
        output_gain,
    )
    return system.Shell(core=fdn, input_layer=dsp.FFT(NFFT, dtype=torch.float64),
                        output_layer=dsp.iFFT(NFFT, dtype=torch.float64))


if __name__ == "__main__":
    out = Path(__file__).with_name("fdn8.json")
    adac.save(adac.flamo_to_json(build(), fs=FS, name="FDN8"), out)
    print(f"wrote {out}")
