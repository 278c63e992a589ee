/// Evolve: gradient-free optimisation (AfterLearnER) of a few parameters for a non-differentiable metric.
@_exported import KaizenEval
