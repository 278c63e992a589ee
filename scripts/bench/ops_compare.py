"""Elementwise/reduction throughput on 1M floats: `kaizen bench ops` against PyTorch 1.13 and plain C
loops (ops_memory.c, the memory-bound ceiling for add/mul/sum), same thread count, pinned with taskset,
interleaved rounds, best per op. GFLOP/s with kaizen's flop weights (OpBenchmarks.flopsPerElement).
    python3 scripts/bench/ops_compare.py [--python /tmp/kaizen-ref/bin/python] [--threads 1] [--rounds 3]
"""
import json, os, subprocess
from compare_setup import parse

a, env = parse(rounds=3)

subprocess.run(["gcc", "-O2", "-march=native", "scripts/bench/ops_memory.c", "-o", "/tmp/kaizen_ops_memory"], check=True)
torch_code = r'''
import json, sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
n = 1 << 20
a, b = torch.randn(n), torch.randn(n)
m = a.reshape(1024, 1024)
cases = {"add": lambda: a + b, "mul": lambda: a * b, "relu": lambda: torch.relu(a), "exp": lambda: torch.exp(a),
         "gelu": lambda: torch.nn.functional.gelu(a), "sum": lambda: a.sum(), "softmax": lambda: torch.softmax(m, -1)}
best = {}
for name, f in cases.items():
    f()
    t = min((lambda t0: (f(), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(20))
    best[name] = n / t * 1e-9
print(json.dumps(best))
'''
ours, torch_rates, c_rates = {}, {}, {}
for _ in range(a.rounds):
    out = json.loads(subprocess.run(["taskset", "-c", a.cpus, a.kaizen, "bench", "ops", "--threads", a.threads, "--json"],
                                    check=True, capture_output=True, text=True, env=env).stdout)
    weights = out["flops_per_element"]
    for k, v in out["gflops"].items(): ours[k] = max(ours.get(k, 0), v)
    if os.path.exists(a.python):
        t = json.loads(subprocess.run(["taskset", "-c", a.cpus, a.python, "-c", torch_code, a.threads],
                                      check=True, capture_output=True, text=True, env=env).stdout)
        for k, v in t.items(): torch_rates[k] = max(torch_rates.get(k, 0), v * weights[k])
    c = json.loads(subprocess.run(["taskset", "-c", "0", "/tmp/kaizen_ops_memory", str(1 << 20), "20"],
                                  check=True, capture_output=True, text=True).stdout)
    for k, v in c.items(): c_rates[k] = max(c_rates.get(k, 0), v)
print("| op | threads | kaizen GFLOP/s | PyTorch GFLOP/s | C loop, 1 thread | kaizen / PyTorch |")
print("|---|---|---|---|---|---|")
for k in ["add", "mul", "relu", "exp", "gelu", "sum", "softmax"]:
    t = torch_rates.get(k); c = c_rates.get(k)
    print(f"| {k} | {a.threads} | {ours[k]:.1f} | {t:.1f} | {c if c is None else f'{c:.1f}'} | {ours[k] / t:.2f} |" if t else
          f"| {k} | {a.threads} | {ours[k]:.1f} | - | {c if c is None else f'{c:.1f}'} | - |")
