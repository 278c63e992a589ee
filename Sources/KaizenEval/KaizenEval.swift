/// Metrics, kNN, linear probe, PCA and report writing shared by the methods.
@_exported import KaizenTensor
