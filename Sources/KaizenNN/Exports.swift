/// Neural-network building blocks: parameters, modules, layers, losses, optimisers, schedules.
@_exported import KaizenTensor
