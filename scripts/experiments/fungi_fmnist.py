"""GradFeatures on Fashion-MNIST with EfficientNet-Lite0: k-NN accuracy of the embedding vs FUNGI
(embedding + projected KL and SimCLR gradients at _conv_head), 5-shot, 10-shot and a 1,000-image
training subset, over 3 seeds (the few-shot draw), on 2,000 test images, all through the CLI
(`kaizen features`, `kaizen knn`). The SimCLR negative bank (256 training images) and the
projection seed are shared by every split. `--full` instead uses all 60,000 training images as the
k-NN memory and all 10,000 test images (the seeds then vary the heads, negatives and projection).
Usage:
    python3 scripts/experiments/fungi_fmnist.py WORKDIR [--kaizen PATH] [--patch-grid 3] [--size 64]
                                               [--projection dense|sparse] [--full]
Prints one line per (setting, seed, features) and a summary table.
"""
import argparse, json, os, subprocess, sys
import numpy as np
sys.path.insert(0, os.path.dirname(__file__))
import fmnist_npy as fm

p = argparse.ArgumentParser()
p.add_argument("workdir")
p.add_argument("--kaizen", default=".build/release/kaizen")
p.add_argument("--patch-grid", default="3")
p.add_argument("--size", type=int, default=64)
p.add_argument("--test", type=int, default=2000)
p.add_argument("--seeds", default="0,1,2")
p.add_argument("--objectives", default="kl,simclr")
p.add_argument("--threads", default="1")
p.add_argument("--projection", default="dense")
p.add_argument("--full", action="store_true")
a = p.parse_args()
os.makedirs(a.workdir, exist_ok=True)
W = lambda name: os.path.join(a.workdir, name)
train_images, train_labels = fm.load("train")
test_images, test_labels = fm.load("test")


def features(prefix, data=None, seed=42):
    out = W(prefix + "_fungi.npy")
    if not os.path.exists(out):
        source = ["--data", data, "--size", str(a.size)] if data else ["--images", W(prefix + ".npy")]
        subprocess.run([a.kaizen, "features", "--model", "efficientnet-lite0", *source, "--seed", str(seed),
                        "--objectives", a.objectives, "--patch-grid", a.patch_grid, "--negatives", W("neg.npy"),
                        "--projection", a.projection, "--threads", a.threads, "--out", out, "--quiet"], check=True)
    x = np.load(out)
    np.save(W(prefix + "_emb.npy"), np.ascontiguousarray(x[:, :1280]))
    return out, W(prefix + "_emb.npy")


def knn(train, train_labels, test, test_labels):
    r = subprocess.run([a.kaizen, "knn", "--train", train, "--train-labels", train_labels, "--test", test,
                        "--test-labels", test_labels, "--threads", a.threads, "--json"], check=True, capture_output=True, text=True)
    return json.loads(r.stdout)["top1"]


rng = np.random.default_rng(99)
if not os.path.exists(W("neg.npy")):
    neg = fm.stratified(train_labels, 26, rng)[:256]
    np.save(W("neg.npy"), fm.prepare(train_images[neg], a.size))
if a.full:
    for split, labels in [("train", train_labels), ("test", test_labels)]:
        with open(W(f"full_{split}.txt"), "w") as f:
            f.write("".join(f"{v}\n" for v in labels))
    for seed in [int(s) for s in a.seeds.split(",")]:
        tr_fungi, tr_emb = features(f"full_train_{seed}", "fashion-mnist:train", 42 + seed)
        te_fungi, te_emb = features(f"full_test_{seed}", "fashion-mnist:test", 42 + seed)
        e = knn(tr_emb, W("full_train.txt"), te_emb, W("full_test.txt"))
        f = knn(tr_fungi, W("full_train.txt"), te_fungi, W("full_test.txt"))
        print(f"60,000 train seed {seed}: embedding {e:.4f} FUNGI {f:.4f}", flush=True)
    sys.exit(0)
test_rows = fm.stratified(test_labels, a.test // 10, np.random.default_rng(7))
if not os.path.exists(W("test.npy")):
    fm.write(W("test"), test_images[test_rows], test_labels[test_rows], a.size)
test_fungi, test_emb = features("test")
results = {}
for seed in [int(s) for s in a.seeds.split(",")]:
    for name, per_class in [("5-shot", 5), ("10-shot", 10), ("1000 train", 100)]:
        prefix = f"train_{per_class}_{seed}"
        rows = fm.stratified(train_labels, per_class, np.random.default_rng(1000 + seed))
        if not os.path.exists(W(prefix + ".npy")):
            fm.write(W(prefix), train_images[rows], train_labels[rows], a.size)
        tr_fungi, tr_emb = features(prefix)
        e = knn(tr_emb, W(prefix + ".txt"), test_emb, W("test.txt"))
        f = knn(tr_fungi, W(prefix + ".txt"), test_fungi, W("test.txt"))
        results.setdefault(name, []).append((e, f))
        print(f"{name} seed {seed}: embedding {e:.4f} FUNGI {f:.4f}", flush=True)
print("| training set | embedding | FUNGI (emb + " + a.objectives + ") | gain |")
print("|---|---|---|---|")
for name, v in results.items():
    e, f = np.array(v).T * 100
    print(f"| {name} | {e.mean():.1f} ± {e.std(ddof=1) if len(e) > 1 else 0:.1f} | {f.mean():.1f} ± {f.std(ddof=1) if len(f) > 1 else 0:.1f} | {(f - e).mean():+.1f} |")
