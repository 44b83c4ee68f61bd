#!/usr/bin/env bash
# The OpenCL implementations that run on a machine without a GPU, side by side:
#   pocl      PoCL's CPU device (Debian package pocl-opencl-icd; the default device)
#   intel     Intel's OpenCL CPU runtime (PyPI wheels intel-opencl-rt, intel-cmplr-lib-rt, tbb),
#             unpacked into .opencl/intel inside this checkout (git ignores .opencl/): never system-wide
#   oclgrind  Oclgrind, a simulator that reports out-of-range and uninitialized memory, data races and
#             API misuse (Debian package oclgrind)
#
# Usage:
#   scripts/opencl-implementations.sh install        install what is missing (apt + PyPI), print how to select each
#   scripts/opencl-implementations.sh env NAME       print the `export` lines that select NAME (pocl|intel|oclgrind|all)
#   scripts/opencl-implementations.sh run NAME CMD…  run CMD with NAME selected (oclgrind: under the
#                                                    simulator with memory, uninitialized-value, data-race
#                                                    and API checks; exits 1 when Oclgrind reports anything)
#
# `all` registers every implementation at once (`augment devices` then lists each platform).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.opencl"
intel_dir="$dir/intel"
vendors="$dir/vendors"
# Versions that were checked on these machines (see docs/gpu.md).
intel_packages=(intel-opencl-rt==2026.2.0 intel-cmplr-lib-rt==2026.2.0 tbb==2023.2.0)
oclgrind_icd_library=/usr/lib/oclgrind/liboclgrind-rt-icd.so

log() { echo "==> $*" >&2; }

install_apt() {
    local missing=()
    for package in pocl-opencl-icd oclgrind ocl-icd-libopencl1 clinfo; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} (apt)"
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_intel() {
    if [ -f "$intel_dir/lib/libintelocl.so" ] && [ -f "$intel_dir/.complete" ]; then
        return 0
    fi
    local python
    python="$(command -v python3 || true)"
    if [ -z "$python" ]; then
        echo "error: python3 (with pip) is needed to download Intel's OpenCL CPU runtime from PyPI" >&2
        return 1
    fi
    log "downloading Intel's OpenCL CPU runtime (${intel_packages[*]}) from PyPI into $intel_dir"
    rm -rf "$intel_dir"
    local staging="$dir/.intel-staging"
    rm -rf "$staging"
    mkdir -p "$staging/wheels" "$staging/unpacked" "$intel_dir/lib"
    "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$staging/wheels" "${intel_packages[@]}"
    for wheel in "$staging"/wheels/*.whl; do
        "$python" -m zipfile -e "$wheel" "$staging/unpacked"
    done
    cp -a "$staging"/unpacked/*.data/data/lib/. "$intel_dir/lib/"
    # Keep the system's ICD loader: the wheel's own libOpenCL would bypass every other implementation.
    rm -f "$intel_dir"/lib/libOpenCL.so*
    rm -rf "$staging"
    touch "$intel_dir/.complete"
}

write_vendors() {
    mkdir -p "$vendors"
    rm -f "$vendors"/*.icd
    # PoCL registers itself with the system loader; reuse its entry (a library name the loader resolves).
    cp /etc/OpenCL/vendors/pocl.icd "$vendors/pocl.icd"
    echo "$intel_dir/lib/libintelocl.so" >"$vendors/intel.icd"
    echo "$oclgrind_icd_library" >"$vendors/oclgrind.icd"
}

# The environment that selects one implementation (or all of them).
env_lines() {
    case "$1" in
        pocl)
            echo "export OCL_ICD_VENDORS=$vendors/pocl.icd" ;;
        intel)
            echo "export OCL_ICD_VENDORS=$vendors/intel.icd"
            echo "export LD_LIBRARY_PATH=$intel_dir/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" ;;
        oclgrind)
            echo "export OCL_ICD_VENDORS=$vendors/oclgrind.icd"
            echo "export OCLGRIND_CHECK_API=1 OCLGRIND_DATA_RACES=1 OCLGRIND_UNINITIALIZED=1" ;;
        all)
            echo "export OCL_ICD_VENDORS=$vendors"
            echo "export LD_LIBRARY_PATH=$intel_dir/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" ;;
        *)
            echo "error: unknown implementation '$1' (pocl, intel, oclgrind or all)" >&2
            return 2 ;;
    esac
}

check_installed() {
    if [ ! -f "$vendors/pocl.icd" ] || [ ! -f "$intel_dir/.complete" ]; then
        echo "error: the OpenCL implementations are not installed; run scripts/opencl-implementations.sh install" >&2
        exit 1
    fi
}

command="${1:-install}"
case "$command" in
    install)
        install_apt
        install_intel
        write_vendors
        echo "Installed. Select an implementation for one command with"
        echo "  scripts/opencl-implementations.sh run pocl|intel|oclgrind|all COMMAND..."
        echo "or in this shell with"
        echo "  eval \"\$(scripts/opencl-implementations.sh env pocl|intel|oclgrind|all)\""
        ;;
    env)
        [ $# -ge 2 ] || { echo "usage: $0 env pocl|intel|oclgrind|all" >&2; exit 2; }
        check_installed
        env_lines "$2"
        ;;
    run)
        [ $# -ge 3 ] || { echo "usage: $0 run pocl|intel|oclgrind|all COMMAND..." >&2; exit 2; }
        check_installed
        name="$2"
        shift 2
        eval "$(env_lines "$name")"
        if [ "$name" != oclgrind ]; then
            exec "$@"
        fi
        # Oclgrind: collect its reports in a file and fail on any of them, whatever the command's status.
        report="$(mktemp "${TMPDIR:-/tmp}/oclgrind-report.XXXXXX")"
        trap 'rm -f "$report"' EXIT
        export OCLGRIND_LOG="$report"
        status=0
        "$@" || status=$?
        if [ -s "$report" ]; then
            echo "Oclgrind reported problems:" >&2
            head -c 20000 "$report" >&2
            echo >&2
            exit 1
        fi
        echo "Oclgrind: no reports (memory, uninitialized values, data races, API)"
        exit "$status"
        ;;
    *)
        echo "usage: $0 install | env NAME | run NAME COMMAND..." >&2
        exit 2
        ;;
esac
