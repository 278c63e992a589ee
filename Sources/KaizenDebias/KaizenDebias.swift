/// KaizenDebias: few-sample debiasing of a trained classifier with a handful of bias-conflicting
/// images: change-penalised tuning (Penzel, Stein & Denzler, VISAPP 2024) and its baselines
/// (fine-tuning, side-tuning, MAS, DFR last-layer refit). See `Debias.tune`.
@_exported import KaizenTensor
@_exported import KaizenNN
import KaizenData
import KaizenEval
