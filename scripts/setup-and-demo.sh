#!/usr/bin/env bash
# The main job: installs what is missing, builds in release mode, runs `kaizen demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/openblas-env.sh
source scripts/swift-cpu-flags.sh
bash scripts/install-deps.sh
swift build -c release --product kaizen "${SWIFT_CPU_FLAGS[@]}"
exec .build/release/kaizen demo "$@"
