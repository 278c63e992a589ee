"""Shared command line of the kaizen-vs-PyTorch comparison scripts: where the two programs are, the
thread count, the rounds, the CPUs to pin to, and the environment that pins every thread pool."""
import argparse, os, subprocess


def parse(rounds):
    p = argparse.ArgumentParser()
    p.add_argument("--python", default="/tmp/kaizen-ref/bin/python")
    p.add_argument("--kaizen", default=".build/release/kaizen")
    p.add_argument("--threads", default="1")
    p.add_argument("--rounds", type=int, default=rounds)
    p.add_argument("--cpus", default=None, help="taskset CPU list for both sides (default: 0, or 0,1 for 2 threads)")
    a = p.parse_args()
    if a.cpus is None:
        a.cpus = ",".join(str(c) for c in range(int(a.threads)))
    env = dict(os.environ, OMP_NUM_THREADS=a.threads, OPENBLAS_NUM_THREADS=a.threads, MKL_NUM_THREADS=a.threads)
    # PyTorch's OpenBLAS needs the same kernel choice kaizen makes for itself (scripts/openblas-env.sh):
    # without it, its 1x1 convs ran 3-5x slower on this Xeon and every ratio flattered kaizen.
    if "OPENBLAS_CORETYPE" not in env:
        core = subprocess.run(["bash", "-c", "source scripts/openblas-env.sh; echo ${OPENBLAS_CORETYPE:-}"],
                              check=True, capture_output=True, text=True).stdout.strip()
        if core:
            env["OPENBLAS_CORETYPE"] = core
    return a, env
