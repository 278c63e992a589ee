#!/usr/bin/env bash
# The project's test command: installs what is missing, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/openblas-env.sh
source scripts/swift-cpu-flags.sh
bash scripts/install-deps.sh
bash scripts/fixtures.sh
swift build --build-tests "${SWIFT_CPU_FLAGS[@]}"
swift test --skip-build "${SWIFT_CPU_FLAGS[@]}" "$@"
