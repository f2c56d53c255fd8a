#!/usr/bin/env bash
# Runs every test: the Criterion tests of the C core (through ctest) and the pytest
# suite (conformance matrix against real FLAMO models, front end, command-line
# tools), and the IR fuzzer on a sanitizer build. Installs and builds first if needed (./setup.sh --no-demo).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh --no-demo
printf '\n== C tests (Criterion, via ctest)\n'
(cd build/dev && ctest --output-on-failure)
printf '\n== The C tests again and the fuzzer (mutated IR files through the library and tools), built with ASan + UBSan (build/asan)\n'
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DADAC_SANITIZE=ON \
      -DADAC_BUILD_TESTS=ON -DADAC_BUILD_FUZZ=ON >/dev/null
cmake --build build/asan >/dev/null
(cd build/asan && ctest --output-on-failure)
printf '\n== Python tests (pytest)\n'
.venv/bin/python -m pytest -q -p no:cacheprovider
