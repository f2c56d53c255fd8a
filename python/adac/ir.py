"""The IR document on the Python side: serialisation and the calls into C."""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Union

import numpy as np

from . import _lib
from ._lib import IRError

Config = Union[dict, str, os.PathLike]


def _find_non_finite(obj, path="$"):
    if isinstance(obj, float) and not math.isfinite(obj):
        return path, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            hit = _find_non_finite(v, f"{path}.{k}")
            if hit:
                return hit
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            hit = _find_non_finite(v, f"{path}[{i}]")
            if hit:
                return hit
    return None


def _read_file(path) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IRError(f"$: invalid UTF-8 at byte {e.start} of {os.fsdecode(path)!r}: JSON text is UTF-8") from None


def to_text(config: Config) -> str:
    """JSON text for an IR.

    Args:
        config: a dict, JSON text, or the path of a .json file (read as UTF-8).

    A dict with a NaN or infinite value raises IRError with its path."""
    if isinstance(config, dict):
        hit = _find_non_finite(config)
        if hit:
            raise IRError(f"{hit[0]}: value is not finite ({hit[1]})")
        return json.dumps(config, allow_nan=False)
    if isinstance(config, (os.PathLike, bytes)) or (isinstance(config, str) and not config.lstrip().startswith("{")):
        return _read_file(config)
    if isinstance(config, str):
        return config
    raise TypeError(f"expected an IR dict, JSON text or a path, got {type(config).__name__}")


def _unique_keys(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise IRError(f"$: key {k!r} appears more than once (readers disagree on which one counts): keep one")
        seen[k] = v
    return seen


def _no_constant(name):
    raise IRError(f"$: {name} is not JSON (values must be finite numbers)")


def to_dict(config: Config) -> dict:
    """The IR as a dict.

    Args:
        config: a dict (returned as is), JSON text, or the path of a .json file.

    Text is validated by the C loader first and then read with duplicate keys,
    NaN and anything else the two readers could disagree on refused, so a dict
    never says something the engine does not."""
    if isinstance(config, dict):
        return config
    text = to_text(config)
    _lib.check(text)
    return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)


def validate(config: Config) -> tuple[int, int]:
    """Validate an IR with the C loader.

    Args:
        config: a dict, JSON text, or the path of a .json file.

    Returns (inputs, outputs); raises IRError with the JSON path of the problem."""
    return _lib.check(to_text(config))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: os.PathLike | str, text: str) -> Path:
    """Writes text to a file whole or not at all.

    Args:
        path: the target file. A symbolic link is refused (renaming over it would
            replace the link).
        text: what to write, as UTF-8.

    The text goes to a short temporary name beside the target (any legal target
    name works), renamed over it when complete. Returns the path."""
    path = Path(path)
    if path.is_symlink():
        raise OSError(f"{path}: is a symbolic link; give the file it points to (writing replaces the name)")
    fd, tmp = tempfile.mkstemp(prefix=".adac-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def save(config: Config, path: os.PathLike | str) -> None:
    """Write an IR to a file atomically (never a half-written file).

    Args:
        config: a dict, JSON text, or the path of a .json file; validated first.
        path: the target .json file (not a symbolic link)."""
    text = to_text(config)
    _lib.check(text)
    write_text_atomic(path, json.dumps(json.loads(text), indent=1) + "\n")


def json_to_faust(config: Config, controls: dict | None = None) -> str:
    """FAUST source for an IR model, from the same C emitter as `adac-faust`.

    Args:
        config: a dict, JSON text, or the path of a .json file.
        controls: macro-controls layered on the model, e.g. ``{"rt60": True,
            "dry_wet": {"init": 0.5}, "pre_delay": {"max": 100}}`` (each True, False
            or init/min/max/step overrides; see docs/controls.md), or None. An
            unknown control, or one that does not apply to the model, raises IRError.

    Returns the FAUST program as text."""
    return _lib.to_faust(to_text(config), controls)


def render_engine(config: Config, n: int, block: int = 256, controls: dict | None = None,
                  values: dict | None = None, precision: str = "double") -> np.ndarray:
    """Impulse responses from the C engine.

    Args:
        config: a dict, JSON text, or the path of a .json file.
        n: samples per path.
        block: the engine's block size (the output does not depend on it).
        controls: macro-controls as in json_to_faust, or None.
        values: control values, e.g. ``{"rt60": 2.0}``, that the sliders move to
            from their init when the render starts (smoothed, as in FAUST).
        precision: "double" (default; the reference oracle) or "single" (the
            coefficients rounded to float and float arithmetic, as a plugin runs).

    Returns an array of shape (n, outputs, inputs) of float64."""
    return _lib.render_engine(to_text(config), n, block, controls, values, precision)


def render_faust(code: str, n: int, fs: int = 48000, double_precision: bool = True,
                 values: dict | None = None) -> np.ndarray:
    """Compile FAUST with libfaust and render its impulse responses.

    Args:
        code: FAUST source (untrusted is fine: libfaust runs in a child process
            with a time and memory limit).
        n: samples per path.
        fs: the sample rate the program is initialised at.
        double_precision: compile with ``-double`` (default) or in single precision.
        values: sliders to set by label first, e.g. ``{"rt60": 2.0}``.

    Returns an array of shape (n, outputs, inputs); RuntimeError says why libfaust
    failed (its message, a crash, or the time limit)."""
    return _lib.render_faust(code, n, fs, double_precision, values=values)
