#!/usr/bin/env bash
# Issue 4's overhead measurement: the time of `kaizen features --objectives kl` (forward + the
# per-image gradient at _conv_head + the +-1 projection) against `kaizen embed` (the forward pass
# alone) on the same images, interleaved, 1 thread (PROJECTION=sparse for the sparse projection). Usage: scripts/bench/fungi_overhead.sh IMAGES.npy [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
K=${KAIZEN:-.build/release/kaizen}
P=${PROJECTION:-dense}
X=$1
ROUNDS=${2:-2}
t() { local s=$(date +%s.%N); "$@" > /dev/null; python3 -c "import time; print(f'{time.time() - $s:.2f}')"; }
for r in $(seq "$ROUNDS"); do
  e=$(t $K embed --model efficientnet-lite0 --images "$X" --threads 1 --out /tmp/ovh_e.npy --quiet)
  k=$(t $K features --model efficientnet-lite0 --images "$X" --objectives kl --projection "$P" --threads 1 --out /tmp/ovh_k.npy --quiet)
  echo "round $r: embed (forward) ${e}s, features kl ${k}s, overhead $(python3 -c "print(f'{($k - $e) / $e * 100:.0f}%')")"
done
