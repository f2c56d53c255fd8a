"""The stability certificate, computed in C (certify/certificate.c)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from . import _lib
from .ir import Config, to_text, write_text_atomic

VERDICTS = ("certified-stable", "marginally-stable", "indeterminate", "not-certified", "unstable")


def certify(config: Config, controls: dict | None = None, precision: str = "single") -> dict:
    """Certificate of every feedback loop of an IR model, as a dict.

    Args:
        config: a dict, JSON text, or the path of a .json file.
        controls: macro-controls as in json_to_faust, or None. With rt60 the loops
            are certified at the knob's worst position, which covers every position.
        precision: "single" certifies the parameters as FAUST's default float build
            and the engine's single path hold them, "double" as a -double build
            and the double engine do.

    ``cert["verdict"]`` is the worst loop's: one of VERDICTS, best first. Each entry
    of ``cert["loops"]`` says how its verdict was reached (bound, margin, pole
    count, what was not covered)."""
    single = _lib.check_precision(precision)
    return json.loads(_lib.certify(to_text(config), controls, single))


def write_certificate(config: Config, dsp_path: os.PathLike | str, controls: dict | None = None,
                      precision: str = "single") -> Path:
    """Writes the certificate next to a .dsp file ("X.dsp" -> "X.cert.json").

    Args:
        config: a dict, JSON text, or the path of a .json file.
        dsp_path: the .dsp file the certificate goes beside.
        controls: as in certify.
        precision: as in certify.

    Written atomically; returns its path."""
    dsp_path = Path(dsp_path)
    path = dsp_path.with_name((dsp_path.stem if dsp_path.suffix == ".dsp" else dsp_path.name) + ".cert.json")
    cert = certify(config, controls=controls, precision=precision)
    return write_text_atomic(path, json.dumps(cert, indent=1) + "\n")
