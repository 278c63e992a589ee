#!/usr/bin/env bash
# Issue 5's Fashion-MNIST table: linear-probe test accuracy per selection method, budget and seed.
# Pool = EfficientNet-Lite0 features (64 px) of the 60,000 training images; test = the 10,000 test
# images. Usage: scripts/bench/select_fmnist.sh "1 2" [WORKDIR]   (KAIZEN=path/to/kaizen, THREADS=1;
# FULL=1 also runs ActiveFT and k-means at 5%, i.e. 3,000 centroids over 60,000 points: tens of minutes each;
# METHODS="random bilaf" runs only those).
set -euo pipefail
cd "$(dirname "$0")/../.."
K=${KAIZEN:-.build/release/kaizen}
SEEDS=${1:-"0 1 2"}
DIR=${2:-/tmp/fmnist-select}
T=${THREADS:-1}
mkdir -p "$DIR"
for split in train test; do
  [ -f "$DIR/$split.npy" ] || $K embed --model efficientnet-lite0 --data fashion-mnist:$split --size 64 --threads "$T" --out "$DIR/$split.npy" --quiet
  [ -f "$DIR/$split.txt" ] || python3 - "$split" "$DIR/$split.txt" <<'PY'
import gzip, sys
prefix = "train" if sys.argv[1] == "train" else "t10k"
with gzip.open(f"/usr/share/datasets/fashion-mnist/{prefix}-labels-idx1-ubyte.gz") as f:
    labels = f.read()[8:]
open(sys.argv[2], "w").write("".join(f"{b}\n" for b in labels))
PY
done
for seed in $SEEDS; do for b in 0.5% 1% 2% 5%; do for m in ${METHODS:-random kmeans coreset activeft bilaf}; do
  if [ "$b" = "5%" ] && [ -z "${FULL:-}" ] && { [ "$m" = activeft ] || [ "$m" = kmeans ]; }; then continue; fi
  sel="$DIR/sel_${m}_${b}_${seed}.json"
  start=$(date +%s.%N)
  [ -f "$sel" ] || $K select --features "$DIR/train.npy" --budget "$b" --method "$m" --seed "$seed" --threads "$T" --out "$sel" --quiet
  secs=$(python3 -c "import time; print(round(time.time() - $start, 1))")
  acc=$($K probe --train "$DIR/train.npy" --train-labels "$DIR/train.txt" --test "$DIR/test.npy" --test-labels "$DIR/test.txt" \
        --indices "$sel" --seed "$seed" --threads "$T" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["top1"])')
  echo "$m $b $seed $acc ${secs}s"
done; done; done
