"""From a model to installed plugins in one call: VST3, LV2 and Standalone, built
with JUCE around the emitted FAUST (compiled to C++ ahead of time) or the ADAC
engine, refused when the model's certificate does not prove it stable.

    adac.export_plugin("MyReverb.json", "plugins/", backend="faust")
    adac-export MyReverb.json plugins/ --backend engine

The JUCE project is `plugin/` in this repository (docs/plugins.md). Every string
that reaches it from the model is checked or escaped here: names become file
names, C++ string literals and CMake values.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import _lib
from .certificate import certify
from .ir import Config, IRError, render_engine, to_dict, to_text, write_text_atomic

FORMATS = ("vst3", "lv2", "standalone")
_JUCE_FORMAT = {"vst3": "VST3", "lv2": "LV2", "standalone": "Standalone"}
# Verdicts that prove the loops decay; every other one stops a strict export.
_ACCEPTED = ("certified-stable", "marginally-stable")
# Characters a plugin or manufacturer name may hold: they become file names, C++
# string literals and CMake values, and every one of these is inert in all three.
_NAME_CHARS = re.compile(r"[A-Za-z0-9 _.()+-]")
_DEFAULT_CONTROLS = {"rt60": True, "dry_wet": True, "pre_delay": True}
_TAIL_QUIET_DB = -90.0
_TAIL_CAP_S = 60.0


class ExportError(RuntimeError):
    """The export stopped: a refused certificate, a missing tool, a failed build."""


def _source_root() -> Path:
    """The folder holding plugin/, ir/, engine/ and certify/: ADAC_SOURCE_DIR, the
    copy a wheel ships in the package, or the checkout the package runs from."""
    env = os.environ.get("ADAC_SOURCE_DIR")
    here = Path(__file__).resolve().parent
    for root in ([Path(env)] if env else []) + [here / "src", here.parent.parent]:
        if (root / "plugin" / "CMakeLists.txt").is_file():
            return root
    raise ExportError("the plugin sources (plugin/CMakeLists.txt) were not found; set ADAC_SOURCE_DIR "
                      "to an ADAC checkout")


def _check_name(value: str, what: str) -> str:
    bad = sorted({ch for ch in value if not _NAME_CHARS.fullmatch(ch)})
    if bad or not value.strip() or len(value) > 64:
        shown = ", ".join(repr(ch) for ch in bad[:8])
        raise ValueError(f"{what} {value!r}: use 1 to 64 letters, digits, spaces and _ . ( ) + -"
                         + (f" (not {shown})" if bad else ""))
    return value.strip()


def _name_from_model(model_name: str) -> str:
    """The model's own name made safe: any other character becomes '_'."""
    safe = "".join(ch if _NAME_CHARS.fullmatch(ch) else "_" for ch in model_name)[:64].strip()
    return safe if safe.strip("_ ") else "ADAC model"


def _four_char_code(seed: str, given: str | None, what: str) -> str:
    """A JUCE plugin or manufacturer code: four ASCII letters or digits, the first
    upper-case. Derived from `seed` (so the same name keeps its identity across
    exports) unless given."""
    if given is not None:
        if not re.fullmatch(r"[A-Za-z0-9]{4}", given) or not any(c.isupper() for c in given):
            raise ValueError(f"{what} {given!r}: four letters or digits, at least one upper-case")
        return given
    digest = hashlib.sha256(seed.encode()).digest()
    lower = "abcdefghijklmnopqrstuvwxyz0123456789"
    return chr(ord("A") + digest[0] % 26) + "".join(lower[b % len(lower)] for b in digest[1:4])


def _c_string(text: str) -> str:
    """A C++ string literal holding text's UTF-8 bytes; every byte but letters,
    digits and a few inert characters is an octal escape, so nothing in a model
    can end the literal or start a comment or trigraph."""
    out, line = [], []
    for b in text.encode():
        ch = chr(b)
        line.append(ch if (ch.isalnum() and b < 128) or ch in " _.,:-+" else f"\\{b:03o}")
        if len(line) >= 96:
            out.append('"' + "".join(line) + '"')
            line = []
    out.append('"' + "".join(line) + '"')
    return "\n    ".join(out)


def _tail_seconds(text: str, controls: dict | None, described: list) -> float:
    """How long the model rings after its input stops: until its impulse
    responses have fallen 90 dB below their peak (rendered by the engine), or the
    longest an rt60 knob can ask for, whichever is longer; at most 60 s."""
    cfg = to_dict(text)
    fs = float(cfg["fs"])
    n = int(2 * fs)
    while True:
        h = render_engine(text, n, controls=controls)
        env = np.abs(h).reshape(n, -1).max(axis=1)
        peak = env.max()
        if peak == 0:
            tail = 0.0
            break
        loud = np.nonzero(env > peak * 10 ** (_TAIL_QUIET_DB / 20))[0]
        last = int(loud[-1]) + 1
        if last < 0.9 * n or n >= _TAIL_CAP_S * fs:
            tail = last / fs
            break
        n = int(min(2 * n, _TAIL_CAP_S * fs))
    for c in described:
        if c["name"] == "rt60":
            tail = max(tail, 1.5 * c["max"])  # 90 dB of a decay of 60 dB per rt60
    return min(tail, _TAIL_CAP_S)


def _model_header(cfg: dict, text: str, controls: dict | None, described: list, tail_s: float,
                  backend: str) -> str:
    n_in, n_out = _lib.check(text)  # the loader's channel counts, as engine and emitter take them
    lines = ["/* Generated by adac-export: the model this plugin runs. Do not edit. */",
             "#pragma once",
             '#include "plugin_model.h"',
             f"#define ADAC_MODEL_FS {float(cfg['fs'])!r}",
             f"#define ADAC_MODEL_INPUTS {n_in}",
             f"#define ADAC_MODEL_OUTPUTS {n_out}",
             f"#define ADAC_MODEL_TAIL_SECONDS {tail_s!r}",
             f"#define ADAC_MODEL_N_PARAMS {len(described)}"]
    rows = [f"    {{{_c_string(c['name'])}, {_c_string(c['unit'])}, {float(c['init'])!r}, "
            f"{float(c['min'])!r}, {float(c['max'])!r}}}," for c in described]
    lines.append("static const adac_plugin_param adac_model_params[] = {")
    lines += rows or ["    {\"\", \"\", 0.0, 0.0, 0.0},"]
    lines.append("};")
    if backend in ("engine", "live"):
        lines.append("static const char adac_model_ir_json[] =\n    " + _c_string(text) + ";")
        lines.append("static const char adac_model_controls_json[] =\n    "
                     + _c_string(json.dumps(controls) if controls else "null") + ";")
    return "\n".join(lines) + "\n"


def _resolve_controls(text: str, controls, log) -> tuple[dict | None, list]:
    if controls is None:
        try:
            return dict(_DEFAULT_CONTROLS), _lib.controls_describe(text, _DEFAULT_CONTROLS)
        except IRError as e:
            fallback = {k: v for k, v in _DEFAULT_CONTROLS.items() if k != "rt60"}
            log(f"rt60 is left out ({e})")
            return fallback, _lib.controls_describe(text, fallback)
    if isinstance(controls, str):
        try:
            controls = json.loads(controls)
        except json.JSONDecodeError as e:
            raise ValueError(f"controls: not JSON ({e})") from None
    if controls is not None and not isinstance(controls, dict):
        raise ValueError("controls must be an object such as {\"rt60\": true}")
    return controls, _lib.controls_describe(text, controls) if controls else []


class _Progress:
    def __init__(self, total: int, log):
        self.total, self.step, self.log, self.start = total, 0, log, time.monotonic()

    def __call__(self, what: str):
        self.step += 1
        self.log(f"[{self.step}/{self.total}] {what}")


def _run_build(cmd: list[str], log_path: Path, env: dict, what: str) -> float:
    """Runs one build command with its output in log_path; on failure raises
    with the compiler's own error lines, not the whole log."""
    t0 = time.monotonic()
    with open(log_path, "a", encoding="utf-8", errors="replace") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env).returncode
    if rc != 0:
        text = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        picked = []
        for i, line in enumerate(text):
            if re.search(r"(fatal )?error:|undefined reference", line):
                picked.append(line)
            elif line.startswith("CMake Error"):
                picked.extend(text[i:i + 4])
            if len(picked) > 30:
                break
        detail = "\n".join(dict.fromkeys(picked)) or "\n".join(text[-20:])
        raise ExportError(f"{what} failed:\n{detail}\n(full log: {log_path})")
    return time.monotonic() - t0


def _replace_tree(src: Path, dest: Path) -> None:
    """Puts a copy of src (a bundle folder or a file) at dest, whole: copied beside
    dest first, then renamed over it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".adac-", dir=dest.parent))
    staged = tmp / dest.name
    try:
        if src.is_dir():
            shutil.copytree(src, staged, symlinks=True)
        else:
            shutil.copy2(src, staged)
        if dest.is_dir() and not dest.is_symlink():
            old = tmp / (dest.name + ".old")
            os.replace(dest, old)
        elif dest.exists() or dest.is_symlink():
            dest.unlink()
        os.replace(staged, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_plugin(config: Config, outdir: os.PathLike | str, name: str | None = None,
                  controls: dict | str | None = None, formats=FORMATS, backend: str = "faust",
                  precision: str = "single", strict: bool = True, install: bool = True,
                  manufacturer: str = "ADAC", plugin_code: str | None = None,
                  manufacturer_code: str | None = None, vst3_dir: os.PathLike | str | None = None,
                  lv2_dir: os.PathLike | str | None = None, juce_dir: os.PathLike | str | None = None,
                  cache_dir: os.PathLike | str | None = None, watch: os.PathLike | str | None = None,
                  log=None) -> dict:
    """Builds a model into plugins and installs them.

    Args:
        config: the model (dict, JSON text or path of a .json file).
        outdir: where the bundles, the .dsp, its .cert.json and the build go.
        name: the plugin's name in hosts (letters, digits, spaces, _ . ( ) + -);
            default: the model's name, other characters replaced by '_'.
        controls: macro-controls as host parameters (as in json_to_faust, or JSON
            text); default rt60 (where it applies), dry_wet and pre_delay.
        formats: any of "vst3", "lv2", "standalone".
        backend: "faust" (the emitted FAUST compiled to C++ ahead of time),
            "engine" (ADAC's C engine with the IR embedded), or
            "live" (ADAC Live: the engine, starting on this model and reloading
            the file `watch` whenever it changes, as adac-run --watch does).
        precision: "single" or "double": the arithmetic of the FAUST or engine
            back end (and the precision the certificate checks the parameters
            in); the live back end always runs in double.
        strict: refuse a model whose certificate is not certified-stable or
            marginally-stable, before anything is built.
        install: copy the VST3 to vst3_dir and the LV2 to lv2_dir.
        manufacturer: the manufacturer hosts show (the same characters as name).
        plugin_code: the plugin's four-character code (one upper-case); default:
            derived from manufacturer and name, so exporting the same model again
            replaces the same plugin in the host.
        manufacturer_code: the manufacturer's code; default: derived from it.
        vst3_dir: where install puts the VST3 (default $ADAC_VST3_DIR or ~/.vst3).
        lv2_dir: where install puts the LV2 (default $ADAC_LV2_DIR or ~/.lv2).
        juce_dir: a JUCE installation's CMake folder (default: the one CMake finds).
        cache_dir: the compiler cache (default $ADAC_CACHE_DIR or ~/.cache/adac).
        watch: the live back end's model file (an IR .json, e.g. HotReload's
            path); a setting the host saves with its session.
        log: called with each progress line (default: print to stderr).

    Returns a dict of the paths written ("vst3", "lv2", "standalone", "dsp",
    "cert", "installed") and the seconds each stage took ("times")."""
    # Progress lines carry names, paths and messages that may hold a model's text:
    # escaped before they reach a terminal.
    say = log or (lambda m: print(f"adac-export: {_lib_escape(m)}", file=sys.stderr, flush=True))
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats: choose from {', '.join(FORMATS)} (got {', '.join(formats) or 'none'})")
    if backend not in ("faust", "engine", "live"):
        raise ValueError(f"backend must be 'faust', 'engine' or 'live', got {backend!r}")
    if (backend == "live") != (watch is not None):
        raise ValueError("the live back end takes watch= (the model file it reloads), and only it")
    _lib.check_precision(precision)
    text = to_text(config)
    cfg = to_dict(text)
    display = _check_name(name, "name") if name is not None else _name_from_model(str(cfg.get("name", "")))
    manufacturer = _check_name(manufacturer, "manufacturer")
    product = re.sub(r"[^A-Za-z0-9_.+-]", "_", display)
    pcode = _four_char_code(f"{manufacturer}/{display}", plugin_code, "plugin_code")
    mcode = _four_char_code(manufacturer, manufacturer_code, "manufacturer_code")
    progress = _Progress(4 + len(formats) + (1 if install else 0), say)

    # 1. The certificate decides before anything is written, on the parameters as
    #    the plugin holds them. The live back end runs in double precision.
    progress("certificate")
    controls, described = _resolve_controls(text, controls, say)
    cert_precision = "double" if backend == "live" else precision
    if backend == "live" and precision == "single":
        say("the live back end computes in double precision")
    cert = certify(text, controls=controls, precision=cert_precision)
    verdict = cert["verdict"]
    if verdict not in _ACCEPTED:
        why = cert.get("summary", "")
        if strict:
            raise ExportError(f"refused: the certificate's verdict is {verdict}: {why} "
                              "(fix the model, or pass strict=False / --no-strict to build it anyway)")
        say(f"building anyway (not strict): the certificate's verdict is {verdict}: {why}")
    else:
        say(f"certificate: {verdict}")

    # 2. Sources: the IR, the .dsp and its certificate, the model header and, for
    #    the FAUST back end, the FAUST compiled to C++.
    progress("generating sources")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    work = out / f"{product}.build"
    gen = work / "generated"
    gen.mkdir(parents=True, exist_ok=True)
    dsp_path = out / f"{product}.dsp"
    cert_path = out / f"{product}.cert.json"
    write_text_atomic(out / f"{product}.json", text)
    write_text_atomic(dsp_path, _lib.to_faust(text, controls))
    write_text_atomic(cert_path, json.dumps(cert, indent=1) + "\n")
    tail_s = _tail_seconds(text, controls, described)
    header = _model_header(cfg, text, controls, described, tail_s, backend)
    header += f"#define ADAC_MODEL_SINGLE_PRECISION {int(cert_precision == 'single')}\n"
    if backend == "live":
        header += ("static const char adac_model_watch_path[] =\n    "
                   + _c_string(str(Path(watch).expanduser().resolve())) + ";\n")
    write_text_atomic(gen / "adac_model_info.h", header)
    times = {}
    if backend == "faust":
        faust = shutil.which("faust")
        if not faust:
            raise ExportError("the faust compiler is not installed (Debian package 'faust'; ./setup.sh installs it)")
        cmd = [faust, "-lang", "cpp", "-cn", "adac_faust_dsp", "-o", str(gen / "adac_faust_model.cpp"), str(dsp_path)]
        if precision == "double":
            cmd.insert(1, "-double")
        t0 = time.monotonic()
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise ExportError(f"faust failed on {dsp_path}:\n{r.stderr.strip()}")
        times["faust"] = time.monotonic() - t0

    # 3. Configure the JUCE project, compiled through ccache: the JUCE modules do
    #    not depend on the model, so after the first export they come from the cache.
    progress("configuring (CMake, JUCE)")
    root = _source_root()
    build = work / "cmake"
    env = dict(os.environ)
    cache = Path(cache_dir or os.environ.get("ADAC_CACHE_DIR") or Path.home() / ".cache" / "adac")
    defines = {
        "CMAKE_BUILD_TYPE": "Release", "ADAC_GENERATED_DIR": str(gen.resolve()), "ADAC_BACKEND": backend,
        "ADAC_PLUGIN_NAME": display, "ADAC_PRODUCT_NAME": product, "ADAC_MANUFACTURER": manufacturer,
        "ADAC_MANUFACTURER_CODE": mcode, "ADAC_PLUGIN_CODE": pcode,
        "ADAC_LV2_URI": f"https://adac.invalid/plugins/{mcode}/{pcode}",  # JUCE takes http(s) URIs
        "ADAC_FORMATS": ";".join(_JUCE_FORMAT[f] for f in formats),
    }
    if juce_dir:
        # CMake quietly searches elsewhere when JUCE_DIR holds no JUCE: say so here.
        if not (Path(juce_dir) / "JUCEConfig.cmake").is_file():
            raise ExportError(f"juce_dir {juce_dir}: no JUCEConfig.cmake there (give the folder of a JUCE "
                              "installation's CMake files, e.g. /usr/lib/x86_64-linux-gnu/cmake/JUCE-7.0.5)")
        defines["JUCE_DIR"] = str(juce_dir)
    if shutil.which("ccache"):
        defines["CMAKE_CXX_COMPILER_LAUNCHER"] = defines["CMAKE_C_COMPILER_LAUNCHER"] = "ccache"
        env.update(CCACHE_DIR=str(cache / "ccache"), CCACHE_BASEDIR=str(work.resolve()),
                   CCACHE_NOHASHDIR="1", CCACHE_SLOPPINESS="time_macros,include_file_mtime,include_file_ctime",
                   CCACHE_MAXSIZE=env.get("CCACHE_MAXSIZE", "5G"))
    else:
        say("ccache is not installed: every export compiles JUCE in full (Debian package 'ccache')")
    for tool in ("cmake", "ninja"):
        if not shutil.which(tool):
            raise ExportError(f"{tool} is not installed (./setup.sh installs it)")
    log_path = work / "build.log"
    log_path.write_text("")
    cmd = ["cmake", "-S", str(root / "plugin"), "-B", str(build), "-G", "Ninja"]
    cmd += [f"-D{k}={v}" for k, v in defines.items()]
    times["configure"] = _run_build(cmd, log_path, env, "configuring the plugin project")

    # 4. One build per format, each a stage of its own.
    artefacts = build / "adac_plugin_artefacts" / "Release"
    built = {}
    for fmt in formats:
        kind = _JUCE_FORMAT[fmt]
        progress(f"building {kind}")
        times[fmt] = _run_build(["cmake", "--build", str(build), "--target", f"adac_plugin_{kind}"],
                                log_path, env, f"building the {kind} plugin")
        say(f"{kind} built in {times[fmt]:.1f} s")
        src = artefacts / kind / (product + {"vst3": ".vst3", "lv2": ".lv2", "standalone": ""}[fmt])
        if not src.exists():
            raise ExportError(f"the {kind} build left no {src}")
        # The certificate travels inside the bundle.
        if fmt == "vst3":
            (src / "Contents" / "Resources").mkdir(parents=True, exist_ok=True)
            shutil.copy2(cert_path, src / "Contents" / "Resources" / cert_path.name)
        elif fmt == "lv2":
            shutil.copy2(cert_path, src / cert_path.name)
        dest = out / src.name
        _replace_tree(src, dest)
        built[fmt] = str(dest)

    # 5. Installation where hosts look.
    installed = {}
    if install:
        progress("installing")
        where = {"vst3": Path(vst3_dir or os.environ.get("ADAC_VST3_DIR") or Path.home() / ".vst3"),
                 "lv2": Path(lv2_dir or os.environ.get("ADAC_LV2_DIR") or Path.home() / ".lv2")}
        for fmt in ("vst3", "lv2"):
            if fmt in built:
                dest = where[fmt] / Path(built[fmt]).name
                _replace_tree(Path(built[fmt]), dest)
                installed[fmt] = str(dest)
                say(f"installed {dest}")
    progress("done")
    total = time.monotonic() - progress.start
    times["total"] = total
    say(f"{display} ({backend}, {precision}): {', '.join(built.values())} in {total:.1f} s")
    return {**built, "dsp": str(dsp_path), "cert": str(cert_path), "verdict": verdict,
            "installed": installed, "times": times, "plugin_code": pcode, "manufacturer_code": mcode,
            "name": display, "tail_seconds": tail_s}


# The name users of the original package know: the same function.
export_juce = export_plugin


def main(argv=None) -> int:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="adac-export",
        description="Build a model (IR .json) into VST3, LV2 and Standalone plugins with JUCE, after "
                    "its stability certificate, and install them (~/.vst3, ~/.lv2).")
    p.add_argument("model", help="the model's IR (.json)")
    p.add_argument("outdir", help="where the bundles, the .dsp and its .cert.json go")
    p.add_argument("--name", help="the plugin's name in hosts (default: the model's)")
    p.add_argument("--controls", help='macro-controls as JSON, e.g. \'{"rt60": true}\' (default: rt60, '
                                      'dry_wet, pre_delay)')
    p.add_argument("--formats", default="vst3,lv2,standalone", help="comma-separated: vst3,lv2,standalone")
    p.add_argument("--backend", choices=("faust", "engine", "live"), default="faust",
                   help="faust: the emitted FAUST compiled ahead of time; engine: ADAC's C engine; "
                        "live: ADAC Live, the engine reloading the --watch file")
    p.add_argument("--watch", help="--backend live: the model file to reload whenever it changes")
    p.add_argument("--double", action="store_true",
                   help="FAUST or engine back end in double precision (default single)")
    p.add_argument("--no-install", action="store_true", help="leave the bundles in OUTDIR only")
    p.add_argument("--no-strict", action="store_true", help="build even if the certificate does not prove stability")
    p.add_argument("--manufacturer", default="ADAC")
    p.add_argument("--plugin-code", help="four characters, one upper-case (default: derived from the name)")
    p.add_argument("--vst3-dir", help="install the VST3 here (default $ADAC_VST3_DIR or ~/.vst3)")
    p.add_argument("--lv2-dir", help="install the LV2 here (default $ADAC_LV2_DIR or ~/.lv2)")
    p.add_argument("--juce-dir", help="a JUCE installation's CMake folder (default: Debian's)")
    p.add_argument("--version", action="version", version=f"adac-export {__version__}")
    a = p.parse_args(argv)
    try:
        result = export_plugin(a.model, a.outdir, name=a.name, controls=a.controls,
                               formats=[f.strip() for f in a.formats.split(",") if f.strip()],
                               backend=a.backend, precision="double" if a.double else "single",
                               strict=not a.no_strict, install=not a.no_install,
                               manufacturer=a.manufacturer, plugin_code=a.plugin_code,
                               vst3_dir=a.vst3_dir, lv2_dir=a.lv2_dir, juce_dir=a.juce_dir, watch=a.watch)
    except (ExportError, IRError, ValueError, OSError) as e:
        print(f"adac-export: {_lib_escape(str(e))}", file=sys.stderr)
        return 2 if isinstance(e, ValueError) and not isinstance(e, IRError) else 1
    for key in FORMATS:
        if key in result:
            print(f"wrote {_lib_escape(result[key])}")
    return 0


def _lib_escape(text: str) -> str:
    """Control characters in a message (from a model's name or a path) shown as
    escapes, so a terminal never interprets them."""
    return "".join(ch if ch == "\n" or (ord(ch) >= 32 and ord(ch) != 127) else f"\\x{ord(ch):02x}" for ch in text)


if __name__ == "__main__":
    sys.exit(main())
