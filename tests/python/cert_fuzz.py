"""Random feedback networks for testing the stability certificate against ground
truth: by construction where it is known (triangular mixes), else a long engine
simulation. tests/python/test_certificate.py runs a subset; the full run,
`.venv/bin/python tests/python/cert_fuzz.py --count 10000 --jobs 2`, gives the
tables in docs/certificate.md."""
from __future__ import annotations

import sys
import time

import numpy as np

import adac

FAMILIES = ("fdn", "fdn_filtered", "nested", "parallel_branch", "non_normal", "triangular", "spectral_radius",
            "orthogonal_peaking")
MIN_SAMPLES = 96000
MAX_SAMPLES = 960000
WINDOWS = 32


def _orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _gain(m, **kw):
    return {"type": "gain", "params": {"matrix": np.asarray(m, float).tolist()}, **kw}


def _lines(samples):
    return {"type": "parallel_delay", "params": {"samples": [int(s) for s in samples]}}


def _biquads(rng, n, peak=(0.6, 1.2)):
    """One stable biquad per line: a resonant peak or a shelf, its peak magnitude
    drawn from `peak`."""
    sections = []
    for _ in range(n):
        r = rng.uniform(0.3, 0.97)
        theta = rng.uniform(0.05, 3.0)
        a1, a2 = -2 * r * np.cos(theta), r * r
        b = rng.standard_normal(3) * 0.3
        b[0] += 1.0
        # Scale so that the section's peak magnitude is drawn around 1.
        w = np.linspace(0, np.pi, 512)
        z = np.exp(-1j * w)
        h = np.abs((b[0] + b[1] * z + b[2] * z * z) / (1 + a1 * z + a2 * z * z))
        b *= rng.uniform(*peak) / h.max()
        sections.append([[*b, 1.0, a1, a2]])
    return {"type": "parallel_sos", "params": {"sections": sections}}


def _matrix(rng, n, kind, scale):
    if kind == "householder":
        u = rng.standard_normal(n)
        u /= np.linalg.norm(u)
        m = scale * (np.eye(n) - 2 * np.outer(u, u))
        return _gain(m) | {"params": {"matrix": m.tolist(),
                                      "structure": {"kind": "householder", "u": u.tolist(), "scale": scale}}}
    if kind == "hadamard" and n in (1, 2, 4):
        h = np.array([[(-1) ** bin(i & j).count("1") for j in range(n)] for i in range(n)], float)
        m = scale / np.sqrt(n) * h
        return {"type": "gain", "params": {"matrix": m.tolist(),
                                           "structure": {"kind": "hadamard", "scale": scale / np.sqrt(n)}}}
    if kind == "dense":
        m = rng.standard_normal((n, n))
        return _gain(scale * m / np.linalg.norm(m, 2))
    return _gain(scale * _orthogonal(rng, n))


def _peaking(rng, n, fs=48000):
    """One peaking biquad per line (RBJ cookbook), 0 to +6 dB at 50 Hz - 18 kHz."""
    sections = []
    for _ in range(n):
        gain_db = rng.uniform(0, 6)
        w0 = 2 * np.pi * np.exp(rng.uniform(np.log(50), np.log(18000))) / fs
        q = np.exp(rng.uniform(np.log(0.5), np.log(10)))
        big_a, alpha = 10 ** (gain_db / 40), np.sin(w0) / (2 * q)
        b = np.array([1 + alpha * big_a, -2 * np.cos(w0), 1 - alpha * big_a])
        a = np.array([1 + alpha / big_a, -2 * np.cos(w0), 1 - alpha / big_a])
        sections.append([[*(b / a[0]), 1.0, *(a[1:] / a[0])]])
    return {"type": "parallel_sos", "params": {"sections": sections}}


def _delays(rng, n, longest=3000):
    """Log-uniform over 1..longest samples: short and long lines alike."""
    return np.maximum(1, np.exp(rng.uniform(0, np.log(longest), n)).astype(int))


def random_model(rng: np.random.Generator, index: int = 0) -> tuple[dict, str, str | None]:
    """(model, family, ground truth from construction or None)."""
    family = FAMILIES[rng.integers(len(FAMILIES))]
    n = int(rng.integers(1, 17))
    delays = _delays(rng, n)
    scale = float(rng.uniform(0.8, 1.12))  # around and above unity
    kind = ("orthogonal", "householder", "hadamard", "dense")[rng.integers(4)]
    feedback = _matrix(rng, n, kind, scale)
    forward: list = [_lines(delays)]
    truth = None
    if family == "fdn_filtered":
        forward.append(_biquads(rng, n))
    elif family == "nested":
        # Each line carries a comb of its own: a loop inside the loop.
        inner = {"type": "recursion", "fF": _lines(_delays(rng, n, 300)),
                 "fB": {"type": "parallel_gain", "params": {"gains": rng.uniform(-0.9, 0.9, n).tolist()}}}
        forward.append(inner)
        feedback = _gain(np.asarray(feedback["params"]["matrix"]) * rng.uniform(0.2, 0.8))
    elif family == "parallel_branch":
        # The feedback splits: a matrix, plus a delayed, scaled copy of the lines.
        branch = {"type": "series", "children": [
            _lines(_delays(rng, n, 300)),
            {"type": "parallel_gain", "params": {"gains": rng.uniform(-0.4, 0.4, n).tolist()}}]}
        feedback = {"type": "parallel", "mode": "sum",
                    "children": [_gain(np.asarray(feedback["params"]["matrix"]) * rng.uniform(0.5, 0.9)), branch]}
    elif family == "non_normal":
        # Spectral radius below or near 1 with a norm well above it.
        t = np.triu(rng.standard_normal((n, n)) * rng.uniform(0.5, 2.0), 1)
        t += np.diag(rng.uniform(-1.05, 1.05, n))
        q = _orthogonal(rng, n)
        feedback = _gain(q @ t @ q.T)
    elif family == "triangular":
        # Triangular with couplings up to 3, permuted to hide it: det(I - T D(z)) is
        # the product of 1 - t_ii z^-m_i, so it decays for any delays exactly when
        # every |t_ii| < 1.
        diag = rng.uniform(0.2, 0.98, n) * rng.choice([-1, 1], n)
        if rng.random() < 0.3:
            diag[rng.integers(n)] = rng.choice([-1, 1]) * rng.uniform(1.01, 1.05)
        t = np.triu(rng.uniform(-3, 3, (n, n)), 1) + np.diag(diag)
        p = np.eye(n)[rng.permutation(n)]
        feedback = _gain(p @ t @ p.T)
        truth = "grows" if np.abs(diag).max() > 1 else "decays"
    elif family == "spectral_radius":
        m = rng.standard_normal((n, n))
        feedback = _gain(m * rng.uniform(0.6, 1.05) / np.abs(np.linalg.eigvals(m)).max())
    elif family == "orthogonal_peaking":
        forward.append(_peaking(rng, n))
        feedback = _gain(_orthogonal(rng, n) * rng.uniform(0.6, 0.9))
    loop = {"type": "recursion",
            "fF": forward[0] if len(forward) == 1 else {"type": "series", "children": forward},
            "fB": feedback}
    graph = {"type": "series", "children": [_gain(rng.standard_normal((n, 1))), loop,
                                            _gain(rng.standard_normal((1, n)))]}
    return ({"format": "adac-ir", "version": 1, "name": f"fuzz{index}_{family}", "fs": 48000, "graph": graph},
            family, truth)


def _longest_delay(node) -> int:
    own = max(node.get("params", {}).get("samples", [0]) or [0])
    kids = [node[k] for k in ("fF", "fB") if k in node] + node.get("children", [])
    return max([int(own)] + [_longest_delay(k) for k in kids])


def simulate(model: dict) -> str:
    """'grows', 'decays' or 'flat', from a long engine impulse response: 100 trips
    round the longest line at least (24 000 to 480 000 samples)."""
    n = int(min(MAX_SAMPLES, max(MIN_SAMPLES, 400 * _longest_delay(model["graph"]))))
    n -= n % WINDOWS
    h = adac.render_engine(model, n)[:, 0, 0]
    if not np.isfinite(h).all():
        return "grows"
    with np.errstate(over="ignore", invalid="ignore"):
        e = (h.reshape(WINDOWS, -1) ** 2).sum(axis=1)
    if not np.isfinite(e).all():
        return "grows"
    early = e[:WINDOWS // 8].max()
    if early == 0:
        return "decays"
    if e[-1] > 10 * early:
        return "grows"
    if e[-1] < 1e-6 * early:
        return "decays"
    return "flat"


def one(args):
    """Certify and simulate the network drawn for (seed, index)."""
    seed, index = args
    model, family, truth = random_model(np.random.default_rng([seed, index]), index)
    t0 = time.perf_counter()
    cert = adac.certify(model, precision="double")
    seconds = time.perf_counter() - t0
    lines = len(model["graph"]["children"][0]["params"]["matrix"])
    return family, truth or simulate(model), cert["verdict"], lines, seconds, truth is not None


def run(count: int, seed: int = 2026, jobs: int = 1):
    """[(family, ground truth, verdict, lines, seconds to certify, truth by construction)]."""
    tasks = [(seed, i) for i in range(count)]
    if jobs == 1:
        return [one(t) for t in tasks]
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(one, tasks, chunksize=8)


def report(rows) -> str:
    """Markdown tables of ground truth against verdict, overall and per family, and timings."""
    import collections
    verdicts = adac.VERDICTS
    lines = ["| truth | " + " | ".join(verdicts) + " | total |", "|---" * (len(verdicts) + 2) + "|"]
    table = collections.Counter((r[1], r[2]) for r in rows)
    for truth in ("decays", "flat", "grows"):
        counts = [table[(truth, v)] for v in verdicts]
        lines.append(f"| {truth} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    decays = [r for r in rows if r[1] == "decays"]
    left = sum(1 for r in decays if r[2] in ("indeterminate", "not-certified"))
    lines += ["", f"Truly stable (decaying) models left indeterminate or not-certified: {left} of "
              f"{len(decays)} ({100 * left / max(1, len(decays)):.2f} %).", "",
              "| family | models | decaying | certified | left undecided | growing | proven unstable | flat |",
              "|---|---|---|---|---|---|---|---|"]
    for fam in FAMILIES:
        rs = [r for r in rows if r[0] == fam]
        d = [r for r in rs if r[1] == "decays"]
        g = [r for r in rs if r[1] == "grows"]
        undecided = sum(r[2] in ("indeterminate", "not-certified") for r in d)
        lines.append(f"| {fam} | {len(rs)} | {len(d)} | {sum(r[2] == 'certified-stable' for r in d)} | "
                     f"{undecided} ({100 * undecided / max(1, len(d)):.1f} %) | {len(g)} | "
                     f"{sum(r[2] == 'unstable' for r in g)} | {sum(r[1] == 'flat' for r in rs)} |")
    t = np.array([r[4] for r in rows])
    lines += ["", f"Time to certify, N = 1..16 lines: median {1e3 * np.median(t):.2f} ms, "
              f"95th percentile {1e3 * np.percentile(t, 95):.1f} ms, worst {1e3 * t.max():.0f} ms "
              f"({len(rows)} networks)."]
    return "\n".join(lines)


def large_figures(seed: int = 7, sizes=(32, 64)) -> str:
    """Time to certify 32- and 64-line FDNs (delays 500-3000 samples) with a filter
    in every line: absorption that keeps every line below 1 (the small-gain bound
    decides), and peaking EQs of up to +6 dB after an orthogonal matrix times 0.9
    (only the Nyquist count can)."""
    rng = np.random.default_rng(seed)
    lines = ["| lines | filters | verdict | method | Nyquist steps | time to certify |", "|---|---|---|---|---|---|"]
    for n in sizes:
        delays = rng.integers(500, 3000, n)
        for name, forward_filter, feedback in (
                ("absorption biquads", _biquads(rng, n, (0.6, 0.98)), _gain(_orthogonal(rng, n) * 0.95)),
                ("peaking EQ, 0 to +6 dB", _peaking(rng, n), _gain(_orthogonal(rng, n) * 0.9))):
            loop = {"type": "recursion", "fF": {"type": "series", "children": [_lines(delays), forward_filter]},
                    "fB": feedback}
            graph = {"type": "series", "children": [_gain(rng.standard_normal((n, 1))), loop,
                                                    _gain(rng.standard_normal((1, n)))]}
            model = {"format": "adac-ir", "version": 1, "name": f"fdn{n}", "fs": 48000, "graph": graph}
            t0 = time.perf_counter()
            cert = adac.certify(model, precision="double")
            seconds = time.perf_counter() - t0
            loop_cert = cert["loops"][0]
            steps = loop_cert.get("nyquist", {}).get("steps", "-")
            lines.append(f"| {n} | {name} | {cert['verdict']} | {loop_cert['method']} | {steps} | "
                         f"{seconds:.2f} s |")
            print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="Certificate vs long engine simulation on random networks.")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    p.add_argument("--large", type=int, nargs="*", metavar="N",
                   help="only time N-line FDNs with filters (default sizes 32 64)")
    a = p.parse_args()
    if a.large is not None:
        print(large_figures(sizes=tuple(a.large) or (32, 64)))
    else:
        print(report(run(a.count, a.seed, a.jobs)))
