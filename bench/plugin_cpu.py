"""CPU per block in a host: the same FDNs exported with the FAUST back end and
with the engine back end, loaded as VST3 in pedalboard, timed in one run.

    .venv/bin/python bench/plugin_cpu.py [--sizes 8,16,32,64] [--out docs/plugin_cpu.json]

Each model: N delay lines of 500-2500 samples, a random orthogonal feedback
matrix, a one-section absorption filter per line (a first-order low shelf as a
biquad, set for T60 = 2 s at DC and 1 s at Nyquist), stereo in and out. Each
plugin processes 20 s of noise at 48 kHz in 256-sample blocks, three times; the
fastest run is reported as microseconds per block and as a share of the block's
real-time budget (5.33 ms). Build times of every export are reported too (the
first export of a machine fills the JUCE build cache).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import adac

FS = 48000
BLOCK = 256


def fdn(n: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    delays = np.sort(rng.integers(500, 2500, n))
    sos = np.zeros((1, 6, n))
    for i, m in enumerate(delays):
        g_dc = 10 ** (-3 * m / FS / 2.0)      # T60 2 s at DC
        g_ny = 10 ** (-3 * m / FS / 1.0)      # T60 1 s at Nyquist
        # one pole, one zero: H(1) = g_dc, H(-1) = g_ny
        p = 0.3
        b0 = (g_dc * (1 - p) + g_ny * (1 + p)) / 2
        b1 = (g_dc * (1 - p) - g_ny * (1 + p)) / 2
        sos[0, :, i] = [b0, b1, 0.0, 1.0, -p, 0.0]
    b = rng.standard_normal((n, 2)) / np.sqrt(n)
    c = rng.standard_normal((2, n)) / np.sqrt(n)
    return adac.dss_to_json(q, b, c, np.zeros((2, 2)), delays, fs=FS, name=f"CPU FDN {n}", absorption=sos)


def time_plugin(path: str, seconds: float = 20.0) -> float:
    import pedalboard

    plugin = pedalboard.load_plugin(path)
    x = np.random.default_rng(0).standard_normal((2, int(seconds * FS))).astype(np.float32) * 0.1
    plugin.process(x[:, :FS], FS, buffer_size=BLOCK, reset=True)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        plugin.process(x, FS, buffer_size=BLOCK, reset=True)
        best = min(best, time.perf_counter() - t0)
    return best / (x.shape[1] / BLOCK) * 1e6


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="8,16,32,64")
    p.add_argument("--out", default="docs/plugin_cpu.json")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            cfg = fdn(n)
            row = {"N": n}
            for backend in ("faust", "engine"):
                t0 = time.monotonic()
                # The table in docs/plugins.md: FAUST single against the engine in double.
                r = adac.export_plugin(cfg, Path(tmp) / f"{backend}{n}", name=f"CPU FDN {n} {backend}",
                                       formats=("vst3",), backend=backend, install=False,
                                       precision="single" if backend == "faust" else "double",
                                       controls={"dry_wet": True}, log=lambda m: None)
                row[f"{backend}_build_s"] = round(time.monotonic() - t0, 1)
                row[f"{backend}_us_per_block"] = round(time_plugin(r["vst3"]), 2)
            row["engine_speedup"] = round(row["faust_us_per_block"] / row["engine_us_per_block"], 2)
            rows.append(row)
            print(json.dumps(row), flush=True)
    budget = BLOCK / FS * 1e6
    print(f"\nCPU: {cpu_name()}; host: pedalboard {__import__('pedalboard').__version__}, "
          f"{BLOCK}-sample blocks at {FS} Hz (budget {budget:.0f} us)\n")
    print("| N | FAUST (single, AOT) us/block | engine (double) us/block | engine speed-up | "
          "build FAUST s | build engine s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['N']} | {r['faust_us_per_block']} ({100 * r['faust_us_per_block'] / budget:.1f} %) | "
              f"{r['engine_us_per_block']} ({100 * r['engine_us_per_block'] / budget:.1f} %) | "
              f"{r['engine_speedup']}x | {r['faust_build_s']} | {r['engine_build_s']} |")
    Path(a.out).write_text(json.dumps({"cpu": cpu_name(), "block": BLOCK, "fs": FS, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
