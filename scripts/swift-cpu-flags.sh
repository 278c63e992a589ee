# Sourced by the scripts: compile Kaizen's own kernels for this machine's CPU. Swift builds for
# baseline x86-64 (SSE2) by default, so every SIMD8 operation in the engine's kernels becomes two
# SSE instructions; on a CPU with AVX2 the same code runs as one (depthwise convolutions 25-50%
# faster, see BENCHMARKS.md), and the kernels' multiply-adds become fused (KAIZEN_FMA; results
# then differ from a baseline build by rounding only).
# Sets SWIFT_CPU_FLAGS (an array for `swift build`/`swift test`). KAIZEN_TARGET_CPU overrides the
# choice: a CPU name LLVM knows (haswell, skylake-avx512, znver3, ...), or x86-64 for the
# portable baseline (use that for a binary meant for other machines); with an explicit CPU, set
# KAIZEN_FMA=1 as well if it has FMA, and KAIZEN_AVX512=1 if it has AVX-512 (16-float kernels).
SWIFT_CPU_FLAGS=()
_kaizen_cpu="${KAIZEN_TARGET_CPU:-}"
if [ -z "$_kaizen_cpu" ] && [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ]; then
  _flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  _has() { for f in "$@"; do case "$_flags" in *" $f "*) ;; *) return 1 ;; esac; done; }
  # Everything LLVM's "haswell" target assumes.
  if _has avx avx2 fma bmi1 bmi2 f16c movbe abm popcnt; then _kaizen_cpu=haswell; KAIZEN_FMA=1; fi
  # AVX-512 (what LLVM's "skylake-avx512" adds and emits): 16-float kernels run as one instruction.
  if [ "$_kaizen_cpu" = haswell ] && _has avx512f avx512cd avx512bw avx512dq avx512vl adx rdseed; then
    _kaizen_cpu=skylake-avx512; KAIZEN_AVX512=1
  fi
  unset _flags; unset -f _has
fi
if [ -n "$_kaizen_cpu" ] && [ "$_kaizen_cpu" != x86-64 ]; then
  SWIFT_CPU_FLAGS=(-Xswiftc -target-cpu -Xswiftc "$_kaizen_cpu")
  if [ "${KAIZEN_FMA:-0}" = 1 ]; then SWIFT_CPU_FLAGS+=(-Xswiftc -DKAIZEN_FMA); fi
  if [ "${KAIZEN_AVX512:-0}" = 1 ]; then SWIFT_CPU_FLAGS+=(-Xswiftc -DKAIZEN_AVX512); fi
fi
unset _kaizen_cpu
