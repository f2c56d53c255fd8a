"""FLAMO -> ADAC IR. Walking a FLAMO graph needs Python (and torch); everything
after the IR lives in C. Leaf values are taken through each module's own map, so
the IR holds what FLAMO applies; raw weights and constructor arguments travel in
each leaf's "flamo" block for json_to_flamo."""
from __future__ import annotations

import copy
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


def _in_float64(torch, m):
    """A copy of module m computing in float64: its parameters and buffers cast
    (complex ones to complex128), and the dtype FLAMO's modules keep for the
    tensors they make while designing filters set to float64."""
    work = copy.deepcopy(m).double()
    work._apply(lambda t: t.to(torch.complex128) if t.dtype == torch.complex64 else t)
    for sub in work.modules():
        if getattr(sub, "dtype", None) == torch.float32:
            sub.dtype = torch.float64
    return work


def _model_dtype(model):
    """The dtype the model was built in: its Shell's FFT layer's (what FLAMO
    computes the model in), else its first parameter's. A model built in float32
    (FLAMO's default) is read in float64; in a float64 model, a module that makes
    float32 parameters of its own is read as FLAMO runs it."""
    layer = next((c for name, c in model.named_children() if name.endswith("input_layer")), None)
    dtype = getattr(layer, "dtype", None)
    if dtype is not None:
        return dtype
    first = next(iter(model.parameters()), None)
    return first.dtype if first is not None else None


def _dtype_name(t) -> str:
    return str(t).replace("torch.", "")


class _Walker:
    def __init__(self, fs: float, fs_mismatch: str, fractional_order: int, read_in_float64: bool = False):
        self.torch, self.dsp, self.system = _torch()
        self.fs = fs
        if fs_mismatch not in ("error", "keep_samples", "keep_seconds"):
            raise ValueError("fs_mismatch must be 'error', 'keep_samples' or 'keep_seconds'")
        self.fs_mismatch = fs_mismatch
        if not (isinstance(fractional_order, int) and 1 <= fractional_order <= 31):
            raise ValueError("fractional_order must be an integer from 1 to 31")
        self.fractional_order = fractional_order
        self.nfft = None
        self.read_in_float64 = read_in_float64  # a float32 model: every module through a float64 copy
        self.dtype = None
        self.alias_decay_db = None  # FLAMO's anti-aliasing setting, for json_to_flamo

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
            elif isinstance(layer, self.dsp.Transform):
                layers[role] = self._left_out_transform(f"{path}.{role}")
            elif isinstance(layer, self.torch.nn.Sequential):
                # e.g. Series(FFT, Gain): keep the processing, drop the domain changes
                for name, child in layer.named_children():
                    if self._is_domain_layer(child):
                        continue
                    if isinstance(child, self.dsp.Transform):
                        self._left_out_transform(f"{path}.{role}.{name}")
                    else:
                        parts.append(self.node(child, f"{path}.{role}.{name}"))
            else:
                parts.append(self.node(layer, f"{path}.{role}"))
        core = parts[0] if len(parts) == 1 else {"type": "series", "children": parts}
        return {"type": "shell", "model_path": path, "core": core, "flamo": {"layers": layers}}

    @staticmethod
    def _left_out_transform(path: str) -> str:
        """A Transform in a Shell's input or output layer (the colorless FDN's
        magnitude, |H|) shapes what the loss sees; it has no time-domain
        realisation, and FLAMO's own get_time_response replaces it too."""
        import warnings
        warnings.warn(f"{path}: Transform layer left out; ADAC compiles the system that "
                      "FLAMO's get_time_response measures, without the Shell's Transform "
                      "layers", stacklevel=4)
        return "Transform"

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
        # own maps and designs, which this version does not know how to read.
        handlers = {
            dsp.Gain: self.gain, dsp.parallelGain: self.parallel_gain, dsp.Matrix: self.gain,
            dsp.HouseholderMatrix: self.householder, dsp.Delay: self.delay,
            dsp.parallelDelay: self.delay, dsp.SOSFilter: self.sos,
            dsp.parallelSOSFilter: self.sos, dsp.GainDelay: self.gain_delay,
            dsp.parallelGainDelay: self.gain_delay, dsp.Filter: self.fir,
            dsp.parallelFilter: self.fir, dsp.ScatteringMatrix: self.fir_matrix,
            dsp.VelvetNoiseMatrix: self.fir_matrix,
        }
        for name in IIR_MODULES:
            handlers[getattr(dsp, name)] = self.iir
        from flamo.auxiliary import reverb

        for name in REVERB_IIR_MODULES:
            handlers[getattr(reverb, name)] = self.reverb_iir
        handler = handlers.get(type(m))
        if handler is None:
            raise UnsupportedModuleError(
                f"{path}: module {type(m).__module__}.{cls} is not supported by this version "
                "of ADAC (supported: the modules of flamo.processor.dsp: "
                + ", ".join(sorted(c.__name__ for c in handlers)) + ", inside Shell/Series/"
                "Parallel/Recursion)")
        if self.dtype is None:
            self.dtype = _dtype_name(m.param.dtype)
        if self.alias_decay_db is None and getattr(m, "alias_decay_db", None) is not None:
            self.alias_decay_db = float(m.alias_decay_db)
        torch = self.torch
        # A float32 module (FLAMO's default dtype) is read through a float64 copy:
        # its float32 parameters, every map evaluated in float64. Structure that the
        # map builds (a unit-norm Householder vector, an orthogonal matrix) is then
        # exact to double precision instead of to float32 rounding, and the IR is
        # the model the float32 parameters stand for. Values that float32 rounding
        # moved off an integer delay are snapped with the float32 tolerance.
        self.param_eps = float(torch.finfo(m.param.dtype).eps)
        work = _in_float64(torch, m) if self.read_in_float64 and m.param.dtype == torch.float32 else m
        with torch.no_grad():
            node = handler(work, path)
        node["module"] = cls
        node["model_path"] = path
        raw = _np(m.param)
        _check_finite(raw, path, "the raw parameter")
        node["flamo"] = {"class": cls, "args": constructor_args(m),
                         "param": raw.tolist(), "requires_grad": bool(m.param.requires_grad)}
        return node

    def _effective(self, m, path: str) -> np.ndarray:
        v = _np(m.map(m.param))
        _check_finite(v, path, "the effective (mapped) parameter")
        return v

    def gain(self, m, path):
        matrix = self._effective(m, path)
        params = {"matrix": matrix.tolist()}
        n = matrix.shape[0]
        if (isinstance(m, self.dsp.Matrix) and getattr(m, "matrix_type", None) == "hadamard"
                and matrix.ndim == 2 and matrix.shape == (n, n) and n & (n - 1) == 0):
            # FLAMO's Sylvester Hadamard: the engine and FAUST apply it as butterflies.
            params["structure"] = {"kind": "hadamard", "scale": float(matrix[0, 0])}
        return {"type": "gain", "params": params}

    def parallel_gain(self, m, path):
        return {"type": "parallel_gain", "params": {"gains": self._effective(m, path).tolist()}}

    def householder(self, m, path):
        u = self._effective(m, path).reshape(-1)
        matrix = np.eye(u.size) - 2.0 * np.outer(u, u)
        # Applied in O(N) as x - 2u(u.x) by the engine and the emitted FAUST.
        return {"type": "gain", "params": {"matrix": matrix.tolist(),
                                           "structure": {"kind": "householder", "u": u.tolist()}}}

    def delay(self, m, path):
        samples = m.get_delays()(m.param)  # s2sample(map(param)), as FLAMO computes it
        if m.isint:
            samples = samples.round()
        return self._delay_node(m, path, _np(samples))

    def _delay_node(self, m, path, d: np.ndarray) -> dict:
        torch = self.torch
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
        eps = self.param_eps
        rounded = np.round(d)
        if (np.abs(d - rounded) <= 64 * eps * np.maximum(1.0, np.abs(d))).all():
            return {"type": kind, "params": {"samples": rounded.astype(np.int64).tolist()}}
        return {"type": kind, "params": {
            "samples": d.tolist(),
            "interpolation": {"method": "lagrange", "order": self.fractional_order}}}

    def gain_delay(self, m, path):
        """GainDelay: each entry is a gain and a delay; a delay leaf with gains."""
        samples = m.get_delays()(m.param)
        if m.isint:
            samples = samples.round()
        node = self._delay_node(m, path, _np(samples))
        gains = _np(m.get_gains()(m.param))
        _check_finite(gains, path, "the gain")
        node["params"]["gains"] = gains.tolist()
        return node

    def fir(self, m, path):
        """Filter / parallelFilter: the impulse responses FLAMO transforms (its map of
        the parameters), without the anti-aliasing taper."""
        return self._fir_node(self._effective(m, path))

    def fir_matrix(self, m, path):
        """ScatteringMatrix / VelvetNoiseMatrix: the sparse FIR matrix their mapping
        builds from the parameters."""
        taps = _np(m.map_filter(m.map(m.param)))
        _check_finite(taps, path, "the filter matrix")
        return self._fir_node(taps)

    @staticmethod
    def _fir_node(taps: np.ndarray) -> dict:
        if taps.ndim == 3:  # (taps, out, in)
            return {"type": "fir", "params": {"taps": np.transpose(taps, (1, 2, 0)).tolist()}}
        return {"type": "parallel_fir", "params": {"taps": taps.T.tolist()}}

    def iir(self, m, path):
        """Frequency-designed IIR filters (Biquad, SVF, GEQ, PEQ, AccurateGEQ and their
        parallel forms): the section polynomials FLAMO builds, read at the point where
        it turns them into frequency responses, with the anti-aliasing taper off."""
        import flamo.processor.dsp as dspmod

        torch = self.torch
        calls = []
        poly, cascade = dspmod.poly_freq_response, dspmod.stable_cascade_response

        def spy_poly(coeffs, nfft, dim=0):
            calls.append(("poly", coeffs.detach().double().clone(), dim))
            return poly(coeffs, nfft, dim=dim)

        def spy_cascade(B, A, dim, out_dtype=None):
            calls.append(("cascade", None, dim))
            return cascade(B, A, dim=dim, out_dtype=out_dtype)

        taper = m.alias_envelope_dcy
        try:
            dspmod.poly_freq_response, dspmod.stable_cascade_response = spy_poly, spy_cascade
            m.alias_envelope_dcy = torch.ones_like(taper)
            m.get_poly_coeff(m.map(m.param))
        finally:
            dspmod.poly_freq_response, dspmod.stable_cascade_response = poly, cascade
            m.alias_envelope_dcy = taper
        kinds = [c[0] for c in calls]
        if kinds != ["poly", "poly", "cascade"]:
            raise UnsupportedModuleError(
                f"{path}: could not read the filter coefficients of {type(m).__name__} "
                f"(saw {kinds}); this FLAMO version computes it differently")
        (_, b, tap_axis), (_, a, _), (_, _, section_axis) = calls
        b = np.moveaxis(b.numpy(), [section_axis, tap_axis], [-2, -1])
        a = np.moveaxis(a.numpy(), [section_axis, tap_axis], [-2, -1])
        if b.shape[-1] > 3 or a.shape[-1] > 3:
            raise UnsupportedModuleError(f"{path}: sections of more than second order")
        pad = [(0, 0)] * (b.ndim - 1)
        b = np.pad(b, pad + [(0, 3 - b.shape[-1])])
        a = np.pad(a, pad + [(0, 3 - a.shape[-1])])
        sections = np.concatenate([b, a], axis=-1)  # (..channels.., K, 6)
        _check_finite(sections, path, "a filter coefficient")
        kind = "sos" if sections.ndim == 4 else "parallel_sos"
        return {"type": kind, "params": {"sections": sections.tolist()}}

    def reverb_iir(self, m, path):
        """The attenuation filters of flamo.auxiliary.reverb build their polynomials
        and transform them with torch.fft.rfft themselves: the last two transforms
        get_poly_coeff makes are of its numerator and denominator taps (with the
        tap axis given by `dim`). They are read there, with the anti-aliasing taper
        off, and checked against the response FLAMO applies before they are accepted."""
        torch = self.torch
        calls = []
        rfft = torch.fft.rfft

        def spy_rfft(x, n=None, dim=-1, **kw):
            calls.append((x.detach().double().clone(), dim % x.ndim, x.dtype))
            return rfft(x, n, dim, **kw)

        taper = m.alias_envelope_dcy
        try:
            torch.fft.rfft = spy_rfft
            m.alias_envelope_dcy = torch.ones_like(taper)
            H, _, _ = m.get_poly_coeff(m.map(m.param))
        finally:
            torch.fft.rfft = rfft
            m.alias_envelope_dcy = taper
        if len(calls) < 2 or calls[-1][0].shape != calls[-2][0].shape \
                or calls[-1][0].ndim not in (2, 3) or calls[-1][0].shape[calls[-1][1]] > 3:
            raise UnsupportedModuleError(
                f"{path}: could not read the filter coefficients of {type(m).__name__}; "
                "this FLAMO version computes it differently")

        def sections_of(coeffs, tap_axis):
            t = np.moveaxis(coeffs.numpy(), tap_axis, -1)  # (n, taps) or (K, n, taps)
            t = t[:, None, :] if t.ndim == 2 else np.moveaxis(t, 0, 1)  # (n, K, taps)
            return np.pad(t, [(0, 0), (0, 0), (0, 3 - t.shape[-1])])

        (b, b_axis, b_dtype), (a, a_axis, a_dtype) = calls[-2:]
        sections = np.concatenate([sections_of(b, b_axis), sections_of(a, a_axis)], axis=-1)
        _check_finite(sections, path, "a filter coefficient")
        exact = H.dtype == torch.complex128 and b_dtype == a_dtype == torch.float64
        self._check_reverb_sections(m, path, sections, H.detach().to(torch.complex128).numpy(), exact)
        return {"type": "parallel_sos", "params": {"sections": sections.tolist()}}

    @staticmethod
    def _check_reverb_sections(m, path, sections, want, exact):
        """The sections must reproduce the response H the module returned (taper off)
        bin by bin: to 1e-9 when FLAMO made and evaluated them in float64."""
        nfft = int(m.nfft)
        w = np.exp(-2j * np.pi * np.arange(nfft // 2 + 1) / nfft)
        zpow = np.stack([np.ones_like(w), w, w * w])  # (3, F)
        num = np.prod(np.einsum("nkp,pf->fnk", sections[..., :3], zpow), axis=-1)
        den = np.prod(np.einsum("nkp,pf->fnk", sections[..., 3:], zpow), axis=-1)
        if want.shape != num.shape:
            raise UnsupportedModuleError(
                f"{path}: the filter coefficients read from {type(m).__name__} do not match "
                "the shape of its response; this FLAMO version computes it differently")
        scale = max(1.0, np.abs(want).max())
        deviation = np.abs(num / den - want) / scale
        if exact:
            misread = deviation.max() > 1e-9
        else:
            # Made in float32 (these classes build their taps with torch's default
            # dtype): FLAMO's own evaluation then loses accuracy near poles close to
            # the unit circle, so only a reading error (wrong everywhere) is refused.
            misread = np.median(deviation) > 1e-4
            if not misread and deviation.max() > 1e-6:
                import warnings
                worst = np.unravel_index(deviation.argmax(), deviation.shape)[0]
                warnings.warn(
                    f"{path}: {type(m).__name__} made its coefficients in float32 (torch's "
                    f"default dtype); FLAMO's float32 response of them is off by up to "
                    f"{20 * np.log10(deviation.max()):.1f} dB re peak (at bin {worst} of "
                    f"{nfft}). ADAC compiles the filter of those coefficients exactly; build "
                    "the model under torch.set_default_dtype(torch.float64) for FLAMO to "
                    "agree with it")
        if misread:
            raise UnsupportedModuleError(
                f"{path}: the filter coefficients read from {type(m).__name__} do not reproduce "
                "its response; this FLAMO version computes it differently")

    def sos(self, m, path):
        coeffs = self._effective(m, path)  # (K, 6, out, in) or (K, 6, n)
        if coeffs.ndim == 4:
            sections = np.transpose(coeffs, (2, 3, 0, 1))  # out, in, K, 6
            return {"type": "sos", "params": {"sections": sections.tolist()}}
        sections = np.transpose(coeffs, (2, 0, 1))  # n, K, 6
        return {"type": "parallel_sos", "params": {"sections": sections.tolist()}}


# Subclasses in flamo.auxiliary.reverb that design parallel attenuation filters (each
# read through its rfft spectra and checked against the response FLAMO applies).
REVERB_IIR_MODULES = ("parallelFDNAccurateGEQ", "parallelFDNGEQ", "parallelGFDNAccurateGEQ",
                      "parallelFDNPEQ", "parallelFirstOrderShelving")
IIR_MODULES = ("Biquad", "parallelBiquad", "SVF", "parallelSVF", "GEQ", "parallelGEQ", "PEQ",
               "parallelPEQ", "AccurateGEQ", "parallelAccurateGEQ")

# Constructor arguments that are not plain settings: the parameter shape is found
# by trial, maps are the class defaults, device and precision are the rebuild's.
_NOT_ARGS = {"self", "size", "map", "map_gain", "map_delay", "device", "dtype", "nfft"}


def _plain(v):
    """A constructor argument as JSON: numbers, strings and lists as they are; a
    tensor of several values (the delay lengths the reverb classes take) as
    {"tensor": values, "dtype": name}. None when it has no JSON form."""
    import torch
    if isinstance(v, torch.Tensor):
        if v.numel() == 1:
            return v.item()
        return {"tensor": v.detach().cpu().tolist(), "dtype": _dtype_name(v.dtype)}
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if isinstance(v, (list, tuple)) and all(isinstance(x, (int, float)) for x in v):
        return list(v)
    return None


def module_class(name: str):
    """A FLAMO module class by name: flamo.processor.dsp, then flamo.auxiliary.reverb."""
    from flamo.auxiliary import reverb
    from flamo.processor import dsp

    return getattr(dsp, name, None) or getattr(reverb, name)


def constructor_args(m) -> dict | None:
    """The arguments that rebuild module m: its settings, read back from the
    attributes of the same names, and the `size` that gives its parameter shape
    (found by constructing candidates; classes that fix their own size, like the
    reverb attenuation filters, take none). None if no candidate reproduces it."""
    import inspect

    cls = type(m)
    signature = inspect.signature(cls.__init__).parameters
    args = {}
    for name in signature:
        if name in _NOT_ARGS or not hasattr(m, name):
            continue
        v = _plain(getattr(m, name))
        if v is not None or getattr(m, name) is None:
            args[name] = v
    shape = tuple(m.param.shape)
    candidates = [shape, shape[1:], shape[2:], shape[-1:], shape[-2:], (shape[0], shape[0])]
    sizes = list(dict.fromkeys(c for c in candidates if c)) if "size" in signature else [None]
    for size in sizes:
        sized = {} if size is None else {"size": list(size)}
        try:
            trial = module_class(cls.__name__)(**decode_args(sized), nfft=int(m.nfft),
                                               dtype=m.param.dtype, device="cpu",
                                               **decode_args(args))
        except Exception:  # a candidate the class refuses is simply not the one
            continue
        if tuple(trial.param.shape) == shape:
            return {**sized, "nfft": int(m.nfft), "dtype": _dtype_name(m.param.dtype), **args}
    return None


def decode_args(args: dict) -> dict:
    """Constructor arguments from their JSON form (see _plain)."""
    import torch
    out = {}
    for name, v in args.items():
        if isinstance(v, dict) and "tensor" in v:
            v = torch.tensor(v["tensor"], dtype=getattr(torch, v["dtype"]))
        elif name == "size":
            v = tuple(v)
        out[name] = v
    return out


def flamo_to_json(model, fs: float = 48000, name: str = "adac_model", *,
                  fs_mismatch: str = "error", fractional_order: int = 9) -> dict:
    """Extract a FLAMO model into an ADAC IR document (a dict, JSON-ready).

    Args:
        model: the FLAMO model: a ``Shell`` or a tree of ``Series``, ``Parallel``,
            ``Recursion`` and supported modules, in float32 (FLAMO's default; read
            with every map evaluated in float64) or float64.
        fs: the sample rate in Hz the model is compiled at.
        name: the model's name (free text; escaped wherever it reaches code).
        fs_mismatch: what happens when a delay module was built with another
            sample rate than ``fs``: 'error' (default), 'keep_samples' (same delays
            in samples) or 'keep_seconds' (delays rescaled to keep their length).
        fractional_order: the Lagrange order (1 to 31) that realises fractional
            delays (isint=False); 9 by default, about -71 dB from the ideal delay
            up to fs/6 (docs/fractional-delays.md), identically in engine and FAUST.

    Returns the IR as a dict, validated by the C core. Raises UnsupportedModuleError
    for a module ADAC cannot compile, ValueError for a bad argument or a
    non-finite parameter, IRError for what the C loader refuses."""
    if not (isinstance(fs, (int, float)) and math.isfinite(fs) and fs > 0):
        raise ValueError(f"fs must be a positive sample rate, got {fs!r}")
    torch, _, _ = _torch()
    model_dtype = _model_dtype(model)
    walker = _Walker(fs, fs_mismatch, fractional_order, read_in_float64=model_dtype == torch.float32)
    if model_dtype is not None:
        walker.dtype = _dtype_name(model_dtype)  # what json_to_flamo rebuilds in
    graph = walker.node(model, "model")
    doc = {
        "format": "adac-ir",
        "version": IR_VERSION,
        "name": name,
        "fs": fs,
        "graph": graph,
        "flamo": {"nfft": walker.nfft, "dtype": walker.dtype or "float32",
                  "alias_decay_db": walker.alias_decay_db or 0.0},
    }
    from . import ir  # validate at the door, with the same C loader every tool uses

    ir.validate(doc)
    return doc
