"""FLAMO -> ADAC IR. Walking a FLAMO graph needs Python (and torch); everything
after the IR lives in C. Leaf values are taken through each module's own map, so
the IR holds what FLAMO applies; raw weights and constructor arguments travel in
each leaf's "flamo" block for json_to_flamo."""
from __future__ import annotations

import math

import numpy as np

from ._lib import IR_VERSION


class UnsupportedModuleError(TypeError):
    """A module ADAC cannot compile; the message names its class and path."""


def _torch():
    try:
        import torch
        from flamo.processor import dsp, system
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "adac.flamo_to_json needs flamo and torch: pip install -e '.[full]'") from exc
    return torch, dsp, system


def _np(t) -> np.ndarray:
    t = t.detach().cpu()
    if t.is_complex():
        imag = t.imag.abs().max().item() if t.numel() else 0.0
        if imag > 0:
            raise ValueError("complex-valued parameter with a non-zero imaginary part")
        t = t.real
    return t.double().numpy()


def _check_finite(values: np.ndarray, where: str, what: str):
    bad = ~np.isfinite(values)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}: {what} has a non-finite value ({values[idx]}) at index {idx}; "
                         "fix or retrain the model before compiling")


def _dtype_name(t) -> str:
    return str(t).replace("torch.", "")


class _Walker:
    def __init__(self, fs: float, fs_mismatch: str, fractional_order: int):
        self.torch, self.dsp, self.system = _torch()
        self.fs = fs
        if fs_mismatch not in ("error", "keep_samples", "keep_seconds"):
            raise ValueError("fs_mismatch must be 'error', 'keep_samples' or 'keep_seconds'")
        self.fs_mismatch = fs_mismatch
        if not (isinstance(fractional_order, int) and 1 <= fractional_order <= 31):
            raise ValueError("fractional_order must be an integer from 1 to 31")
        self.fractional_order = fractional_order
        self.nfft = None
        self.dtype = None

    # -- composites ---------------------------------------------------------
    def node(self, m, path: str) -> dict:
        torch, dsp, system = self.torch, self.dsp, self.system
        if self.nfft is None and getattr(m, "nfft", None) is not None:
            self.nfft = int(m.nfft)
        if isinstance(m, system.Shell):
            return self.shell(m, path)
        if isinstance(m, system.Recursion):
            return {"type": "recursion", "model_path": path,
                    "fF": self.node(m.feedforward, f"{path}.feedforward"),
                    "fB": self.node(m.feedback, f"{path}.feedback")}
        if isinstance(m, system.Parallel):
            return {"type": "parallel", "model_path": path,
                    "mode": "sum" if m.sum_output else "concat",
                    "children": [self.node(m.branchA, f"{path}.branchA"),
                                 self.node(m.branchB, f"{path}.branchB")]}
        if isinstance(m, torch.nn.Sequential):
            children = [self.node(c, f"{path}.{name}") for name, c in m.named_children()
                        if not isinstance(c, torch.nn.Identity)]
            if not children:
                raise UnsupportedModuleError(f"{path}: empty Series (no processing modules)")
            return {"type": "series", "model_path": path, "children": children}
        return self.leaf(m, path)

    def shell(self, m, path: str) -> dict:
        parts, layers = [], {}
        for role, layer in (("input_layer", m.get_inputLayer()), ("core", m.get_core()),
                            ("output_layer", m.get_outputLayer())):
            if role == "core":
                parts.append(self.node(layer, f"{path}.core"))
            elif self._is_domain_layer(layer):
                layers[role] = type(layer).__name__
            elif isinstance(layer, self.torch.nn.Sequential):
                # e.g. Series(FFT, Gain): keep the processing, drop the domain changes
                for name, child in layer.named_children():
                    if not self._is_domain_layer(child):
                        parts.append(self.node(child, f"{path}.{role}.{name}"))
            else:
                parts.append(self.node(layer, f"{path}.{role}"))
        core = parts[0] if len(parts) == 1 else {"type": "series", "children": parts}
        return {"type": "shell", "model_path": path, "core": core, "flamo": {"layers": layers}}

    def _is_domain_layer(self, layer) -> bool:
        """FFT/iFFT layers (with or without the anti-aliasing envelope) change domain,
        they do not process: the time-domain system does not contain them."""
        dsp = self.dsp
        return isinstance(layer, (self.torch.nn.Identity, dsp.FFT, dsp.iFFT, dsp.FFTAntiAlias,
                                  dsp.iFFTAntiAlias))

    # -- leaves -------------------------------------------------------------
    def leaf(self, m, path: str) -> dict:
        dsp = self.dsp
        cls = type(m).__name__
        # Exact classes only: subclasses (e.g. in flamo.auxiliary.reverb) bring their
        # own maps, which this version does not know how to read.
        handlers = {
            dsp.Gain: self.gain, dsp.parallelGain: self.parallel_gain, dsp.Matrix: self.gain,
            dsp.HouseholderMatrix: self.householder, dsp.Delay: self.delay,
            dsp.parallelDelay: self.delay, dsp.SOSFilter: self.sos,
            dsp.parallelSOSFilter: self.sos,
        }
        handler = handlers.get(type(m))
        if handler is None:
            raise UnsupportedModuleError(
                f"{path}: module {cls} is not supported by this version of ADAC "
                "(supported: Gain, parallelGain, Matrix, HouseholderMatrix, Delay, "
                "parallelDelay, SOSFilter, parallelSOSFilter, inside Shell/Series/Parallel/"
                "Recursion)")
        if self.dtype is None:
            self.dtype = _dtype_name(m.param.dtype)
        torch = self.torch
        with torch.no_grad():
            node = handler(m, path)
        node["module"] = cls
        node["model_path"] = path
        raw = _np(m.param)
        _check_finite(raw, path, "the raw parameter")
        node["flamo"] = {"class": cls, "args": self._args(m), "param": raw.tolist(),
                         "requires_grad": bool(m.param.requires_grad)}
        return node

    def _args(self, m) -> dict:
        dsp = self.dsp
        args = {"nfft": int(m.nfft), "alias_decay_db": float(m.alias_decay_db),
                "dtype": _dtype_name(m.param.dtype)}
        size = tuple(m.param.shape)
        if isinstance(m, dsp.HouseholderMatrix):
            args["size"] = [size[0], size[0]]
        elif isinstance(m, dsp.SOSFilter):
            args["size"] = list(size[2:])
            args["n_sections"] = size[0]
            args["fs"] = int(m.fs)
            args["normalize_a0"] = bool(m.normalize_a0)
        else:
            args["size"] = list(size)
        if isinstance(m, dsp.Matrix):
            args["matrix_type"] = m.matrix_type
            args["iter"] = int(m.iter)
        if isinstance(m, dsp.Delay):
            args.update(max_len=int(m.max_len), isint=bool(m.isint), unit=float(m.unit),
                        fs=float(m.fs), requires_grad=bool(m.requires_grad))
        if isinstance(m, (dsp.Gain,)) and not isinstance(m, dsp.HouseholderMatrix):
            args["requires_grad"] = bool(m.requires_grad)
        return args

    def _effective(self, m, path: str) -> np.ndarray:
        v = _np(m.map(m.param))
        _check_finite(v, path, "the effective (mapped) parameter")
        return v

    def gain(self, m, path):
        return {"type": "gain", "params": {"matrix": self._effective(m, path).tolist()}}

    def parallel_gain(self, m, path):
        return {"type": "parallel_gain", "params": {"gains": self._effective(m, path).tolist()}}

    def householder(self, m, path):
        u = self._effective(m, path).reshape(-1)
        matrix = np.eye(u.size) - 2.0 * np.outer(u, u)
        return {"type": "gain", "params": {"matrix": matrix.tolist()}}

    def delay(self, m, path):
        torch = self.torch
        samples = m.get_delays()(m.param)  # s2sample(map(param)), as FLAMO computes it
        if m.isint:
            samples = samples.round()
        d = _np(samples)
        _check_finite(d, path, "the delay")
        if float(m.fs) != float(self.fs):
            if self.fs_mismatch == "error":
                raise ValueError(
                    f"{path}: {type(m).__name__} was built with fs={m.fs} but the model is "
                    f"compiled at fs={self.fs}. Pass fs={m.fs}, or choose explicitly with "
                    "fs_mismatch='keep_samples' (same delays in samples) or 'keep_seconds' "
                    "(delays rescaled to keep their length in time; rounded if isint)")
            if self.fs_mismatch == "keep_seconds":
                d = d * float(self.fs) / float(m.fs)
                if m.isint:
                    d = np.round(d)
        if (d < 0).any():
            raise ValueError(f"{path}: negative delay ({d.min()} samples); delays must be >= 0")
        kind = "delay" if d.ndim == 2 else "parallel_delay"
        # Values within a few ulps of an integer (an integer delay stored in seconds)
        # are that integer; anything else is a fractional delay.
        eps = float(torch.finfo(m.param.dtype).eps)
        rounded = np.round(d)
        if (np.abs(d - rounded) <= 64 * eps * np.maximum(1.0, np.abs(d))).all():
            return {"type": kind, "params": {"samples": rounded.astype(np.int64).tolist()}}
        return {"type": kind, "params": {
            "samples": d.tolist(),
            "interpolation": {"method": "lagrange", "order": self.fractional_order}}}

    def sos(self, m, path):
        coeffs = self._effective(m, path)  # (K, 6, out, in) or (K, 6, n)
        if coeffs.ndim == 4:
            sections = np.transpose(coeffs, (2, 3, 0, 1))  # out, in, K, 6
            return {"type": "sos", "params": {"sections": sections.tolist()}}
        sections = np.transpose(coeffs, (2, 0, 1))  # n, K, 6
        return {"type": "parallel_sos", "params": {"sections": sections.tolist()}}


def flamo_to_json(model, fs: float = 48000, name: str = "adac_model", *,
                  fs_mismatch: str = "error", fractional_order: int = 9) -> dict:
    """Extract a FLAMO model into an ADAC IR document (a dict, JSON-ready).

    fs_mismatch decides what happens when a delay module was built with another
    sample rate than `fs`: 'error' (default), 'keep_samples' or 'keep_seconds'.
    Fractional delays (isint=False) are realised by Lagrange interpolation of
    `fractional_order` (9 by default: about -71 dB from the ideal delay up to fs/6,
    see docs/fractional-delays.md), identically in the engine and in FAUST.
    The result is validated by the C core before it is returned."""
    if not (isinstance(fs, (int, float)) and math.isfinite(fs) and fs > 0):
        raise ValueError(f"fs must be a positive sample rate, got {fs!r}")
    walker = _Walker(fs, fs_mismatch, fractional_order)
    graph = walker.node(model, "model")
    doc = {
        "format": "adac-ir",
        "version": IR_VERSION,
        "name": name,
        "fs": fs,
        "graph": graph,
        "flamo": {"nfft": walker.nfft, "dtype": walker.dtype or "float32"},
    }
    from . import ir  # validate at the door, with the same C loader every tool uses

    ir.validate(doc)
    return doc
