#!/usr/bin/env bash
# Copies the binary reference fixtures (PyTorch outputs and checkpoints) from ../shared/reference
# into the test targets' Fixtures folders. They are not committed (git keeps no model files); the
# tests read only these copies, so once this has run they need nothing outside the project.
set -euo pipefail
cd "$(dirname "$0")/.."
REF="${KAIZEN_REFERENCE:-../shared/reference}"
copy() {  # copy SOURCE DEST, only when missing or different
  if [ ! -f "$REF/$1" ]; then
    echo "kaizen fixtures: $REF/$1 not found; set KAIZEN_REFERENCE to the shared reference folder" >&2
    exit 1
  fi
  cmp -s "$REF/$1" "$2" 2>/dev/null || cp "$REF/$1" "$2"
}
copy small_checkpoint_legacy.pth Tests/KaizenIOTests/Fixtures/small_checkpoint_legacy.pth
copy small_checkpoint_zip.pth Tests/KaizenIOTests/Fixtures/small_checkpoint_zip.pth
copy efficientnet_lite0_reference.safetensors Tests/KaizenModelsTests/Fixtures/efficientnet_lite0_reference.safetensors
copy minilm_l6_v2_reference.safetensors Tests/KaizenModelsTests/Fixtures/minilm_l6_v2_reference.safetensors
copy ftp_golden/trajectory.safetensors Tests/KaizenRobustTuneTests/Fixtures/trajectory.safetensors
