#!/usr/bin/env bash
# The GPU check: augment devices, augment verify and augment bench --json on a machine with an
# NVIDIA, AMD or Intel GPU driver, into one report file.
#
# Two steps, because the GPU machine is bare (a driver, no Swift, no packages):
#
#   scripts/gpu-check.sh prepare          here: builds augment in release with --static-swift-stdlib
#                                         and bundles it with the ICD loader (libOpenCL.so.1) and the
#                                         image libraries it links, into .gpu-check/ (git ignores it)
#   scripts/gpu-check.sh run [REPORT]     there, from the checkout root (with .gpu-check/ carried
#                                         along): registers the vendor's ICD (the driver's own
#                                         /etc/OpenCL/vendors file, else the first vendor library
#                                         found on the machine), then runs the three commands and
#                                         writes REPORT (default: $OUT/gpu-check.txt when $OUT is
#                                         set, else gpu-check.txt). Exits 1 when verify fails.
#
# Environment for `run`: AUGMENT_GPU_CHECK_BATCH (bench batch, default 64), AUGMENT_GPU_CHECK_ONLY
# (restrict verify to names containing this text), AUGMENT_GPU_CHECK_ICD (an .icd file to use
# instead of looking for a GPU driver) and AUGMENT_GPU_CHECK_DEVICE (device selector, default gpu):
# these two let the script itself be tried on a CPU implementation.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$root/.gpu-check"

prepare() {
    set -e
    cd "$root"
    source scripts/setup.sh
    echo "==> building augment (release, static Swift standard library)"
    swift build -c release --product augment --static-swift-stdlib
    local bin
    bin="$(swift build -c release --show-bin-path)/augment"
    rm -rf "$bundle"
    mkdir -p "$bundle/lib"
    # Stripped and compressed (about 24 MB instead of 88), so the bundle fits the 64 MiB that a
    # device machine's working tree may carry; `run` unpacks it.
    cp "$bin" "$bundle/augment"
    strip -s "$bundle/augment"
    gzip -9 "$bundle/augment"
    # The ICD loader and the image codecs, from this machine's Debian packages; nothing else of
    # the system is needed on the other side (glibc and libstdc++ are on every x86-64 Linux).
    for library in libOpenCL.so.1 libpng16.so.16 libturbojpeg.so.0 libz.so.1; do
        local path
        path="$(ldconfig -p | awk -v name="$library" '$1 == name && /x86-64/ { print $NF; exit }')"
        [ -n "$path" ] || { echo "error: $library not found (apt-get install ocl-icd-libopencl1 libpng16-16 libturbojpeg0)" >&2; exit 1; }
        cp -L "$path" "$bundle/lib/$library"
    done
    cp "$root/scripts/gpu-check.sh" "$bundle/gpu-check.sh"
    echo "==> bundle ready: $bundle ($(du -sh "$bundle" | cut -f1)); on the GPU machine run: scripts/gpu-check.sh run"
}

# The vendor ICD: the driver's registered files when there are any, else a file written for the
# first vendor library present (NVIDIA containers often mount libnvidia-opencl.so.1 without one).
find_vendors() {
    local icd_dir="$bundle/vendors"
    rm -rf "$icd_dir"
    mkdir -p "$icd_dir"
    local found=0
    if [ -n "${AUGMENT_GPU_CHECK_ICD:-}" ]; then
        cp "$AUGMENT_GPU_CHECK_ICD" "$icd_dir/" && echo "$icd_dir"
        return
    fi
    for file in /etc/OpenCL/vendors/*.icd; do
        [ -f "$file" ] || continue
        case "$(basename "$file")" in pocl.icd|oclgrind.icd) continue ;; esac  # the GPU only
        cp "$file" "$icd_dir/" && found=1
    done
    if [ "$found" -eq 0 ]; then
        for name in libnvidia-opencl.so.1 libamdocl64.so libigdrcl.so; do
            local path
            path="$(ldconfig -p 2>/dev/null | awk -v name="$name" '$1 == name { print $NF; exit }')"
            if [ -z "$path" ]; then
                path="$(find /usr/lib /usr/lib64 /usr/local/nvidia /opt/rocm* -name "$name*" 2>/dev/null | head -n 1)"
            fi
            if [ -n "$path" ]; then
                echo "$path" >"$icd_dir/${name%%.so*}.icd"
                found=1
                break
            fi
        done
    fi
    [ "$found" -eq 1 ] || return 1
    echo "$icd_dir"
}

run() {
    local report="${1:-${OUT:+$OUT/gpu-check.txt}}"
    report="${report:-gpu-check.txt}"
    if [ ! -x "$bundle/augment" ] && [ -f "$bundle/augment.gz" ]; then
        gzip -dc "$bundle/augment.gz" >"$bundle/augment" && chmod +x "$bundle/augment"
    fi
    [ -x "$bundle/augment" ] || { echo "error: no bundle at $bundle: run scripts/gpu-check.sh prepare first" >&2; exit 1; }
    local vendors
    if ! vendors="$(find_vendors)"; then
        echo "error: no GPU OpenCL driver found (no /etc/OpenCL/vendors/*.icd, no libnvidia-opencl.so.1, libamdocl64.so or libigdrcl.so)" | tee "$report" >&2
        exit 1
    fi
    export OCL_ICD_VENDORS="$vendors"
    export LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export AUGMENT_OPENCL_DEVICE="${AUGMENT_GPU_CHECK_DEVICE:-gpu}"
    local augment="$bundle/augment" status=0
    {
        echo "# swift-augment GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -srm)"
        echo "# ICD files: $(cat "$vendors"/*.icd | tr '\n' ' ')"
        command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/# nvidia-smi: /'
        echo
        echo "## augment devices"
        "$augment" devices 2>&1
        echo
        echo "## augment verify"
        local started=$SECONDS
        "$augment" verify ${AUGMENT_GPU_CHECK_ONLY:+--only "$AUGMENT_GPU_CHECK_ONLY"} 2>&1 || status=$?
        echo "(verify: exit $status, $((SECONDS - started)) s)"
        echo
        echo "## augment bench --json"
        "$augment" bench --batch "${AUGMENT_GPU_CHECK_BATCH:-64}" --json 2>&1 || echo "(bench failed: exit $?)"
    } >"$report" 2>&1
    cat "$report"
    exit "$status"
}

case "${1:-}" in
    prepare) prepare ;;
    run) shift; run "$@" ;;
    *) echo "usage: $0 prepare | run [REPORT]" >&2; exit 2 ;;
esac
