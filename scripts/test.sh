#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
#   1. swift test: unit tests and the CPU-vs-OpenCL parity tests on the default OpenCL device
#      (PoCL on a machine without a GPU);
#   2. a fuzz sample (scripts/fuzz.sh 45: mutated files and pipelines, both backends) and pytest on
#      the Python package (scripts/test-python.sh);
#   3. augment verify (every registered transform, CPU vs OpenCL) on Intel's OpenCL CPU runtime;
#   4. augment verify on small shapes under Oclgrind, failing on any Oclgrind report (out-of-range
#      or uninitialized memory, data races, API misuse).
# The OpenCL implementations are installed by scripts/opencl-implementations.sh (apt, and PyPI into
# the ignored .opencl/ folder). Each step prints its summary line; the script exits non-zero when
# any step fails. Extra arguments go to `swift test` (e.g. --filter Warp).
# AUGMENT_TEST_IMPLEMENTATIONS (default "intel oclgrind") chooses the extra implementations; set it
# empty for a PoCL-only run while iterating.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

implementations="${AUGMENT_TEST_IMPLEMENTATIONS-intel oclgrind}"
if [ -n "$implementations" ]; then
    scripts/opencl-implementations.sh install >/dev/null
fi

echo "==> swift build (tests)"
swift build --build-tests
bin="$(swift build --show-bin-path)/augment"

failed=()
summary=()
step() {
    local name="$1"
    shift
    local started=$SECONDS status=0
    "$@" || status=$?
    summary+=("$name: $([ $status -eq 0 ] && echo passed || echo "FAILED (exit $status)") in $((SECONDS - started)) s")
    [ $status -eq 0 ] || failed+=("$name")
}

echo "==> swift test (default OpenCL device)"
step "swift test" swift test --skip-build "$@"

# Oclgrind simulates on one thread while the steps below are busy elsewhere: it runs alongside them
# (its output is printed, and its result counted, when they are done).
oclgrind_log=""
if [[ " $implementations " == *" oclgrind "* ]]; then
    oclgrind_log="$(mktemp "${TMPDIR:-/tmp}/augment-oclgrind.XXXXXX")"
    oclgrind_started=$SECONDS
    (scripts/opencl-implementations.sh run oclgrind "$bin" verify --shapes small >"$oclgrind_log" 2>&1
     echo $? >"$oclgrind_log.status") &
    oclgrind_pid=$!
    trap 'kill "$oclgrind_pid" 2>/dev/null || true' EXIT
fi

echo "==> fuzz sample: mutated files and malformed pipelines on both backends (45 s budget)"
step "fuzz sample" bash scripts/fuzz.sh 45

echo "==> pytest: the Python package (pip install ./python into .python-venv)"
step "pytest (python/)" bash scripts/test-python.sh

for implementation in $implementations; do
    case "$implementation" in
        intel)
            echo "==> augment verify on Intel's OpenCL CPU runtime"
            step "verify on Intel's CPU runtime" scripts/opencl-implementations.sh run intel "$bin" verify
            # Clips, views and TTA batch samples differently but launch the same kernels: their
            # parity suite runs here too, and so do the runs that use host memory in place (Intel's
            # runtime copies misaligned host memory internally: a different path from PoCL's).
            echo "==> clip, view and TTA parity and host memory in place on Intel's CPU runtime"
            step "clip/view/TTA parity and host memory on Intel's CPU runtime" \
                scripts/opencl-implementations.sh run intel swift test --skip-build \
                --filter "ClipViewTTAParity|HostMemoryTests" ;;
        oclgrind)
            ;;  # started above, in the background
        pocl)
            echo "==> augment verify on PoCL"
            step "verify on PoCL" scripts/opencl-implementations.sh run pocl "$bin" verify ;;
        *)
            echo "error: unknown implementation '$implementation' in AUGMENT_TEST_IMPLEMENTATIONS" >&2
            failed+=("$implementation") ;;
    esac
done

if [ -n "$oclgrind_log" ]; then
    wait "$oclgrind_pid" || true
    echo "==> augment verify --shapes small under Oclgrind (memory, uninitialized values, data races, API)"
    cat "$oclgrind_log"
    status="$(cat "$oclgrind_log.status" 2>/dev/null || echo 1)"
    summary+=("verify under Oclgrind (alongside the steps above): $([ "$status" -eq 0 ] && echo passed || echo "FAILED (exit $status)") in $((SECONDS - oclgrind_started)) s")
    [ "$status" -eq 0 ] || failed+=("verify under Oclgrind")
    rm -f "$oclgrind_log" "$oclgrind_log.status"
fi

echo
echo "==> summary"
for line in "${summary[@]}"; do echo "  $line"; done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "all steps passed"
