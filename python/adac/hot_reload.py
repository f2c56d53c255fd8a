"""Publishing a model while it trains, for a listener that reloads it
(`adac-run --watch`, or an `adac.Engine` that loads each publish).

    live = adac.HotReload(fs=48000, name="MyReverb", path="live/model.json")
    for step in range(steps):
        ...optimiser step...
        live.update(model)          # re-extracts and publishes when it changed

Every file is written whole or not at all (a temporary file renamed over the
target), the .dsp and .cert.json before the .json, so a watcher of the .json
never sees a half-written model, nor a .json whose .dsp is older.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from .certificate import write_certificate
from .ir import json_to_faust, to_text, write_text_atomic


class HotReload:
    """Publishes a FLAMO model's IR after optimiser steps.

    Args:
        fs: the sample rate the model is extracted at.
        name: the model's name in the IR.
        controls: macro-controls the .dsp carries (as in json_to_faust), or None.
        path: the published IR file (.json); the .dsp and .cert.json go beside it.
        every: publish at most every `every` calls of update.
        min_interval: and at most every `min_interval` seconds.
        faust: also publish the .dsp and its .cert.json."""

    def __init__(self, fs: float, name: str = "adac_model", controls: dict | None = None,
                 path: os.PathLike | str = "adac_live.json", every: int = 1, min_interval: float = 0.5,
                 faust: bool = True):
        if every < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        if min_interval < 0:
            raise ValueError(f"min_interval must be >= 0 seconds, got {min_interval}")
        self.fs, self.name, self.controls = float(fs), name, controls
        self.path = Path(path)
        if self.path.suffix != ".json":
            raise ValueError(f"path names the IR file and ends in .json, got {self.path}")
        self.every, self.min_interval, self.faust = int(every), float(min_interval), bool(faust)
        self.calls = 0
        self.published = 0
        self._last_text: str | None = None
        self._last_time = -float("inf")

    @property
    def dsp_path(self) -> Path:
        return self.path.with_suffix(".dsp")

    def update(self, model, force: bool = False) -> bool:
        """Re-extracts `model` (a FLAMO Shell, or an IR dict/text) and publishes it
        if it changed, at most every `every` calls and `min_interval` seconds;
        force=True bypasses the throttles (not the change check). Returns whether
        it published."""
        self.calls += 1
        if not force:
            if (self.calls - 1) % self.every:
                return False
            if time.monotonic() - self._last_time < self.min_interval:
                return False
        if isinstance(model, (dict, str, os.PathLike)):
            text = to_text(model)
        else:
            from .flamo_front import flamo_to_json

            text = to_text(flamo_to_json(model, fs=self.fs, name=self.name))
        if text == self._last_text:
            return False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.faust:
            write_text_atomic(self.dsp_path, json_to_faust(text, self.controls))
            write_certificate(text, self.dsp_path, controls=self.controls)
        write_text_atomic(self.path, text)
        self._last_text = text
        self._last_time = time.monotonic()
        self.published += 1
        return True
