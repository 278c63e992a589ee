/// GradFeatures: FUNGI, self-supervised gradients of a frozen encoder as extra features.
@_exported import KaizenEval
@_exported import KaizenModels
