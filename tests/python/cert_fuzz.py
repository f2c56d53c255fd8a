"""Random feedback networks for testing the stability certificate against long
engine simulations (tests/python/test_certificate.py; examples/certificate_fuzz.py
turns the same run into the table in docs/certificate.md)."""
from __future__ import annotations

import numpy as np

import adac

FAMILIES = ("fdn", "fdn_filtered", "nested", "parallel_branch", "non_normal")
SIM_SAMPLES = 24000
WINDOW = 1000


def _orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _gain(m, **kw):
    return {"type": "gain", "params": {"matrix": np.asarray(m, float).tolist()}, **kw}


def _lines(samples):
    return {"type": "parallel_delay", "params": {"samples": [int(s) for s in samples]}}


def _biquads(rng, n):
    """One stable biquad per line: a resonant peak or a shelf, DC gain near 1."""
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
        b *= rng.uniform(0.6, 1.2) / h.max()
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


def random_model(rng: np.random.Generator, index: int = 0) -> tuple[dict, str]:
    family = FAMILIES[rng.integers(len(FAMILIES))]
    n = int(rng.integers(1, 7))
    delays = rng.integers(1, 40, n)
    scale = float(rng.uniform(0.8, 1.12))  # around and above unity
    kind = ("orthogonal", "householder", "hadamard", "dense")[rng.integers(4)]
    feedback = _matrix(rng, n, kind, scale)
    forward: list = [_lines(delays)]
    if family == "fdn_filtered":
        forward.append(_biquads(rng, n))
    elif family == "nested":
        # Each line carries a comb of its own: a loop inside the loop.
        inner = {"type": "recursion", "fF": _lines(rng.integers(1, 8, n)),
                 "fB": {"type": "parallel_gain", "params": {"gains": rng.uniform(-0.9, 0.9, n).tolist()}}}
        forward.append(inner)
        feedback = _gain(np.asarray(feedback["params"]["matrix"]) * rng.uniform(0.2, 0.8))
    elif family == "parallel_branch":
        # The feedback splits: a matrix, plus a delayed, scaled copy of the lines.
        branch = {"type": "series", "children": [
            _lines(rng.integers(1, 10, n)),
            {"type": "parallel_gain", "params": {"gains": rng.uniform(-0.4, 0.4, n).tolist()}}]}
        feedback = {"type": "parallel", "mode": "sum",
                    "children": [_gain(np.asarray(feedback["params"]["matrix"]) * rng.uniform(0.5, 0.9)), branch]}
    elif family == "non_normal":
        # Spectral radius below or near 1 with a norm well above it.
        t = np.triu(rng.standard_normal((n, n)) * rng.uniform(0.5, 2.0), 1)
        t += np.diag(rng.uniform(-1.05, 1.05, n))
        q = _orthogonal(rng, n)
        feedback = _gain(q @ t @ q.T)
    loop = {"type": "recursion",
            "fF": forward[0] if len(forward) == 1 else {"type": "series", "children": forward},
            "fB": feedback}
    graph = {"type": "series", "children": [_gain(rng.standard_normal((n, 1))), loop,
                                            _gain(rng.standard_normal((1, n)))]}
    return {"format": "adac-ir", "version": 1, "name": f"fuzz{index}_{family}", "fs": 48000,
            "graph": graph}, family


def simulate(model: dict) -> str:
    """'grows', 'decays' or 'flat', from a long engine impulse response."""
    h = adac.render_engine(model, SIM_SAMPLES)[:, 0, 0]
    if not np.isfinite(h).all():
        return "grows"
    with np.errstate(over="ignore", invalid="ignore"):
        e = (h.reshape(-1, WINDOW) ** 2).sum(axis=1)
    if not np.isfinite(e).all():
        return "grows"
    early = e[:4].max()
    if early == 0:
        return "decays"
    if e[-1] > 10 * early:
        return "grows"
    if e[-1] < 1e-6 * early:
        return "decays"
    return "flat"


def run(count: int, seed: int = 2026):
    """[(family, ground truth, verdict, certificate)] for `count` random models."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        model, family = random_model(rng, i)
        cert = adac.certify(model, precision="double")
        rows.append((family, simulate(model), cert["verdict"], cert))
    return rows


def report(rows) -> str:
    """Markdown tables of ground truth against verdict, overall and per family."""
    import collections
    verdicts = adac.VERDICTS
    lines = ["| simulation | " + " | ".join(verdicts) + " | total |", "|---" * (len(verdicts) + 2) + "|"]
    table = collections.Counter((t, v) for _, t, v, _ in rows)
    for truth in ("decays", "flat", "grows"):
        counts = [table[(truth, v)] for v in verdicts]
        lines.append(f"| {truth} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    decays = [r for r in rows if r[1] == "decays"]
    left = sum(1 for r in decays if r[2] in ("indeterminate", "not-certified"))
    lines += ["", f"Truly stable (decaying) models left indeterminate or not-certified: {left} of "
              f"{len(decays)} ({100 * left / max(1, len(decays)):.1f} %).", "",
              "| family | models | decaying | of those certified | growing | of those proven unstable |",
              "|---|---|---|---|---|---|"]
    for fam in FAMILIES:
        rs = [r for r in rows if r[0] == fam]
        d = [r for r in rs if r[1] == "decays"]
        g = [r for r in rs if r[1] == "grows"]
        lines.append(f"| {fam} | {len(rs)} | {len(d)} | {sum(r[2] == 'certified-stable' for r in d)} | "
                     f"{len(g)} | {sum(r[2] == 'unstable' for r in g)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="Certificate vs long engine simulation on random networks.")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--seed", type=int, default=2026)
    a = p.parse_args()
    print(report(run(a.count, a.seed)))
