"""ctypes binding to the ADAC C library (libadac.so), which does all the work
after the IR: validation, the engine, the FAUST emitter and libfaust rendering."""
from __future__ import annotations

import ctypes
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

_ERR_LEN = 4096


class IRError(ValueError):
    """An IR document the C core refused; the message starts with the JSON path."""


def _candidates():
    env = os.environ.get("ADAC_LIBRARY")
    if env:
        yield Path(env)
    here = Path(__file__).resolve().parent
    yield here / "libadac.so"
    # Editable installs keep compiled files in site-packages while the Python
    # sources stay in the checkout: look there too.
    for entry in sys.path:
        yield Path(entry) / "adac" / "libadac.so"
    root = here.parent.parent
    yield root / "build" / "dev" / "libadac.so"


def _load():
    tried = []
    for path in _candidates():
        tried.append(str(path))
        if path.is_file():
            return ctypes.CDLL(str(path))
    raise ImportError(
        "adac: the C library libadac.so was not found (looked in: "
        + ", ".join(tried)
        + "). Install the package with `pip install -e .` or set ADAC_LIBRARY."
    )


_lib = _load()
_c = ctypes
_lib.adac_capi_ir_version.restype = _c.c_int
_lib.adac_capi_check.argtypes = [_c.c_char_p, _c.POINTER(_c.c_int), _c.POINTER(_c.c_int), _c.c_char_p, _c.c_size_t]
_lib.adac_capi_to_faust.argtypes = [_c.c_char_p, _c.c_char_p, _c.c_char_p, _c.c_size_t]
_lib.adac_capi_to_faust.restype = _c.c_void_p
_lib.adac_capi_render_engine.argtypes = [
    _c.c_char_p, _c.c_char_p, _c.POINTER(_c.c_double), _c.c_int, _c.c_int, _c.c_int, _c.POINTER(_c.c_double),
    _c.c_char_p, _c.c_size_t]
_lib.adac_capi_render_faust.argtypes = [
    _c.c_char_p, _c.c_int, _c.c_int, _c.c_int, _c.c_int, _c.POINTER(_c.c_char_p),
    _c.POINTER(_c.c_double), _c.c_int, _c.POINTER(_c.c_double),
    _c.POINTER(_c.c_int), _c.POINTER(_c.c_int), _c.c_char_p, _c.c_size_t]
_lib.adac_capi_certify.argtypes = [_c.c_char_p, _c.c_char_p, _c.c_int, _c.c_char_p, _c.c_size_t]
_lib.adac_capi_certify.restype = _c.c_void_p
_lib.adac_capi_control_name.argtypes = [_c.c_int]
_lib.adac_capi_control_name.restype = _c.c_char_p
_lib.adac_capi_controls_describe.argtypes = [_c.c_char_p, _c.c_char_p, _c.c_char_p, _c.c_size_t]
_lib.adac_capi_controls_describe.restype = _c.c_void_p
_lib.adac_capi_stream_new.argtypes = [_c.c_char_p, _c.c_char_p, _c.c_int, _c.c_int, _c.c_int, _c.c_char_p,
                                      _c.c_size_t]
_lib.adac_capi_stream_new.restype = _c.c_void_p
_lib.adac_capi_stream_channels.argtypes = [_c.c_void_p, _c.POINTER(_c.c_int), _c.POINTER(_c.c_int)]
_lib.adac_capi_stream_process.argtypes = [_c.c_void_p, _c.POINTER(_c.c_double), _c.POINTER(_c.c_double), _c.c_long]
_lib.adac_capi_stream_set.argtypes = [_c.c_void_p, _c.c_int, _c.c_double]
_lib.adac_capi_stream_set.restype = _c.c_double
_lib.adac_capi_stream_load.argtypes = [_c.c_void_p, _c.c_char_p, _c.c_char_p, _c.c_char_p, _c.c_size_t]
_lib.adac_capi_stream_reset.argtypes = [_c.c_void_p]
_lib.adac_capi_stream_free.argtypes = [_c.c_void_p]
_lib.adac_capi_free.argtypes = [_c.c_void_p]
_lib.adac_capi_simd_level.restype = _c.c_char_p
_lib.adac_capi_coefficient_floor_db.argtypes = [_c.c_char_p, _c.c_int]
_lib.adac_capi_coefficient_floor_db.restype = _c.c_double

IR_VERSION = _lib.adac_capi_ir_version()


def coefficient_floor_db(config, n: int) -> float:
    """What rounding every coefficient to float costs the model by itself: the
    floor of any single-precision build (docs/single_precision.md).

    Args:
        config: the IR, as a dict, JSON text, or the path of a .json file.
        n: samples per path compared (the engine against the engine with every
            coefficient rounded to float, both in double).

    Returns the worst path's error in dB re its peak (-inf where rounding changes
    nothing); NaN if the model does not load."""
    from .ir import to_text
    return _lib.adac_capi_coefficient_floor_db(_c_text(to_text(config)), int(n))


def simd_level() -> str:
    """The level the engine's hot loops run at: "avx512", "avx2", "baseline" or
    "nofma" (the CPU's best, or another where the environment variable ADAC_SIMD
    asked for it when the library loaded). Each path gives the same bits at
    baseline, avx2 and avx512; nofma, the default on CPUs without AVX2 and FMA,
    rounds the dense mixes' multiply-adds twice (within rounding, not the bits)."""
    return _lib.adac_capi_simd_level().decode()


def _err():
    return _c.create_string_buffer(_ERR_LEN)


def _c_text(text: str) -> bytes:
    """IR text for C: UTF-8 with no NUL (a C string would end there, and C would
    read less than Python does)."""
    at = text.find("\x00")
    if at >= 0:
        raise IRError(f"$: NUL character at offset {at}: not a JSON text")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise IRError(f"$: character at offset {e.start} cannot be encoded as UTF-8 (a lone surrogate?)") from None


def _decode(buf) -> str:
    return buf.value.decode("utf-8", errors="backslashreplace")


def check(text: str) -> tuple[int, int]:
    """Validate IR text in C; returns (inputs, outputs) or raises IRError."""
    ni, no, err = _c.c_int(), _c.c_int(), _err()
    if not _lib.adac_capi_check(_c_text(text), _c.byref(ni), _c.byref(no), err, _ERR_LEN):
        raise IRError(_decode(err))
    return ni.value, no.value


def _control_names():
    names, i = [], 0
    while (name := _lib.adac_capi_control_name(i)) is not None:
        names.append(name.decode())
        i += 1
    return tuple(names)


CONTROL_NAMES = _control_names()  # in the order the C engine takes their values


def _controls_text(controls) -> bytes | None:
    if controls is None:
        return None
    if not isinstance(controls, dict):
        raise TypeError(f"controls must be a dict such as {{'rt60': True}}, got {type(controls).__name__}")
    return json.dumps(controls, allow_nan=False).encode()


def _take_string(ptr, err) -> str:
    if not ptr:
        raise IRError(_decode(err))
    try:
        return _c.string_at(ptr).decode()
    finally:
        _lib.adac_capi_free(ptr)


def certify(text: str, controls: dict | None = None, single_precision: bool = True) -> str:
    """The stability certificate as JSON text."""
    err = _err()
    return _take_string(_lib.adac_capi_certify(_c_text(text), _controls_text(controls),
                                               int(bool(single_precision)), err, _ERR_LEN), err)


def controls_describe(text: str, controls: dict | None) -> list:
    """The controls a request enables on a model, with their ranges, as C resolves them."""
    err = _err()
    return json.loads(_take_string(_lib.adac_capi_controls_describe(_c_text(text), _controls_text(controls),
                                                                    err, _ERR_LEN), err))


def to_faust(text: str, controls: dict | None = None) -> str:
    err = _err()
    return _take_string(_lib.adac_capi_to_faust(_c_text(text), _controls_text(controls), err, _ERR_LEN), err)


def check_precision(precision: str) -> bool:
    """True for "single", False for "double"; ValueError otherwise."""
    if precision not in ("single", "double"):
        raise ValueError(f"precision must be 'single' or 'double', got {precision!r}")
    return precision == "single"


def render_engine(text: str, n: int, block: int = 256, controls: dict | None = None,
                  values: dict | None = None, precision: str = "double") -> np.ndarray:
    """Engine impulse responses as an array (n, outputs, inputs)."""
    ni, no = check(text)
    out = np.zeros(no * ni * n)
    err = _err()
    vals = None
    if values:
        unknown = sorted(set(values) - set(CONTROL_NAMES))
        if unknown:
            raise IRError(f"controls.{unknown[0]}: unknown control (known: {', '.join(CONTROL_NAMES)})")
        vals = (_c.c_double * len(CONTROL_NAMES))(*[float(values.get(k, math.nan)) for k in CONTROL_NAMES])
    single = check_precision(precision)
    ok = _lib.adac_capi_render_engine(_c_text(text), _controls_text(controls), vals, int(n), int(block), int(single),
                                      out.ctypes.data_as(_c.POINTER(_c.c_double)), err, _ERR_LEN)
    if not ok:
        raise IRError(_decode(err))
    return out.reshape(no, ni, n).transpose(2, 0, 1).copy()


def render_faust(code: str, n: int, fs: int = 48000, double_precision: bool = True,
                 max_paths: int = 4096, values: dict | None = None) -> np.ndarray:
    """Compile FAUST source with libfaust and return its impulse responses (n, out, in),
    with the sliders named in `values` set first."""
    out = np.zeros(max_paths * n)
    ni, no, err = _c.c_int(), _c.c_int(), _err()
    values = values or {}
    labels = (_c.c_char_p * max(1, len(values)))(*[k.encode() for k in values])
    vals = (_c.c_double * max(1, len(values)))(*[float(v) for v in values.values()])
    ok = _lib.adac_capi_render_faust(_c_text(code), int(fs), int(n), int(bool(double_precision)),
                                     len(values), labels, vals, int(max_paths), out.ctypes.data_as(_c.POINTER(_c.c_double)),
                                     _c.byref(ni), _c.byref(no), err, _ERR_LEN)
    if not ok:
        raise RuntimeError(_decode(err))
    k = ni.value * no.value
    return out[: k * n].reshape(no.value, ni.value, n).transpose(2, 0, 1).copy()


def stream_new(text: str, controls: dict | None, block: int, fade_samples: int, precision: str = "double"):
    err = _err()
    single = check_precision(precision)
    handle = _lib.adac_capi_stream_new(_c_text(text), _controls_text(controls), block, fade_samples, int(single), err,
                                       _ERR_LEN)
    if not handle:
        raise IRError(_decode(err))
    return handle


def stream_channels(handle) -> tuple[int, int]:
    ni, no = _c.c_int(), _c.c_int()
    _lib.adac_capi_stream_channels(handle, _c.byref(ni), _c.byref(no))
    return ni.value, no.value


def stream_process(handle, x: np.ndarray, outputs: int) -> np.ndarray:
    """x: C-contiguous float64 (n, inputs); returns (n, outputs)."""
    y = np.empty((x.shape[0], outputs))
    _lib.adac_capi_stream_process(handle, x.ctypes.data_as(_c.POINTER(_c.c_double)),
                                  y.ctypes.data_as(_c.POINTER(_c.c_double)), x.shape[0])
    return y


def stream_set(handle, control_id: int, value: float) -> float:
    return _lib.adac_capi_stream_set(handle, control_id, value)


def stream_load(handle, text: str, controls: dict | None) -> int:
    err = _err()
    kind = _lib.adac_capi_stream_load(handle, _c_text(text), _controls_text(controls), err, _ERR_LEN)
    if kind == 0:
        raise IRError(_decode(err))
    return kind


def stream_reset(handle) -> None:
    _lib.adac_capi_stream_reset(handle)


def stream_free(handle) -> None:
    _lib.adac_capi_stream_free(handle)
