#!/usr/bin/env bash
# Fuzzes the decoders, the pipeline parser and both backends with mutated .npy/PNG/JPEG files and
# malformed pipelines for at most SECONDS (default 30), and fails on any crash or hang.
#   scripts/fuzz.sh [SECONDS] [extra AugmentFuzz arguments, e.g. --files 2000 --pipelines 5000 --seed 7]
# CI runs a small sample (scripts/fuzz.sh 45). The seed defaults to the day of the year, so each day
# samples other cases; a failure prints the replay command and keeps the failing input.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_BUDGET="${1:-30}"
shift || true
if [[ ! -x .build/debug/AugmentFuzz ]]; then
    swift build --product AugmentFuzz
fi
SEED="$(date +%j | sed 's/^0*//')"
exec .build/debug/AugmentFuzz --seconds "$SECONDS_BUDGET" --files 150 --pipelines 300 --seed "${SEED:-1}" "$@"
