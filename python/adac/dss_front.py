"""Numpy front end: an FDN given as a delay state-space (DSS) system, the form
pyFDN uses, straight to the ADAC IR. No torch needed.

    y(n) = post_output( C s(n) ) + D x(n)
    s    = post_delay( delays( B x + post_matrix( A s ) ) )
"""
from __future__ import annotations

import math

import numpy as np

from .ir import validate


def _matrix(name, value, shape=None):
    a = np.asarray(value, dtype=float)
    if a.ndim == 1 and shape is not None and shape[1] == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D matrix, got shape {a.shape}"
                         + (" (FIR feedback matrices are not supported yet)" if name == "A" and a.ndim == 3 else ""))
    if shape is not None and a.shape != shape:
        raise ValueError(f"{name}: shape {a.shape}, expected {shape}")
    bad = ~np.isfinite(a)
    if bad.any():
        raise ValueError(f"{name}: non-finite value at {tuple(int(i) for i in np.argwhere(bad)[0])}")
    return a


def _sos_bank(name, value, channels):
    """pyFDN/FLAMO SOS bank (sections, 6, channels) -> IR parallel_sos node."""
    s = np.asarray(value, dtype=float)
    if s.ndim == 2:
        s = s[None]
    if s.ndim != 3 or s.shape[1] != 6 or s.shape[2] != channels:
        raise ValueError(f"{name}: expected an SOS bank of shape (sections, 6, {channels}), got {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError(f"{name}: non-finite coefficient")
    return {"type": "parallel_sos", "model_path": name,
            "params": {"sections": np.transpose(s, (2, 0, 1)).tolist()}}


def dss_to_json(A, B, C, D, delays, fs: float, name: str = "adac_model", *,
                absorption=None, feedback_filter=None, output_filter=None,
                fractional_order: int = 9) -> dict:
    """IR document for an FDN in delay state-space form (pyFDN's), without torch.

    Args:
        A: the feedback matrix, N x N.
        B: input gains, N x inputs.
        C: output gains, outputs x N.
        D: direct gains, outputs x inputs.
        delays: the N delays in samples (fractional allowed).
        fs: the sample rate in Hz.
        name: the model's name.
        absorption: an SOS bank (sections, 6, N) after the delays (pyFDN's
            post_delay), or None.
        feedback_filter: an SOS bank (sections, 6, N) after A (post_matrix), or None.
        output_filter: an SOS bank (sections, 6, outputs) after C (post_output), or None.
        fractional_order: the Lagrange order of fractional delays (1 to 31).

    Returns the IR as a dict, validated by the C core."""
    if not (isinstance(fs, (int, float)) and math.isfinite(fs) and fs > 0):
        raise ValueError(f"fs must be a positive sample rate, got {fs!r}")
    d = np.asarray(delays, dtype=float).reshape(-1)
    n = d.size
    A = _matrix("A", A, (n, n))
    B = _matrix("B", B)
    if B.shape[0] != n:
        raise ValueError(f"B: shape {B.shape}, expected ({n}, inputs)")
    C = _matrix("C", C)
    if C.ndim == 2 and C.shape[1] != n and C.shape[0] == n and C.shape[1] == 1:
        C = C.T
    if C.shape[1] != n:
        raise ValueError(f"C: shape {C.shape}, expected (outputs, {n})")
    D = _matrix("D", D, (C.shape[0], B.shape[1]))

    delay_params = {"samples": d.tolist()}
    if not np.allclose(d, np.round(d), rtol=0, atol=1e-9):
        delay_params["interpolation"] = {"method": "lagrange", "order": fractional_order}
    else:
        delay_params["samples"] = np.round(d).astype(np.int64).tolist()
    loop_ff = [{"type": "parallel_delay", "model_path": "delays", "params": delay_params}]
    if absorption is not None:
        loop_ff.append(_sos_bank("absorption", absorption, n))
    loop_fb = [{"type": "gain", "model_path": "A", "params": {"matrix": A.tolist()}}]
    if feedback_filter is not None:
        loop_fb.append(_sos_bank("feedback_filter", feedback_filter, n))
    wet = [
        {"type": "gain", "model_path": "B", "params": {"matrix": B.tolist()}},
        {"type": "recursion", "model_path": "loop",
         "fF": {"type": "series", "children": loop_ff},
         "fB": {"type": "series", "children": loop_fb}},
        {"type": "gain", "model_path": "C", "params": {"matrix": C.tolist()}},
    ]
    if output_filter is not None:
        wet.append(_sos_bank("output_filter", output_filter, C.shape[0]))
    doc = {
        "format": "adac-ir", "version": 1, "name": name, "fs": fs,
        "graph": {"type": "parallel", "mode": "sum", "children": [
            {"type": "series", "children": wet},
            {"type": "gain", "model_path": "D", "params": {"matrix": D.tolist()}},
        ]},
    }
    validate(doc)
    return doc
