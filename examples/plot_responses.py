"""Plots the impulse responses and energy decay curves of one model three ways:
FLAMO (the model rebuilt from the IR with json_to_flamo), the ADAC engine, and the
compiled FAUST (libfaust, in-process), and prints how far apart they are.

    .venv/bin/python examples/plot_responses.py MODEL.json MODEL.dsp -o responses.png
"""
import argparse
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import adac  # noqa: E402


def edc_db(h):
    energy = np.cumsum(h[::-1] ** 2)[::-1]
    return 10 * np.log10(np.maximum(energy / energy[0], 1e-300))


def err_db(ref, test):
    return 20 * np.log10(max(np.abs(test - ref).max(), 1e-300) / np.abs(ref).max())


def fft_length_for(config, floor_db=-150.0, longest=2**20):
    """The power of two (at least the model's own nfft) past which the response
    stays below floor_db re its peak, and whether that happens within `longest`."""
    h = adac.render_engine(config, longest)
    envelope = np.abs(h).max(axis=(1, 2))
    above = np.nonzero(envelope > envelope.max() * 10 ** (floor_db / 20))[0]
    last = int(above[-1]) + 1 if above.size else 1
    nfft = max(int(config.get("flamo", {}).get("nfft", 0)), 1 << (last - 1).bit_length(), 256)
    return min(nfft, longest), last < longest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("dsp")
    ap.add_argument("-o", "--output", default="responses.png")
    args = ap.parse_args()

    config = adac.to_dict(args.model)
    fs = int(config["fs"])
    # FLAMO's response is the inverse FFT of nfft frequency samples: circular, so
    # a response longer than nfft folds onto itself. nfft is chosen from the
    # model's own decay (the engine's response, to -150 dB re peak).
    nfft, decayed = fft_length_for(config)
    if not decayed:
        print(f"note: the model has not decayed by 150 dB within {nfft} samples; FLAMO's response is "
              "time-aliased there, and the engine-vs-FLAMO error measures that aliasing", file=sys.stderr)
    flamo = adac.flamo_impulse_response(adac.json_to_flamo(config, nfft=nfft), fs=fs)
    n = flamo.shape[0]
    engine = adac.render_engine(config, n)
    faust = adac.render_faust(Path(args.dsp).read_text(), n, fs=fs)
    print(f"{n} samples per path; worst error re peak: engine vs FLAMO {err_db(flamo, engine):.1f} dB, "
          f"FAUST vs engine {err_db(engine, faust):.1f} dB, FAUST vs FLAMO {err_db(flamo, faust):.1f} dB")

    t = np.arange(n) / fs
    show = min(n, int(0.12 * fs))
    fig, axes = plt.subplots(3, 1, figsize=(10, 10))
    o, i = 0, 0
    for name, h, style in (("FLAMO", flamo, "-"), ("engine", engine, "--"), ("FAUST", faust, ":")):
        axes[0].plot(t[:show] * 1000, h[:show, o, i], style, label=name, linewidth=1)
        axes[1].plot(t, edc_db(h[:, o, i]), style, label=name)
    axes[0].set(xlabel="time (ms)", ylabel="amplitude", title=f"{config['name']}: impulse response, input {i} -> output {o}")
    axes[1].set(xlabel="time (s)", ylabel="energy (dB)", title="energy decay curve", ylim=(-150, 5))
    diff_e = np.abs(engine[:, o, i] - flamo[:, o, i])
    diff_f = np.abs(faust[:, o, i] - flamo[:, o, i])
    peak = np.abs(flamo[:, o, i]).max()
    axes[2].plot(t, 20 * np.log10(np.maximum(diff_e / peak, 1e-300)), label="|engine - FLAMO|")
    axes[2].plot(t, 20 * np.log10(np.maximum(diff_f / peak, 1e-300)), label="|FAUST - FLAMO|", alpha=0.7)
    axes[2].axhline(-120, color="k", linestyle="--", linewidth=0.8, label="-120 dB (sample-exact)")
    axes[2].set(xlabel="time (s)", ylabel="dB re peak", title="error", ylim=(-330, 0))
    for ax in axes:
        ax.legend(loc="upper right")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    tmp = args.output + f".tmp-{os.getpid()}.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
