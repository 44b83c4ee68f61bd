#!/usr/bin/env bash
# The Python package's tests: builds libSwiftAugment and the `augment` CLI with SwiftPM (debug,
# reusing .build), installs `pip install ./python` into a venv under .python-venv/ (ignored; it
# sees the system's numpy and pytest) with that library, and runs pytest on python/tests.
# Prints pytest's summary line; exits non-zero when a test fails or none ran.
# Extra arguments go to pytest (e.g. -k parity).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> swift build --product SwiftAugment / augment"
swift build --product SwiftAugment
swift build --product augment
bin="$(swift build --show-bin-path)"
library="$bin/libSwiftAugment.so"
[[ -f "$bin/libSwiftAugment.dylib" ]] && library="$bin/libSwiftAugment.dylib"

venv=.python-venv
python="${PYTHON:-python3}"
if [[ ! -x "$venv/bin/python" ]]; then
    echo "==> $python -m venv --system-site-packages $venv"
    "$python" -m venv --system-site-packages "$venv"
fi
# numpy and pytest from the system when it has them; wheel lets pip build without a fresh isolated env.
"$venv/bin/python" - <<'PY' || "$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy pytest "setuptools>=61" wheel
import numpy, pytest, setuptools, wheel
PY

echo "==> pip install ./python (SWIFT_AUGMENT_LIBRARY=$library)"
SWIFT_AUGMENT_LIBRARY="$library" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --force-reinstall --no-deps ./python

echo "==> pytest python/tests"
status=0
AUGMENT_CLI="$bin/augment" "$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests "$@" || status=$?
if [[ $status -eq 5 ]]; then
    echo "test-python: pytest collected no tests" >&2
    exit 1
fi
exit $status
