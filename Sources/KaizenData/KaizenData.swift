/// Datasets, text readers, transforms, corruption shifts and bias builders.
@_exported import KaizenTensor
