/* The memory-bound ceiling for `kaizen bench ops`: c = a + b, c = a * b and sum(a) on N floats as
   plain C loops (gcc -O2 -march=native) into an output allocated once, best of R.
   usage: ops_memory N R   prints one JSON object of GFLOP/s (1 flop per element). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1 << 20, reps = argc > 2 ? atoi(argv[2]) : 20;
  float *a = aligned_alloc(64, n * 4), *b = aligned_alloc(64, n * 4), *c = aligned_alloc(64, n * 4);
  for (int i = 0; i < n; i++) { a[i] = (i % 97) * 0.01f; b[i] = 1.0f + (i % 13); c[i] = 0; }
  double add = 1e9, mul = 1e9, sum = 1e9; volatile float sink = 0;
  for (int r = 0; r < reps; r++) {
    double t = now(); for (int i = 0; i < n; i++) c[i] = a[i] + b[i]; t = now() - t; if (t < add) add = t;
    t = now(); for (int i = 0; i < n; i++) c[i] = a[i] * b[i]; t = now() - t; if (t < mul) mul = t;
    t = now(); float s[16] = {0};
    for (int i = 0; i + 16 <= n; i += 16) for (int k = 0; k < 16; k++) s[k] += a[i + k];
    float total = 0; for (int k = 0; k < 16; k++) total += s[k]; sink += total;
    t = now() - t; if (t < sum) sum = t;
  }
  printf("{\"add\": %.3f, \"mul\": %.3f, \"sum\": %.3f}\n", n / add * 1e-9, n / mul * 1e-9, n / sum * 1e-9);
  return 0;
}
