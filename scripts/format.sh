#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's swift-format and the repository's .swift-format
# (4-space indent, 120 columns, existing line breaks kept; lint-only rules off, so formatting never
# renames or restructures code).
#   scripts/format.sh           format every Swift file in place
#   scripts/format.sh --check   list the files that formatting would change (exit 1 if any)
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests Benchmarks Examples Fuzz Plugins)
if [[ "${1:-}" == "--check" ]]; then
    changed=0
    while IFS= read -r -d '' file; do
        if ! swift format --configuration .swift-format "$file" | cmp -s - "$file"; then
            echo "$file"
            changed=1
        fi
    done < <(find "${paths[@]}" -name '*.swift' -not -path '*/.build/*' -print0)
    exit $changed
fi
swift format --configuration .swift-format --in-place --recursive --parallel "${paths[@]}"
