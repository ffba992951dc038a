#!/usr/bin/env bash
# Builds Railyard and runs it on the embedded SQLite database in ./data.
# Extra arguments go to `railyard serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_swift
ensure_debs "${RUNTIME_DEBS[@]}"
step "Building (the first build takes a few minutes)"
swift build -c release --product railyard
exec "$(swift build -c release --show-bin-path)/railyard" serve "$@"
