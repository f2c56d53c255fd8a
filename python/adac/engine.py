"""The C engine, streaming, from Python: state kept between calls, controls moved
while it runs, and another model swapped in at a block boundary (the same shape
keeps the tail ringing; another shape crossfades).

    eng = adac.Engine(config, controls={"rt60": True}, block=256)
    y = eng.process(x)          # (n, inputs) -> (n, outputs), float32 or float64
    eng.set("rt60", 2.5)
    eng.load(new_config)        # "kept" or "crossfade", effective at the next block
    y = adac.process(config, x) # one shot, with the reverb tail

Each call releases the GIL (ctypes does), so engines in several threads run on
several cores.
"""
from __future__ import annotations

import numpy as np

from . import _lib
from .ir import Config, to_dict, to_text

_TAIL_QUIET_DB = -90.0
_TAIL_CAP_S = 60.0


class Engine:
    """A streaming engine for one model (and the models loaded after it).

    Args:
        config: the model (dict, JSON text or path of a .json file).
        controls: macro-controls as in json_to_faust, or None.
        block: the largest block the engine processes at once (any length of
            input is cut into blocks; the output does not depend on it).
        fade: seconds of the equal-power crossfade when a model of another shape
            is loaded.
        precision: "double" (default; the reference) or "single" (float
            coefficients and arithmetic, as plugins ship); models loaded later
            run in the same precision."""

    def __init__(self, config: Config, controls: dict | None = None, block: int = 256, fade: float = 0.05,
                 precision: str = "double"):
        self._handle = None  # close() and __del__ work even when __init__ raises
        text = to_text(config)
        self.fs = float(to_dict(text)["fs"])
        self.block = int(block)
        if fade < 0 or not np.isfinite(fade):
            raise ValueError(f"fade must be a non-negative number of seconds, got {fade!r}")
        self.precision = precision
        self._handle = _lib.stream_new(text, controls, self.block, max(1, round(fade * self.fs)), precision)
        self.inputs, self.outputs = _lib.stream_channels(self._handle)

    def _live(self):
        if self._handle is None:
            raise ValueError("the engine is closed")
        return self._handle

    def process(self, x) -> np.ndarray:
        """Processes (n, inputs) samples (a 1-D array for one input) and returns
        (n, outputs) in the input's dtype (float32 or float64; others as float64).
        The state carries over to the next call."""
        x = np.asarray(x)
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        if x.ndim == 1 and self.inputs == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.inputs:
            raise ValueError(f"expected an array of shape (n, {self.inputs}), got {x.shape}")
        y = _lib.stream_process(self._live(), np.ascontiguousarray(x, dtype=np.float64), self.outputs)
        return y.astype(dtype, copy=False)

    def set(self, name: str, value: float) -> float:
        """Moves a macro-control (smoothed, as in FAUST); returns the value taken
        (clamped to its range). Values carry over to models loaded later."""
        if name not in _lib.CONTROL_NAMES:
            raise ValueError(f"unknown control {name!r}; the controls are {', '.join(_lib.CONTROL_NAMES)}")
        taken = _lib.stream_set(self._live(), _lib.CONTROL_NAMES.index(name), float(value))
        if np.isnan(taken):
            raise ValueError(f"control {name!r} is not enabled on this engine (pass controls={{{name!r}: True}})")
        return taken

    def load(self, config: Config, controls: dict | None = None) -> str:
        """Swaps in another model at the next block: "kept" when it has the same
        shape (graph, delay lengths; its delay lines and filter states carry on),
        "crossfade" otherwise. A model that does not load raises IRError and the
        playing one stays. The channel counts must stay the same."""
        kind = _lib.stream_load(self._live(), to_text(config), controls)
        return "kept" if kind == 1 else "crossfade"

    def reset(self) -> None:
        """Clears every delay line and filter state; controls glide from their init."""
        _lib.stream_reset(self._live())

    def close(self) -> None:
        if self._handle is not None:
            _lib.stream_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


def process(config: Config, x, tail="auto", controls: dict | None = None, values: dict | None = None,
            block: int = 256, precision: str = "double") -> np.ndarray:
    """Runs a model over x once and returns its output with the reverb tail.

    Args:
        config: the model.
        x: (n, inputs) samples (1-D for one input).
        tail: "auto" (on until the output falls 90 dB below its peak, at most
            60 s), a number of seconds, or 0.
        controls: macro-controls as in json_to_faust, or None.
        values: the values they are set to, e.g. {"rt60": 2.0}.
        block: the engine's block size.
        precision: the engine's, as in Engine.

    Returns (n + tail samples, outputs), in x's dtype."""
    with Engine(config, controls=controls, block=block, precision=precision) as eng:
        for name, value in (values or {}).items():
            eng.set(name, value)
        y = eng.process(x)
        dtype = y.dtype
        silence = np.zeros((eng.block * 64, eng.inputs))
        if tail == "auto":
            peak = float(np.abs(y).max()) if y.size else 0.0
            chunks, total = [y], 0
            while total < _TAIL_CAP_S * eng.fs:
                chunk = eng.process(silence)
                chunks.append(chunk.astype(dtype, copy=False))
                total += len(chunk)
                peak = max(peak, float(np.abs(chunk).max()))
                if peak == 0 or np.abs(chunk).max() <= peak * 10 ** (_TAIL_QUIET_DB / 20):
                    break
            return np.concatenate(chunks)
        seconds = float(tail)
        if seconds < 0 or not np.isfinite(seconds):
            raise ValueError(f"tail must be 'auto' or a non-negative number of seconds, got {tail!r}")
        n_tail = round(seconds * eng.fs)
        rest = eng.process(np.zeros((n_tail, eng.inputs))) if n_tail else np.zeros((0, eng.outputs))
        return np.concatenate([y, rest.astype(dtype, copy=False)])
