"""Hear an FDN while it trains: a small FLAMO FDN (float32, FLAMO's default) is
optimised towards a colourless response (a flat magnitude response), and every
step is published with adac.HotReload for a listener that reloads it.

    .venv/bin/python examples/live_training.py --play             # adac-run --watch plays it
    .venv/bin/python examples/live_training.py --out heard.wav    # what a listener heard, to a file

With --out the listener is an adac.Engine in this process: after each publish it
loads the new model (the same shape keeps the reverb ringing) and plays the next
stretch of the input, a click every 0.25 s. --reshape-at K changes the delay
lengths at step K, a change of shape, which crossfades. At the end the input
falls silent until the reverb has died away, then one last click: what follows
is the final model's impulse response. --report writes what happened per step.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from flamo.processor import dsp, system

import adac

FS = 48000
NFFT = 2**14
T60 = 0.4


def line_lengths(n: int) -> list[int]:
    """n delay lengths from 500 to 1500 samples, odd, all different."""
    return [int(v) | 1 for v in np.round(np.geomspace(500, 1500, n))]


def build(delays) -> system.Shell:
    N = len(delays)
    kw = dict(nfft=NFFT, device="cpu")  # FLAMO's default dtype: float32
    rng = np.random.default_rng(3)
    delay = dsp.parallelDelay(size=(N,), max_len=2000, isint=True, requires_grad=False, **kw)
    attenuation = dsp.parallelGain(size=(N,), requires_grad=False, **kw)
    feedback = dsp.Matrix(size=(N, N), matrix_type="orthogonal", requires_grad=True, **kw)
    b = dsp.Gain(size=(N, 1), requires_grad=True, **kw)
    c = dsp.Gain(size=(1, N), requires_grad=True, **kw)
    with torch.no_grad():
        feedback.assign_value(torch.tensor(rng.standard_normal((N, N)), dtype=torch.float32))
        b.assign_value(torch.tensor(rng.standard_normal((N, 1)) / np.sqrt(N), dtype=torch.float32))
        c.assign_value(torch.tensor(rng.standard_normal((1, N)) / np.sqrt(N), dtype=torch.float32))
    core = system.Series(b, system.Recursion(fF=system.Series(delay, attenuation), fB=feedback), c)
    model = system.Shell(core=core, input_layer=dsp.FFT(NFFT), output_layer=dsp.iFFT(NFFT))
    set_lines(model, delays)
    return model


def set_lines(model, delays) -> None:
    """Delay lengths (samples) and the gains that give every line the decay T60."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, dsp.parallelDelay):
                m.assign_value(m.sample2s(torch.tensor(delays, dtype=torch.float32)))
            elif isinstance(m, dsp.parallelGain):
                m.assign_value(torch.tensor(10 ** (-3 * np.asarray(delays) / (FS * T60)), dtype=torch.float32))


def colour(model) -> torch.Tensor:
    """How far the magnitude response is from flat: the variance of its dB values."""
    x = torch.zeros(1, NFFT, 1)
    x[:, 0, :] = 1.0
    h = model(x)[0, :, 0]
    mag_db = 20 * torch.log10(torch.abs(torch.fft.rfft(h)) + 1e-6)
    return torch.var(mag_db)


def clicks(seconds: float, every: float = 0.25) -> np.ndarray:
    x = np.zeros((round(seconds * FS), 1))
    x[:: round(every * FS)] = 0.5
    return x


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--lines", type=int, default=6, help="delay lines of the FDN")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--reshape-at", type=int, default=0, help="change the delay lengths at this step")
    p.add_argument("--play", action="store_true", help="play it (adac-run --play --watch)")
    p.add_argument("--out", help="write what the listener heard (an in-process engine)")
    p.add_argument("--report", help="write a JSON report of every step")
    p.add_argument("--dir", help="where to publish (default: a temporary folder)")
    a = p.parse_args(argv)
    if not a.play and not a.out:
        p.error("give --play or --out FILE")

    folder = Path(a.dir or tempfile.mkdtemp(prefix="adac-live-"))
    live = adac.HotReload(fs=FS, name="live FDN", path=folder / "live.json", min_interval=0.0)
    delays = line_lengths(a.lines)
    model = build(delays)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    live.update(model, force=True)

    player = engine = None
    heard, report = [], []
    if a.play:
        player = subprocess.Popen([shutil.which("adac-run") or "adac-run", str(live.path), "--play", "--watch"],
                                  stdin=subprocess.DEVNULL)
    if a.out:
        engine = adac.Engine(live.path, block=256, fade=0.05)
        heard.append(engine.process(clicks(0.25)))
    for step in range(1, a.steps + 1):
        if step == a.reshape_at:
            reshaped = build(delays)
            reshaped.load_state_dict(model.state_dict())
            set_lines(reshaped, [d + 11 for d in delays])
            model, opt = reshaped, torch.optim.Adam(reshaped.parameters(), lr=a.lr)
        opt.zero_grad()
        loss = colour(model)
        loss.backward()
        opt.step()
        t0 = time.perf_counter()
        published = live.update(model)
        cost_ms = 1e3 * (time.perf_counter() - t0)
        entry = {"step": step, "loss": float(loss.detach()), "published": published, "update_ms": round(cost_ms, 2)}
        if engine is not None and published:
            entry["reload"] = engine.load(live.path)
            heard.append(engine.process(clicks(0.25)))
        report.append(entry)
        print(f"step {step}: colour {entry['loss']:.2f} dB^2, published {published} ({cost_ms:.1f} ms)"
              + (f", {entry['reload']}" if "reload" in entry else ""), flush=True)
        if player is not None:
            time.sleep(0.3)
    if engine is not None:
        # silence until the reverb has died away, then one click: the final model's response
        heard.append(engine.process(np.zeros((round(3 * FS), 1))))
        final = np.zeros((FS, 1))
        final[0] = 1.0
        heard.append(engine.process(final))
        engine.close()
        import soundfile as sf

        sf.write(a.out, np.concatenate(heard), FS, subtype="FLOAT")
        print(f"wrote {a.out}")
    if player is not None:
        time.sleep(1.0)
        player.terminate()
        player.wait()
    if a.report:
        Path(a.report).write_text(json.dumps({"published": str(live.path), "steps": report}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
