"""GradFeatures on TREC with MiniLM-L6: k-NN accuracy of the embedding vs FUNGI (embedding + projected
KL and SimCLR gradients at the last attention output projection, the paper's text setting) on the
500 test questions, all 5,452 training questions as the k-NN memory, coarse (6) and fine (50)
labels, over 3 seeds (heads, word-deletion views, negative sample and projection), through the CLI
(`kaizen features`, `kaizen knn`). Usage:
    python3 scripts/experiments/fungi_trec.py WORKDIR [--kaizen PATH] [--seeds 0,1,2] [--train N]
Prints one line per (seed, labels, features) and a summary table.
"""
import argparse, json, os, subprocess
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("workdir")
p.add_argument("--kaizen", default=".build/release/kaizen")
p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/trec"))
p.add_argument("--seeds", default="0,1,2")
p.add_argument("--train", type=int, default=0, help="use a seeded random subset of this many training questions (0 = all)")
p.add_argument("--objectives", default="kl,simclr")
p.add_argument("--projection", default="dense")
p.add_argument("--pca", type=int, default=256)
p.add_argument("--threads", default="1")
a = p.parse_args()
os.makedirs(a.workdir, exist_ok=True)
W = lambda name: os.path.join(a.workdir, name)


def read(name, encoding):
    rows = []
    with open(os.path.join(a.data, name), encoding=encoding) as f:
        for line in f:
            label, text = line.rstrip("\n").split(" ", 1)
            rows.append((label.split(":")[0], label, text.strip()))
    return rows


splits = {"train": read("train_5500.label", "latin-1"), "test": read("TREC_10.label", "latin-1")}
if a.train:
    keep = sorted(np.random.default_rng(5).choice(len(splits["train"]), a.train, replace=False))
    splits["train"] = [splits["train"][i] for i in keep]
for split, rows in splits.items():
    for col, suffix in [(2, ".txt"), (0, "_coarse.labels"), (1, "_fine.labels")]:
        with open(W(split + suffix), "w", encoding="utf-8") as f:
            f.write("".join(r[col] + "\n" for r in rows))


def features(split, seed):
    out = W(f"{split}_fungi_{seed}.npy")
    if not os.path.exists(out):
        subprocess.run([a.kaizen, "features", "--model", "minilm-l6", "--text", W(split + ".txt"), "--objectives", a.objectives,
                        "--negatives", W("train.txt"), "--seed", str(seed), "--projection", a.projection,
                        "--threads", a.threads, "--out", out, "--quiet"], check=True)
    x = np.load(out)
    emb = W(f"{split}_emb.npy")
    if not os.path.exists(emb):
        np.save(emb, np.ascontiguousarray(x[:, :384]))
    return out, emb


def knn(train, labels, test, pca=None):
    cmd = [a.kaizen, "knn", "--train", train, "--train-labels", W("train" + labels), "--test", test,
           "--test-labels", W("test" + labels), "--threads", a.threads, "--json"]
    if pca:
        cmd += ["--pca", str(pca)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


results = {}
for seed in [int(s) for s in a.seeds.split(",")]:
    tr_f, tr_e = features("train", seed)
    te_f, te_e = features("test", seed)
    for labels in ["_coarse.labels", "_fine.labels"]:
        name = labels[1:-7]
        e, f, fp = knn(tr_e, labels, te_e), knn(tr_f, labels, te_f), knn(tr_f, labels, te_f, a.pca)
        for key, r in [("embedding", e), ("FUNGI", f), (f"FUNGI PCA {a.pca}", fp)]:
            results.setdefault((name, key), []).append((r["top1"], r["mean_per_class"]))
        print(f"{name} seed {seed}: embedding {e['top1']:.4f} FUNGI {f['top1']:.4f} FUNGI+PCA {fp['top1']:.4f}", flush=True)
print("| labels | features | top-1 | mean per class |")
print("|---|---|---|---|")
for (name, key), v in results.items():
    t, m = np.array(v).T * 100
    sd = lambda x: x.std(ddof=1) if len(x) > 1 else 0
    print(f"| {name} | {key} | {t.mean():.1f} ± {sd(t):.1f} | {m.mean():.1f} ± {sd(m):.1f} |")
