/// Readers and writers: safetensors, PyTorch checkpoints (zip and legacy), .npy, IDX.
import KaizenTensor
