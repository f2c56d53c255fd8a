"""Measures the fractional-delay error of the engine's Lagrange interpolation
against FLAMO's ideal delay exp(-j w D), for each order and band, worst over 200
fractional parts. The impulse responses come from the C engine itself.

    .venv/bin/python examples/fractional_delay_table.py
"""
import numpy as np

import adac

FS = 48000
NFFT = 4096
ORDERS = (1, 3, 5, 7, 9, 11, 13)
BANDS = (("fs/8", 1 / 8), ("fs/6", 1 / 6), ("fs/4", 1 / 4), ("fs/3", 1 / 3))


def worst_error_db(order, fractions):
    w = 2 * np.pi * np.arange(NFFT // 2 + 1) / NFFT
    responses = []
    for d in 100 + fractions:
        doc = {"format": "adac-ir", "version": 1, "fs": FS,
               "graph": {"type": "parallel_delay", "params": {
                   "samples": [float(d)],
                   "interpolation": {"method": "lagrange", "order": order}}}}
        H = np.fft.rfft(adac.render_engine(doc, NFFT)[:, 0, 0])
        responses.append(np.abs(H - np.exp(-1j * w * d)))
    err = np.max(responses, axis=0)  # worst over the fractional parts, per bin
    out = {}
    for label, band in BANDS:
        out[label] = 20 * np.log10(err[w <= 2 * np.pi * band].max())
    return out


def main():
    fractions = (np.arange(200) + 0.5) / 200
    print("| order | " + " | ".join(f"up to {b}" for b, _ in BANDS) + " |")
    print("|---|" + "---|" * len(BANDS))
    for order in ORDERS:
        row = worst_error_db(order, fractions)
        print(f"| {order} | " + " | ".join(f"{row[b]:.1f} dB" for b, _ in BANDS) + " |")


if __name__ == "__main__":
    main()
