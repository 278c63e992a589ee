/// Kaizen: make pretrained models better with few labels, few samples and no retraining.
/// Importing `Kaizen` brings every layer a user needs.
@_exported import KaizenTensor
@_exported import KaizenNN
@_exported import KaizenIO
@_exported import KaizenData
@_exported import KaizenModels
@_exported import KaizenEval
@_exported import KaizenSelect
@_exported import KaizenEvolve
@_exported import KaizenGradFeatures
@_exported import KaizenRobustTune
@_exported import KaizenDebias
