"""Debias results for an EfficientNet-Lite0 base: fine-tuned (ImageNet weights, new head) on the
biased split of Colored Fashion-MNIST (aligned ratio 0.99, 32 px), or a small CNN trained from scratch
on it (--base-model small-cnn, 28 px), then tuned with K counter-examples
from the held-out bias-conflicting pool by each method of `kaizen debias`. Drives the CLI only.

  python3 scripts/experiments/debias_efficientnet.py --kaizen .build/release/kaizen --work /tmp/debias-effnet
Writes one JSON line per run to WORK/runs.jsonl (reruns skip what is there) and prints a table.
"""
import argparse, json, os, subprocess
import numpy as np

METHODS = ["change-penalty", "ft", "side-tuning", "mas", "dfr"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kaizen", required=True)
    ap.add_argument("--work", default="/tmp/kaizen-debias-effnet")
    ap.add_argument("--ks", default="1,4,16,64")
    ap.add_argument("--draws", type=int, default=2)
    ap.add_argument("--train", type=int, default=6000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--base-model", default="efficientnet-lite0", help="efficientnet-lite0 (fine-tuned, 32 px) or small-cnn (from scratch, 28 px)")
    a = ap.parse_args()
    w = a.work
    os.makedirs(w, exist_ok=True)
    def sh(args):
        out = subprocess.run([a.kaizen] + args + ["--threads", str(a.threads)], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"failed: {' '.join(args)}\n{out.stderr}")
        return out.stdout
    if not os.path.exists(f"{w}/test_colour.txt"):
        sh(["data", "colored-fashion-mnist", "--aligned-ratio", "0.99", "--train", str(a.train), "--test", str(a.test),
            "--pool-per-class", "100", "--size", "32" if a.base_model == "efficientnet-lite0" else "28", "--out", w, "--quiet"])
    base = f"{w}/base.safetensors"
    if not os.path.exists(base):
        settings = ["--lr", "0.003", "--epochs", "2"] if a.base_model == "efficientnet-lite0" else \
            ["--optimizer", "adam", "--lr", "0.003", "--epochs", "3", "--batch-norm", "update"]
        r = json.loads(sh(["finetune", "--model", a.base_model, "--images", f"{w}/train.npy", "--labels", f"{w}/train.txt",
                           "--method", "ft", "--out", base, "--json", "--quiet"] + settings))
        json.dump(r, open(f"{w}/base.json", "w"))
    runs_path = f"{w}/runs.jsonl"
    done = {json.loads(l)["key"] for l in open(runs_path)} if os.path.exists(runs_path) else set()
    pool_x = np.load(f"{w}/pool.npy")
    pool_y = np.array([int(l) for l in open(f"{w}/pool.txt")])
    train_y = np.array([int(l) for l in open(f"{w}/train.txt")])
    train_c = np.array([int(l) for l in open(f"{w}/train_colour.txt")])
    train_x = None
    evaluation = ["--eval-images", f"{w}/test.npy", "--eval-labels", f"{w}/test.txt", "--eval-bias", f"{w}/test_colour.txt"]
    for k in [int(x) for x in a.ks.split(",")]:
        for draw in range(a.draws):
            rng = np.random.default_rng(k * 1000 + draw)
            classes = rng.permutation(10)
            rows = np.concatenate([rng.choice(np.flatnonzero(pool_y == classes[i % 10]), (k // 10) + (1 if i < k % 10 else 0), replace=False)
                                   for i in range(min(k, 10))])
            tune = f"{w}/tune_k{k}_d{draw}"
            np.save(tune + ".npy", pool_x[rows])
            open(tune + ".txt", "w").write("".join(f"{y}\n" for y in pool_y[rows]))
            for method in METHODS:
                key = f"{k}|{draw}|{method}"
                if key in done:
                    continue
                images, labels = tune + ".npy", tune + ".txt"
                if method == "dfr":  # DFR refits on a group-balanced set: the counter-examples plus as many aligned images
                    if train_x is None:
                        train_x = np.load(f"{w}/train.npy", mmap_mode="r")
                    aligned = np.array([rng.choice(np.flatnonzero((train_y == y) & (train_c == y))) for y in pool_y[rows]])
                    np.save(tune + "_dfr.npy", np.concatenate([pool_x[rows], train_x[aligned]]))
                    open(tune + "_dfr.txt", "w").write("".join(f"{y}\n" for y in np.concatenate([pool_y[rows], train_y[aligned]])))
                    images, labels = tune + "_dfr.npy", tune + "_dfr.txt"
                r = json.loads(sh(["debias", "--model", base, "--tune-images", images, "--tune-labels", labels, "--method", method,
                                   "--seed", str(draw)] + evaluation + ["--out", f"{w}/tuned.safetensors", "--json", "--quiet"]))
                r.update(key=key, k=k, draw=draw)
                open(runs_path, "a").write(json.dumps(r) + "\n")
                print(f"K={k} draw={draw} {method}: unbiased {r['before']['unbiased']:.3f} -> {r['after']['unbiased']:.3f}, "
                      f"worst {r['after']['worst_group']:.3f}, aligned {r['before']['aligned']:.3f} -> {r['after']['aligned']:.3f}, "
                      f"{r['steps']} steps, {r['seconds']:.1f} s", flush=True)
    runs = [json.loads(l) for l in open(runs_path)]
    print("\n| K | method | unbiased | worst group | aligned | conflicting | steps | s |\n|---|---|---|---|---|---|---|---|")
    for k in sorted({r["k"] for r in runs}):
        for m in METHODS:
            rs = [r for r in runs if r["k"] == k and r["method"] == m]
            if not rs:
                continue
            f = lambda key: 100 * np.mean([r["after"][key] for r in rs])
            print(f"| {k} | {m} | {f('unbiased'):.1f} | {f('worst_group'):.1f} | {f('aligned'):.1f} | {f('conflicting'):.1f} | "
                  f"{np.mean([r['steps'] for r in rs]):.0f} | {np.mean([r['seconds'] for r in rs]):.1f} |")
    b = runs[0]["before"]
    print(f"\nbase: unbiased {100*b['unbiased']:.1f}, worst {100*b['worst_group']:.1f}, aligned {100*b['aligned']:.1f}, conflicting {100*b['conflicting']:.1f}")

if __name__ == "__main__":
    main()
