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
from ._lib import IR_VERSION, IRError, coefficient_floor_db, simd_level

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
from .export import ExportError, export_juce, export_plugin
from .engine import Engine, process
from .hot_reload import HotReload


def flamo_to_faust(model, fs: float = 48000, name: str = "adac_model", controls=None, **kwargs) -> str:
    """FAUST source for a FLAMO model: flamo_to_json followed by json_to_faust.

    Args:
        model: the FLAMO model (a ``flamo.processor.system.Shell`` or any module
            tree of supported modules), float32 or float64.
        fs: the sample rate in Hz the model is compiled at (every delay module's own
            ``fs`` must agree unless ``fs_mismatch`` says otherwise).
        name: the model's name, declared in the ``.dsp`` (free text, escaped).
        controls: macro-controls layered on the model, as in ``json_to_faust``
            (e.g. ``{"rt60": True, "dry_wet": {"init": 0.5}}``), or None.
        **kwargs: ``fs_mismatch`` and ``fractional_order``, passed to flamo_to_json.

    Returns the FAUST program as text. Raises UnsupportedModuleError for a module
    ADAC cannot compile and IRError for a model the C loader refuses."""
    return json_to_faust(flamo_to_json(model, fs=fs, name=name, **kwargs), controls=controls)


__all__ = [
    "Engine", "ExportError", "HotReload", "IR_VERSION", "IRError", "UnsupportedModuleError", "coefficient_floor_db", "export_juce", "export_plugin", "process", "VERDICTS", "certify", "dss_to_json", "flamo_to_json", "flamo_to_faust",
    "json_to_faust", "json_to_flamo", "flamo_impulse_response", "render_engine",
    "render_faust", "save", "simd_level", "to_dict", "to_text", "validate", "write_certificate",
]
