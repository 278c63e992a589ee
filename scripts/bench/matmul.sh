#!/usr/bin/env bash
# Engine matmul vs OpenBLAS called directly vs PyTorch, interleaved, same threads.
#   usage: scripts/bench/matmul.sh [PYTHON_WITH_TORCH]   (run from the project root after a release build)
set -euo pipefail
source "$(dirname "$0")/../openblas-env.sh"
PY=${1:-/tmp/kaizen-ref/bin/python}
gcc -O2 scripts/bench/sgemm_openblas.c $(pkg-config --cflags --libs openblas) -o /tmp/sgemm_openblas
for threads in 1 2; do
  for n in 256 512 1024 2048; do
    for round in 1 2 3; do
      k=$(.build/release/kaizen bench matmul --size $n --threads $threads --json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["gflops"],2))')
      o=$(/tmp/sgemm_openblas $n $threads 10)
      t=$([ -x "$PY" ] && OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$PY" scripts/bench/matmul_pytorch.py $n $threads 10 || echo NA)
      echo "threads=$threads n=$n round=$round kaizen=$k openblas=$o pytorch=$t"
    done
  done
done
