"""Square float32 matmul in PyTorch, best of REPEATS after a warm-up -> GFLOP/s. Comparison only."""
import sys, time, torch
n, threads, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
a, b = torch.randn(n, n), torch.randn(n, n)
a @ b
best = 1e30
for _ in range(reps):
    t0 = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t0)
print(f"{2 * n ** 3 / best / 1e9:.2f}")
