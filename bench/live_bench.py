"""The figures of docs/live.md, measured in one run:

    .venv/bin/python bench/live_bench.py [--out docs/live_bench.json]

1. What HotReload.update costs a training loop, for a 16-line float32 FLAMO FDN
   (extraction, IR, .dsp, certificate, atomic writes), median of 20 publishes.
2. Reload latency (file replaced -> first block computed by the new model) and
   render-time percentiles of `adac-run --watch --play --backend null`, 256-frame
   blocks, 16 lines, 10 same-shape reloads.
3. adac.process against pyFDN's own time-domain processing (pyFDN.process_dss,
   numpy) of the same design, 10 s of noise, N = 8, 16, 32, 64, one core.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import adac

FS = 48000
ROOT = Path(__file__).resolve().parents[1]


def design(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    delays = np.sort(rng.integers(500, 2500, n))
    g = 10 ** (-3 * delays / FS / 1.5)
    a = q * g[None, :]  # loop gains folded into the matrix: the same design in both tools
    b = rng.standard_normal((n, 1)) / np.sqrt(n)
    c = rng.standard_normal((1, n)) / np.sqrt(n)
    return a, b, c, np.zeros((1, 1)), delays


def update_cost(lines: int = 16, repeats: int = 20) -> dict:
    sys.path.insert(0, str(ROOT / "examples"))
    import torch
    import live_training

    model = live_training.build(live_training.line_lengths(lines))
    def median_ms(live) -> float:
        costs = []
        for _ in range(repeats):
            with torch.no_grad():
                next(model.parameters()).mul_(0.999)  # a training step: the model changed
            t0 = time.perf_counter()
            assert live.update(model)
            costs.append(1e3 * (time.perf_counter() - t0))
        return float(np.median(costs))

    with tempfile.TemporaryDirectory() as tmp:
        full = median_ms(adac.HotReload(fs=FS, path=Path(tmp) / "m.json", min_interval=0))
        plain = median_ms(adac.HotReload(fs=FS, path=Path(tmp) / "n.json", min_interval=0, faust=False))
    return {"lines": lines, "update_ms_median": round(full, 2), "update_ms_without_faust_median": round(plain, 2)}


def reload_latency(lines: int = 16, reloads: int = 10) -> dict:
    a, b, c, d, delays = design(lines)
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "m.json"
        adac.save(adac.dss_to_json(a, b, c, d, delays, fs=FS), model)
        run = subprocess.Popen([str(ROOT / ".venv" / "bin" / "adac-run"), str(model), "--play", "--backend", "null",
                                "--seconds", str(2 + reloads * 0.5), "--watch", "--stats"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1.0)
        for k in range(reloads):
            adac.save(adac.dss_to_json(a, b, c * (0.9 ** (k + 1)), d, delays, fs=FS), Path(tmp) / "next.json")
            (Path(tmp) / "next.json").replace(model)
            time.sleep(0.5)
        out, _ = run.communicate(timeout=60)
    lat = re.search(r"min ([\d.]+) ms, mean ([\d.]+) ms, max ([\d.]+) ms", out)
    st = re.search(r"render p50 ([\d.]+) us, p99 ([\d.]+) us, max ([\d.]+) us; (\d+) over budget; xruns (\d+)", out)
    return {"lines": lines, "block": 256, "reloads": out.count("reloaded "),
            "latency_ms": {"min": float(lat[1]), "mean": float(lat[2]), "max": float(lat[3])},
            "render_us": {"p50": float(st[1]), "p99": float(st[2]), "max": float(st[3])},
            "over_budget": int(st[4]), "xruns": int(st[5])}


def against_pyfdn(sizes=(8, 16, 32, 64), seconds: float = 10.0) -> list:
    import pyFDN

    x = np.random.default_rng(0).standard_normal(int(seconds * FS))
    rows = []
    for n in sizes:
        a, b, c, d, delays = design(n)
        cfg = adac.dss_to_json(a, b, c, d, delays, fs=FS)
        t0 = time.perf_counter()
        y_adac = adac.process(cfg, x, tail=0)[:, 0]
        t_adac = time.perf_counter() - t0
        t0 = time.perf_counter()
        y_py = np.asarray(pyFDN.process_dss(x, delays, a, b, c, d)).reshape(-1)
        t_py = time.perf_counter() - t0
        err = 20 * np.log10(np.abs(y_adac - y_py[: len(y_adac)]).max() / np.abs(y_py).max())
        rows.append({"N": n, "adac_s": round(t_adac, 3), "pyfdn_s": round(t_py, 2),
                     "speedup": round(t_py / t_adac, 1), "realtime_adac": round(seconds / t_adac, 1),
                     "difference_db": round(float(err), 1)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(ROOT / "docs" / "live_bench.json"))
    a = p.parse_args(argv)
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "unknown")
    report = {"cpu": cpu, "update": update_cost()}
    print(json.dumps(report["update"]), flush=True)
    report["reload"] = reload_latency()
    print(json.dumps(report["reload"]), flush=True)
    report["pyfdn"] = against_pyfdn()
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
