#!/usr/bin/env bash
# Linear-probe accuracy on TREC coarse labels per selection method, budget and seed (MiniLM features in /tmp/knn, made with kaizen embed).
K=/work/main/.build/release/kaizen
cd /tmp/knn
for seed in 0 1 2; do for b in 0.5% 1% 2% 5%; do for m in random kmeans coreset activeft bilaf; do
  $K select --features trec_train.npy --budget $b --method $m --seed $seed --out sel_${m}_${b}_${seed}.json --quiet || continue
  acc=$($K probe --train trec_train.npy --train-labels trec_train_coarse.txt --test trec_test.npy --test-labels trec_test_coarse.txt --indices sel_${m}_${b}_${seed}.json --seed $seed --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["top1"])')
  echo "$m $b $seed $acc"
done; done; done
