"""RobustTune results: EfficientNet-Lite0 (ImageNet) fine-tuned on a Fashion-MNIST subset by FT, L2-SP,
LP-FT, TPGM and FTP (SGD and Adam), each at its best learning rate from a sweep on a validation split,
then 3 seeds, tested clean and under the 11 corruptions. Drives the `kaizen finetune` CLI.

  python3 scripts/experiments/robusttune_results.py --kaizen .build/release/kaizen --work /tmp/rt
Writes one JSON line per run to WORK/runs.jsonl (a rerun skips runs already there) and prints a table.
"""
import argparse, json, os, subprocess, sys
import numpy as np
sys.path.insert(0, os.path.dirname(__file__))
import fmnist_npy

CONFIGS = [  # (name, method, optimizer, learning rates to sweep)
    ("FT (SGD)", "ft", "sgd", [0.001, 0.003, 0.01]),
    ("L2-SP (SGD)", "l2sp", "sgd", [0.001, 0.003, 0.01]),
    ("LP-FT (SGD)", "lpft", "sgd", [0.001, 0.003, 0.01]),
    ("TPGM (SGD)", "tpgm", "sgd", [0.001, 0.003, 0.01]),
    ("FTP (SGD)", "ftp", "sgd", [0.001, 0.003, 0.01]),
    ("FT (Adam)", "ft", "adam", [1e-4, 3e-4, 1e-3]),
    ("FTP (Adam)", "ftp", "adam", [1e-4, 3e-4, 1e-3]),
]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kaizen", required=True)
    ap.add_argument("--work", default="/tmp/kaizen-robusttune")
    ap.add_argument("--train", type=int, default=100, help="training images per class")
    ap.add_argument("--val", type=int, default=50, help="validation images per class (LR sweep)")
    ap.add_argument("--test", type=int, default=100, help="test images per class")
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    runs_path = os.path.join(a.work, "runs.jsonl")
    done = {}
    if os.path.exists(runs_path):
        for line in open(runs_path):
            r = json.loads(line)
            done[r["key"]] = r
    xtr_all, ytr_all = fmnist_npy.load("train")
    xte_all, yte_all = fmnist_npy.load("test")
    test_rows = fmnist_npy.stratified(yte_all, a.test, np.random.default_rng(123))
    test = fmnist_npy.write(os.path.join(a.work, "test"), xte_all[test_rows], yte_all[test_rows], a.size)

    def data(seed):
        rng = np.random.default_rng(1000 + seed)
        tr = fmnist_npy.stratified(ytr_all, a.train, rng)
        va = fmnist_npy.stratified(ytr_all, a.val, rng, exclude=tr)
        t = fmnist_npy.write(os.path.join(a.work, f"train{seed}"), xtr_all[tr], ytr_all[tr], a.size)
        v = fmnist_npy.write(os.path.join(a.work, f"val{seed}"), xtr_all[va], ytr_all[va], a.size)
        return t, v

    def run(key, method, optimizer, lr, seed, train, evaluation, shifts):
        if key in done:
            return done[key]
        cmd = [a.kaizen, "finetune", "--model", "efficientnet-lite0", "--images", train[0], "--labels", train[1],
               "--test-images", evaluation[0], "--test-labels", evaluation[1], "--shifts", shifts,
               "--method", method, "--optimizer", optimizer, "--lr", str(lr), "--epochs", str(a.epochs),
               "--batch-size", "32", "--seed", str(seed), "--threads", str(a.threads),
               "--out", os.path.join(a.work, "ckpt.safetensors"), "--json", "--quiet"]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
        r = json.loads(out.stdout)
        r["key"], r["seed"] = key, seed
        with open(runs_path, "a") as f:
            f.write(json.dumps(r) + "\n")
        done[key] = r
        print(f"{key}: id {r['id_top1']:.3f} ood {r.get('ood_mean', float('nan')):.3f} {1000 * r['seconds_per_step']:.0f} ms/step", flush=True)
        return r

    sets = {s: data(s) for s in [int(x) for x in a.seeds.split(",")]}
    best = {}
    for name, method, optimizer, lrs in CONFIGS:  # sweep on seed 0's validation split
        scores = {lr: run(f"sweep|{name}|{lr}", method, optimizer, lr, 0, sets[0][0], sets[0][1], "none")["id_top1"] for lr in lrs}
        best[name] = max(lrs, key=lambda lr: (scores[lr], -lr))
    rows = []
    for name, method, optimizer, _ in CONFIGS:
        rs = [run(f"final|{name}|{best[name]}|{s}", method, optimizer, best[name], s, sets[s][0], test, "all") for s in sets]
        idv = np.array([r["id_top1"] for r in rs]) * 100
        oodv = np.array([r["ood_mean"] for r in rs]) * 100
        ms = np.mean([r["seconds_per_step"] for r in rs]) * 1000
        rows.append((name, best[name], idv.mean(), idv.std(), oodv.mean(), oodv.std(), ms))
    print("\n| method | lr | ID top-1 | OOD mean | ms/step |\n|---|---|---|---|---|")
    for name, lr, im, isd, om, osd, ms in rows:
        print(f"| {name} | {lr:g} | {im:.1f} ± {isd:.1f} | {om:.1f} ± {osd:.1f} | {ms:.0f} |")

if __name__ == "__main__":
    main()
