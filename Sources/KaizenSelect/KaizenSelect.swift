/// Select: which unlabeled samples to label (BiLAF over ActiveFT cores; random, k-means, coreset baselines).
@_exported import KaizenEval
