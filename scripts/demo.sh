#!/usr/bin/env bash
# The main job on built-in data: installs what is missing, builds in release mode, lists the OpenCL
# devices and runs every registered transform on the CPU reference and the OpenCL device,
# printing how far apart they are. Extra arguments go to `augment verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "==> building (release)"
swift build -c release --product augment
bin="$(swift build -c release --show-bin-path)/augment"

echo "==> augment devices"
"$bin" devices
echo
echo "==> augment verify"
"$bin" verify "$@"
