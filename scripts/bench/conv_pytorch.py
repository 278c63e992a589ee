"""PyTorch timings of the conv2d cases of ConvBenchmarks (Sources/KaizenTensor/Ops/ConvBenchmarks.swift).

Usage: /tmp/kaizen-ref/bin/python scripts/bench/conv_pytorch.py [--threads 1,2] [--repeats 7]
Prints one JSON object per line: case, direction, threads, ms (best of the repetitions after a warm-up).
Padding is symmetric k//2: the same output size and cost as TensorFlow SAME for these shapes.
"""
import argparse
import json
import os
import subprocess
import sys
import time

LAYERS = [  # name, cin, cout, size at 224, kernel, stride, groups, input needs grad
    ("stem 3x3/s2", 3, 32, 224, 3, 2, 1, False),
    ("depthwise 3x3", 96, 96, 56, 3, 1, 96, True),
    ("depthwise 3x3/s2", 144, 144, 56, 3, 2, 144, True),
    ("1x1 32->16", 32, 16, 112, 1, 1, 1, True),
    ("1x1 96->24", 96, 24, 56, 1, 1, 1, True),
    ("1x1 320->1280", 320, 1280, 7, 1, 1, 1, True),
    ("depthwise 5x5", 240, 240, 28, 5, 1, 240, True),
    ("depthwise 5x5/s2", 144, 144, 56, 5, 2, 144, True),
    ("depthwise 5x5", 672, 672, 14, 5, 1, 672, True),
    ("depthwise 5x5/s2", 672, 672, 14, 5, 2, 672, True),
]


def cases():
    for batch, resolution in [(8, 224), (64, 64)]:
        for name, cin, cout, size224, k, s, groups, needs in LAYERS:
            size = max(1, (size224 * resolution + 111) // 224)
            label = f"{name} N{batch} {cin}->{cout} k{k} s{s} @{size}"
            yield label, batch, cin, cout, size, k, s, groups, needs


def measure(batch, cin, cout, size, k, s, groups, needs, repeats):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(batch, cin, size, size, generator=g)
    w = torch.randn(cout, cin // groups, k, k, generator=g)
    pad = k // 2
    best_f = best_b = float("inf")
    for r in range(repeats + 1):
        with torch.no_grad():
            t0 = time.perf_counter()
            y = F.conv2d(x, w, None, s, pad, 1, groups)
            t1 = time.perf_counter()
        if r > 0:
            best_f = min(best_f, (t1 - t0) * 1e3)
        xt = x.clone().requires_grad_(needs)
        wt = w.clone().requires_grad_(True)
        y = F.conv2d(xt, wt, None, s, pad, 1, groups)
        seed = torch.ones_like(y)
        t0 = time.perf_counter()
        y.backward(seed)
        t1 = time.perf_counter()
        if r > 0:
            best_b = min(best_b, (t1 - t0) * 1e3)
    return best_f, best_b


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--filter", default=None)
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",")]
    if len(thread_counts) > 1 or os.environ.get("OMP_NUM_THREADS") != str(thread_counts[0]):
        # OpenBLAS and OpenMP read their thread counts at load time (torch.set_num_threads does not
        # reach PyTorch's BLAS), so each thread count runs in a fresh process with its environment.
        for threads in thread_counts:
            env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                       MKL_NUM_THREADS=str(threads))
            argv = [sys.executable, __file__, "--threads", str(threads), "--repeats", str(args.repeats)]
            if args.filter:
                argv += ["--filter", args.filter]
            subprocess.run(argv, env=env, check=True)
        return
    global torch, F
    import torch
    import torch.nn.functional as F
    for threads in thread_counts:
        torch.set_num_threads(threads)
        for label, *shape in cases():
            if args.filter and args.filter not in label:
                continue
            f, b = measure(*shape, args.repeats)
            for direction, ms in (("forward", f), ("backward", b)):
                print(json.dumps({"case": label, "direction": direction, "threads": threads, "ms": round(ms, 3)}), flush=True)


if __name__ == "__main__":
    main()
