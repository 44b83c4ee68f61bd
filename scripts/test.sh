#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit tests and the CPU-vs-OpenCL
# parity tests on the default OpenCL device; PoCL on a machine without a GPU).
# Exits non-zero when any test fails. Extra arguments go to `swift test` (e.g. --filter Warp).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "==> swift build (tests)"
swift build --build-tests
echo "==> swift test"
swift test --skip-build "$@"
