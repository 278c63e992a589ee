"""conv2d on EfficientNet-Lite0 shapes: `kaizen bench conv` against PyTorch (conv_pytorch.py), same
threads, interleaved rounds (kaizen, PyTorch, kaizen, PyTorch), best time per case. Prints a Markdown
table with the ratio kaizen / PyTorch (> 1: slower). Usage, from the project root after a release build:
    python3 scripts/bench/conv_compare.py [--python /tmp/kaizen-ref/bin/python] [--threads 1] [--rounds 2]
"""
import json, subprocess
from compare_setup import parse

a, env = parse(rounds=2)
ours, theirs = {}, {}
for _ in range(a.rounds):
    out = subprocess.run(["taskset", "-c", a.cpus, a.kaizen, "bench", "conv", "--threads", a.threads, "--json"],
                         check=True, capture_output=True, text=True, env=env).stdout
    for r in json.loads(out)["results"]:
        key = (r["case"], r["direction"])
        ours[key] = min(ours.get(key, 1e9), r["milliseconds"])
    out = subprocess.run(["taskset", "-c", a.cpus, a.python, "scripts/bench/conv_pytorch.py", "--threads", a.threads],
                         check=True, capture_output=True, text=True, env=env).stdout
    for line in out.splitlines():
        r = json.loads(line)
        key = (r["case"], r["direction"])
        theirs[key] = min(theirs.get(key, 1e9), r["ms"])
print(f"| shape | direction | threads | kaizen ms | PyTorch ms | ratio |")
print("|---|---|---|---|---|---|")
for key, ms in ours.items():
    t = theirs.get(key)
    ratio = f"{ms / t:.2f}" + (" **slower**" if t and ms > t else "") if t else "-"
    print(f"| {key[0]} | {key[1]} | {a.threads} | {ms:.2f} | {t if t is None else f'{t:.2f}'} | {ratio} |")
