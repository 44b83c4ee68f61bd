#!/usr/bin/env bash
# The main job on built-in data: installs what is missing, builds in release mode, lists the OpenCL
# devices, augments synthetic scenes and spectrograms on the OpenCL device (the CPU backend with a
# warning when there is none), writes PNG contact sheets to ./augment-demo and prints the
# throughput. Extra arguments go to `augment demo` (e.g. --output DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "==> building (release)"
swift build -c release --product augment
bin="$(swift build -c release --show-bin-path)/augment"

echo "==> augment devices"
"$bin" devices || echo "(no OpenCL device: the demo runs on the CPU backend)"
echo
echo "==> augment demo"
"$bin" demo "$@"
