"""Reverberation time by Schroeder backward integration, and the check that the
rt60 macro-control does what its slider says (`python -m adac.rt60`)."""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from .dss_front import dss_to_json
from .ir import json_to_faust, render_engine, render_faust

TRACKING_DELAYS = (397, 449, 503, 557, 601, 653, 709, 761, 811, 857, 907, 953, 1009, 1051, 1103, 1153)


def energy_decay_db(h: np.ndarray) -> np.ndarray:
    """Schroeder's energy decay curve in dB, 0 at the start; h is (n,) or (n, k)
    (k responses: their energies are summed, a spatial average)."""
    h = np.asarray(h, float)
    power = h ** 2 if h.ndim == 1 else (h.reshape(len(h), -1) ** 2).sum(axis=1)
    e = np.cumsum(power[::-1])[::-1]
    with np.errstate(divide="ignore"):
        return 10 * np.log10(e / e[0])


def schroeder_t60(h: np.ndarray, fs: float, start_db: float = -5.0, stop_db: float = -35.0) -> float:
    """T60 in seconds from a least-squares line through the decay curve between
    start_db and stop_db (T30 by default), extrapolated to -60 dB."""
    edc = energy_decay_db(h)
    idx = np.nonzero((edc <= start_db) & (edc >= stop_db))[0]
    if len(idx) < 2 or edc[-1] > stop_db:
        raise ValueError(f"the response does not decay from {start_db} to {stop_db} dB; render it longer")
    slope = np.polyfit(idx / fs, edc[idx], 1)[0]
    return -60.0 / slope


def octave_band(h: np.ndarray, fs: float, centre: float = 1000.0) -> np.ndarray:
    """h (n,) or (n, k) filtered to about an octave around `centre`: a smooth
    band-pass (Gaussian in log frequency, 0.4 octave standard deviation, zero
    phase) applied to h padded to twice its length, so that nothing wraps."""
    h = np.asarray(h, float)
    n = h.shape[0]
    spectrum = np.fft.rfft(h, n=2 * n, axis=0)
    f = np.fft.rfftfreq(2 * n, 1 / fs)
    with np.errstate(divide="ignore"):
        octaves = np.log2(np.maximum(f, 1e-9) / centre)
    mask = np.exp(-0.5 * (octaves / 0.4) ** 2)
    spectrum *= mask.reshape(-1, *([1] * (h.ndim - 1)))
    return np.fft.irfft(spectrum, n=2 * n, axis=0)[:n]


def mid_band_t60(h: np.ndarray, fs: float) -> float:
    """T60 in the 1 kHz octave, the band the rt60 control's decay mode sets."""
    return schroeder_t60(octave_band(h, fs), fs)


def tracking_model(fs: float = 48000, seed: int = 7, lossy: bool = False) -> dict:
    """A 16-line FDN (random orthogonal feedback), one input, four outputs.
    Lossless: no absorption, the decay is the rt60 control's alone. Lossy: a
    one-pole lowpass per line, 1.2 s at DC and faster towards Nyquist (about
    1.0 s mid-band), the kind of frequency-dependent decay a trained model has."""
    rng = np.random.default_rng(seed)
    n = len(TRACKING_DELAYS)
    a, r = np.linalg.qr(rng.standard_normal((n, n)))
    a *= np.sign(np.diag(r))
    b = rng.standard_normal((n, 1)) / np.sqrt(n)
    c = rng.standard_normal((4, n)) / np.sqrt(n)
    absorption = None
    if lossy:
        pole = 0.3
        g = 10 ** (-3 * np.asarray(TRACKING_DELAYS, float) / (fs * 1.2))
        absorption = np.zeros((1, 6, n))
        absorption[0, 0], absorption[0, 3], absorption[0, 4] = g * (1 - pole), 1.0, -pole
    return dss_to_json(a, b, c, np.zeros((4, 1)), list(TRACKING_DELAYS), fs,
                       name="rt60_tracking_lossy" if lossy else "rt60_tracking", absorption=absorption)


def measure_tracking(positions=(0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0), fs: float = 48000,
                     lossy: bool = False, mode: str = "decay") -> list[dict]:
    """For each slider position: T60 measured on the engine's and on the compiled
    FAUST's impulse responses (energy summed over the four outputs), the slider
    resting at that position (its init), on the lossless or the lossy model in
    the given rt60 mode ("decay" or "homogeneous")."""
    config = tracking_model(fs, lossy=lossy)
    rows = []
    for t in positions:
        controls = {"rt60": {"init": t, "min": 0.1, "mode": mode}}  # max: the default, or where decay mode stops
        code = json_to_faust(config, controls=controls)
        # Down to -60 dB, so that cutting the response short bends the decay curve
        # by less than 0.02 dB where the fit ends (-35 dB).
        n = int(fs * (t + 0.3))
        eng = render_engine(config, n, controls=controls)
        fst = render_faust(code, n, fs=int(fs))
        # Heard: broadband on the lossless model (one decay at every frequency), in
        # the 1 kHz octave on the lossy one (its decay differs across bands).
        t60 = mid_band_t60 if lossy else schroeder_t60
        rows.append({"model": "lossy" if lossy else "lossless", "mode": mode, "set": t,
                     "measured": "1 kHz octave" if lossy else "broadband",
                     "engine": t60(eng, fs), "faust": t60(fst, fs)})
    return rows


SERIES = ((False, "decay"), (True, "decay"), (True, "homogeneous"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m adac.rt60",
                                description="Measure the rt60 control: T60 by Schroeder backward integration "
                                            "on engine and FAUST output against the slider position.")
    p.add_argument("--json", help="write the measurements as JSON")
    p.add_argument("--plot", help="write a plot of set vs measured T60 (PNG)")
    p.add_argument("--positions", help="comma-separated slider positions in seconds")
    args = p.parse_args(argv)
    positions = [float(x) for x in args.positions.split(",")] if args.positions else None
    rows = []
    for lossy, mode in SERIES:
        rows += measure_tracking(positions, lossy=lossy, mode=mode) if positions else \
            measure_tracking(lossy=lossy, mode=mode)
    print(f"{'model':>8} {'mode':>12} {'set (s)':>8} {'engine (s)':>11} {'err':>7} {'FAUST (s)':>10} {'err':>7}")
    for r in rows:
        print(f"{r['model']:>8} {r['mode']:>12} {r['set']:8.2f} {r['engine']:11.3f} "
              f"{100 * (r['engine'] / r['set'] - 1):+6.2f}% {r['faust']:10.3f} {100 * (r['faust'] / r['set'] - 1):+6.2f}%")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        s = np.array([r["set"] for r in rows])
        fig, ax = plt.subplots(figsize=(6, 4.5))
        ax.fill_between([s.min() * 0.9, s.max() * 1.1], [s.min() * 0.9 * 0.95, s.max() * 1.1 * 0.95],
                        [s.min() * 0.9 * 1.05, s.max() * 1.1 * 1.05], color="0.9", label="±5 %")
        for (lossy, mode), marker in zip(SERIES, ("o", "s", "^")):
            part = [r for r in rows if r["mode"] == mode and (r["model"] == "lossy") == lossy]
            label = f"{'lossy (own mid-band T60 1.09 s)' if lossy else 'lossless'}, {mode}"
            ax.plot([r["set"] for r in part], [r["engine"] for r in part], marker, mfc="none", label=label + ": engine")
            ax.plot([r["set"] for r in part], [r["faust"] for r in part], "x", color="k", ms=4)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rt60 slider (s)")
        ax.set_ylabel("heard T60 (s), Schroeder T30\n(lossy: 1 kHz octave)")
        ax.set_title("rt60 control, 16-line FDN (x: FAUST)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
