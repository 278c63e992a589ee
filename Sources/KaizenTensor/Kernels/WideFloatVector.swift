/// The widest float vector the build targets: 16 floats in an AVX-512 build (`KAIZEN_AVX512`, set by
/// scripts/swift-cpu-flags.sh), one register per operation; 8 otherwise (one AVX2 register, or two
/// SSE ones on the baseline). Kernels that gain from width (exp/GELU, the stem's product, the
/// depthwise channel blocks) use this; the others stay at SIMD8.
#if KAIZEN_AVX512
public typealias WideFloatVector = SIMD16<Float>
#else
public typealias WideFloatVector = SIMD8<Float>
#endif
