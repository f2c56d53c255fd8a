#!/usr/bin/env bash
# Runs every test: the Criterion tests of the C core (through ctest) and the pytest
# suite (conformance matrix against real FLAMO models, front end, command-line
# tools). Installs and builds first if needed (./setup.sh --no-demo).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh --no-demo
printf '\n== C tests (Criterion, via ctest)\n'
(cd build/dev && ctest --output-on-failure)
printf '\n== Python tests (pytest)\n'
.venv/bin/python -m pytest -q -p no:cacheprovider
