# Sourced by the scripts: run OpenBLAS on the best kernels this CPU supports. Debian's OpenBLAS
# picks its kernels when it loads and falls back to the SSE3 "Prescott" ones on CPUs newer than it
# knows (a 2023 Xeon: sgemm at a half to a third of the speed). `kaizen` itself re-executes with the right
# OPENBLAS_CORETYPE (BLASCore.recommendation); test processes and C/PyTorch baselines get it here.
# A value already set is kept.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
  _flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  _has() { for f in "$@"; do case "$_flags" in *" $f "*) ;; *) return 1 ;; esac; done; }
  # The same choice as BLASCore.recommendation, for a CPU OpenBLAS does not know.
  if _has avx512f avx512cd avx512bw avx512dq avx512vl; then export OPENBLAS_CORETYPE=SkylakeX
  elif _has avx2 fma; then export OPENBLAS_CORETYPE=Haswell; fi
  unset _flags; unset -f _has
fi
