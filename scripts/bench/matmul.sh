#!/usr/bin/env bash
# Engine matmul vs OpenBLAS called directly vs PyTorch, interleaved, same threads.
#   usage: scripts/bench/matmul.sh [PYTHON_WITH_TORCH]   (run from the project root after a release build)
set -euo pipefail
source "$(dirname "$0")/../openblas-env.sh"
PY=${1:-/tmp/kaizen-ref/bin/python}
gcc -O2 scripts/bench/sgemm_openblas.c $(pkg-config --cflags --libs openblas) -o /tmp/sgemm_openblas
for threads in 1 2; do
  for n in 256 512 1024 2048; do
    # Small products take ~0.1-1 ms: 100 repetitions, so that best-of sees the threads on separate cores.
    reps=$([ $n -le 512 ] && echo 100 || echo 20)
    cpus=$([ $threads = 1 ] && echo 0 || echo 0,1)
    for round in 1 2 3; do
      k=$(taskset -c $cpus .build/release/kaizen bench matmul --size $n --threads $threads --repeats $reps --json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["gflops"],2))')
      o=$(taskset -c $cpus /tmp/sgemm_openblas $n $threads $reps)
      t=$([ -x "$PY" ] && OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads taskset -c $cpus "$PY" scripts/bench/matmul_pytorch.py $n $threads $reps || echo NA)
      echo "threads=$threads n=$n round=$round kaizen=$k openblas=$o pytorch=$t"
    done
  done
done
