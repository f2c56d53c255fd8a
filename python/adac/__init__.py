"""ADAC: Automatic Differentiable Audio Compilation.

Trained FLAMO models -> JSON IR -> native engine and sample-exact FAUST.

    import adac
    config = adac.flamo_to_json(model, fs=48000, name="MyReverb")
    code = adac.json_to_faust(config, controls={"rt60": True, "dry_wet": True})
    cert = adac.certify(config); print(cert["verdict"])
    adac.write_certificate(config, "MyReverb.dsp")     # MyReverb.cert.json
    model2 = adac.json_to_flamo(config)

The FLAMO functions need `pip install -e ".[full]"`; the rest needs only numpy and
the bundled C library.
"""
from ._lib import IR_VERSION, IRError

try:
    from importlib.metadata import version as _version

    __version__ = _version("adac")
except Exception:  # running from a checkout without an install
    __version__ = "0.1.0"
from .ir import json_to_faust, render_engine, render_faust, save, to_dict, to_text, validate
from .certificate import VERDICTS, certify, write_certificate
from .dss_front import dss_to_json
from .flamo_front import UnsupportedModuleError, flamo_to_json
from .flamo_back import flamo_impulse_response, json_to_flamo


def flamo_to_faust(model, fs: float = 48000, name: str = "adac_model", controls=None, **kwargs) -> str:
    """flamo_to_json followed by json_to_faust."""
    return json_to_faust(flamo_to_json(model, fs=fs, name=name, **kwargs), controls=controls)


__all__ = [
    "IR_VERSION", "IRError", "UnsupportedModuleError", "VERDICTS", "certify", "dss_to_json", "flamo_to_json", "flamo_to_faust",
    "json_to_faust", "json_to_flamo", "flamo_impulse_response", "render_engine",
    "render_faust", "save", "to_dict", "to_text", "validate", "write_certificate",
]
