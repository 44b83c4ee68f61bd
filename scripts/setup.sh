#!/usr/bin/env bash
# Installs what swift-augment needs on Debian/Ubuntu when it is missing, then builds.
# Sourced by scripts/demo.sh and scripts/test.sh; safe to run again (it only installs what is absent).
set -euo pipefail

AUGMENT_APT_PACKAGES=(ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo pkg-config libpng-dev libturbojpeg0-dev)

augment_install_packages() {
    local missing=()
    for package in "${AUGMENT_APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "==> installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "error: need root (or sudo) to install: ${missing[*]}" >&2
            exit 1
        fi
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

augment_check_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: the Swift toolchain (6.0 or newer) is not on PATH." >&2
        echo "       Install it from https://www.swift.org/install/linux/ (swiftly), then run this again." >&2
        exit 1
    fi
}

augment_install_packages
augment_check_swift
