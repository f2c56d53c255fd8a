#!/usr/bin/env bash
# Sets ADAC up on a fresh Debian machine and runs the main job on the bundled
# example. Safe to run again: each step skips what is already done.
#
#   ./setup.sh            install, build, then compile + verify + render + plot the example
#   ./setup.sh --no-demo  install and build only
set -euo pipefail
cd "$(dirname "$0")"
demo=1
[ "${1:-}" = "--no-demo" ] && demo=0

say() { printf '\n== %s\n' "$*"; }

# 1. Debian packages (C dependencies, libfaust, Criterion; for plugin export: JUCE's
#    modules and what they build against, libsamplerate, ccache for the JUCE build
#    cache, and lilv with the LV2 headers for the LV2 test host; JACK2, whose dummy
#    driver the real-time test plays through).
debs=(build-essential pkg-config cmake ninja-build faust libcjson-dev portaudio19-dev
      libsndfile1-dev libsoxr-dev libopenblas-dev liblapacke-dev libcriterion-dev python3-venv
      juce-modules-source libsamplerate0-dev ccache libasound2-dev libfreetype-dev libfontconfig1-dev
      libx11-dev libxrandr-dev libxinerama-dev libxcursor-dev libxext-dev libgl-dev
      lv2-dev liblilv-dev lilv-utils jackd2)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Python environment: torch pinned before anything that depends on it.
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
PY=.venv/bin/python
PIP=(.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt)
# pip notes every local index folder that lacks a package; that is noise here.
export PIP_NO_WARN_SCRIPT_LOCATION=1
if ! $PY -c "import torch, flamo, pyFDN, scikit_build_core, pytest, jsonschema, pedalboard" 2>/dev/null; then
  say "installing Python packages into .venv (torch 2.13.0 CPU, flamo, build tools)"
  "${PIP[@]}" scikit-build-core cmake ninja pytest jsonschema numpy
  "${PIP[@]}" torch==2.13.0
  "${PIP[@]}" scipy matplotlib soundfile nnaudio pyfar pydantic pyyaml tqdm sympy
  # pedalboard: the VST3 host the plugin tests load exported plugins in.
  "${PIP[@]}" pedalboard
  # flamo declares torchaudio, which `import flamo` does not use and which has no
  # build matching torch 2.13.0 on CPU: install flamo itself without it.
  "${PIP[@]}" --no-deps flamo==0.2.20
  # pyFDN (tests compare dss_to_json with its own renders); its dependencies are above.
  "${PIP[@]}" --no-deps pyfdn==0.5.0
fi

# 3. The package with its C library and command-line tools (adac-run, adac-faust,
#    adac-verify, adac-bench, adac-certify, adac-export land in .venv/bin).
say "building the C library and tools (pip install -e .)"
mkdir -p build
if ! "${PIP[@]}" --no-build-isolation -e . > build/pip-install.log 2>&1; then
  grep -v "is ignored" build/pip-install.log | tail -40 >&2
  echo "setup: pip install -e . failed (full log: build/pip-install.log)" >&2
  exit 1
fi
$PY -c "import adac" || { echo "setup: import adac failed" >&2; exit 1; }
for t in adac-run adac-faust adac-verify adac-bench adac-certify adac-export; do
  [ -x .venv/bin/$t ] || { echo "setup: .venv/bin/$t missing" >&2; exit 1; }
done

# 4. Developer build with the Criterion tests.
say "building the C tests (build/dev)"
cmake -S . -B build/dev -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/dev >/dev/null

[ $demo -eq 1 ] || exit 0

# 5. The main job on the bundled example: FLAMO model -> IR -> FAUST, verified.
say "compiling the bundled example (examples/fdn8.json)"
mkdir -p out
PATH="$PWD/.venv/bin:$PATH"
adac-faust examples/fdn8.json -o out/fdn8.dsp
echo "wrote out/fdn8.dsp"
adac-verify examples/fdn8.json out/fdn8.dsp --json out/fdn8.verify.json
adac-certify examples/fdn8.json --dsp out/fdn8.dsp
adac-run examples/fdn8.json --ir 48000 --out out/fdn8_ir.wav
$PY examples/plot_responses.py examples/fdn8.json out/fdn8.dsp -o out/fdn8_responses.png
# 6. ... and into plugins (VST3 in ~/.vst3, LV2 in ~/.lv2, Standalone in out/plugins).
adac-export examples/fdn8.json out/plugins
