"""ctypes binding to the ADAC C library (libadac.so), which does all the work
after the IR: validation, the engine, the FAUST emitter and libfaust rendering."""
from __future__ import annotations

import ctypes
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
_lib.adac_capi_to_faust.argtypes = [_c.c_char_p, _c.c_char_p, _c.c_size_t]
_lib.adac_capi_to_faust.restype = _c.c_void_p
_lib.adac_capi_render_engine.argtypes = [_c.c_char_p, _c.c_int, _c.c_int, _c.POINTER(_c.c_double), _c.c_char_p, _c.c_size_t]
_lib.adac_capi_render_faust.argtypes = [
    _c.c_char_p, _c.c_int, _c.c_int, _c.c_int, _c.c_int, _c.POINTER(_c.c_double),
    _c.POINTER(_c.c_int), _c.POINTER(_c.c_int), _c.c_char_p, _c.c_size_t]
_lib.adac_capi_free.argtypes = [_c.c_void_p]

IR_VERSION = _lib.adac_capi_ir_version()


def _err():
    return _c.create_string_buffer(_ERR_LEN)


def check(text: str) -> tuple[int, int]:
    """Validate IR text in C; returns (inputs, outputs) or raises IRError."""
    ni, no, err = _c.c_int(), _c.c_int(), _err()
    if not _lib.adac_capi_check(text.encode(), _c.byref(ni), _c.byref(no), err, _ERR_LEN):
        raise IRError(err.value.decode())
    return ni.value, no.value


def to_faust(text: str) -> str:
    err = _err()
    ptr = _lib.adac_capi_to_faust(text.encode(), err, _ERR_LEN)
    if not ptr:
        raise IRError(err.value.decode())
    try:
        return _c.string_at(ptr).decode()
    finally:
        _lib.adac_capi_free(ptr)


def render_engine(text: str, n: int, block: int = 256) -> np.ndarray:
    """Engine impulse responses as an array (n, outputs, inputs)."""
    ni, no = check(text)
    out = np.zeros(no * ni * n)
    err = _err()
    ok = _lib.adac_capi_render_engine(text.encode(), int(n), int(block),
                                      out.ctypes.data_as(_c.POINTER(_c.c_double)), err, _ERR_LEN)
    if not ok:
        raise IRError(err.value.decode())
    return out.reshape(no, ni, n).transpose(2, 0, 1).copy()


def render_faust(code: str, n: int, fs: int = 48000, double_precision: bool = True,
                 max_paths: int = 4096) -> np.ndarray:
    """Compile FAUST source with libfaust and return its impulse responses (n, out, in)."""
    out = np.zeros(max_paths * n)
    ni, no, err = _c.c_int(), _c.c_int(), _err()
    ok = _lib.adac_capi_render_faust(code.encode(), int(fs), int(n), int(bool(double_precision)),
                                     int(max_paths), out.ctypes.data_as(_c.POINTER(_c.c_double)),
                                     _c.byref(ni), _c.byref(no), err, _ERR_LEN)
    if not ok:
        raise RuntimeError(err.value.decode())
    k = ni.value * no.value
    return out[: k * n].reshape(no.value, ni.value, n).transpose(2, 0, 1).copy()
