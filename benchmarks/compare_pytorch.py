#!/usr/bin/env python3
"""One BPTT + Adam iteration in PyTorch next to rnnlab's, timed side by side in one run (issue 17 item 5).

The iteration is the reference preset of McMahan et al. (2021) as the published code trains it
(reference_code_spec sections 1.1-1.4): N = 50 units, a batch of B = 500 RDM trials of T = 750
steps, float32, x_{t+1} = (1 - a) x_t + a (W_in u_t + W_rec (1 + tanh x_t) + b) with a = 0.1, one
x0 shared by the batch, readout y_t = W_out x_{t+1}, loss = sum over the batch of
(y_{T-1} - target)^2 + y_0^2, only W_rec trained, Adam lr 5e-4.

Three implementations, timed in rounds that alternate between them so that each round shares the
machine's state (this machine is a shared 2-core VM: read the ratios, not the milliseconds):

  plain   the loop as users write it (and as the reference code does): a Python for-loop over the
          steps, autograd through all of them, torch.optim.Adam.
  expert  the fastest formulation we know in PyTorch: a hand-written adjoint (forward stores the
          states; the backward recursion runs on W_rec^T; the W_rec gradient is ONE (N x TB)(TB x N)
          product over all steps), compiled with TorchScript, the batch split into two half-batches
          forked over the two cores (torch.jit.fork, one intra-op thread each).
  rnnlab  bench_learning's BM_adam_iteration<float>/B/T/2 (2 threads), run as a subprocess.

and, when bench_blas_peak was built (a BLAS is installed), the machine's measured sgemm peak on
both cores (4096^3): the ratio "iteration product FLOPs / time / peak" is how close each
implementation gets to the floor set by the hardware. Product FLOPs of an iteration: 3 * 2 N^2 B T
(forward W r, backward W^T g, gradient g r^T) = 5.6 GFLOP at the paper's sizes.

Before timing, the expert gradient is checked against autograd's on a small case (the comparison
is only fair if both compute the same thing); the script stops if they disagree.

Optional dependency: PyTorch (Debian: apt-get install python3-torch). Without it the script says
so and exits with status 0 (nothing to compare). Usage, from the repository root after a Release
build of bench_learning:

  /usr/bin/python3 benchmarks/compare_pytorch.py --build build [--rounds 5] [--B 500 --T 750]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default="build", help="CMake build folder holding benchmarks/bench_learning")
    p.add_argument("--N", type=int, default=50)
    p.add_argument("--B", type=int, default=500)
    p.add_argument("--T", type=int, default=750)
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds (medians are reported)")
    p.add_argument("--plain-iterations", type=int, default=2, help="timed plain iterations per round")
    p.add_argument("--expert-iterations", type=int, default=5, help="timed expert iterations per round")
    p.add_argument("--bench-min-time", default="1.0", help="--benchmark_min_time for bench_learning, seconds")
    p.add_argument("--skip-plain", action="store_true", help="time only the expert formulation and rnnlab")
    a = p.parse_args()
    if a.N < 1 or a.B < 2 or a.B % 2 or a.T < 2 or a.rounds < 1:
        p.error(f"expected N >= 1, B even >= 2, T >= 2, rounds >= 1; got N={a.N} B={a.B} T={a.T} rounds={a.rounds}")
    return a


ALPHA = 0.1


def make_problem(torch, N, M, B, T, seed):
    """Reference initialisation (std 0.5 / 0.02 / 0.1, x0 std 0.3 shared) and one RDM batch."""
    g = torch.Generator().manual_seed(seed)
    W_in = 0.5 * torch.randn(N, M, generator=g)
    W_rec = 0.02 * torch.randn(N, N, generator=g)
    W_out = 0.1 * torch.randn(1, N, generator=g)
    b = torch.zeros(N, 1)
    x0 = 0.3 * torch.randn(N, 1, generator=g)
    sign = torch.where(torch.rand(B, generator=g) < 0.5, -1.0, 1.0)
    mag = 0.1857 * torch.rand(B, generator=g)
    u = (sign * mag).unsqueeze(0).unsqueeze(0) + 0.5 * torch.randn(T, M, B, generator=g)  # (T, M, B)
    return W_in, W_rec, W_out, b, x0, u.contiguous(), sign


def plain_iteration(torch, W_rec, opt, W_in, W_out, b, x0, u, target):
    """As users write it: a Python loop, autograd, torch.optim.Adam."""
    opt.zero_grad()
    x = x0.expand(-1, u.shape[2])
    ys = []
    for t in range(u.shape[0]):
        x = (1 - ALPHA) * x + ALPHA * (W_in @ u[t] + W_rec @ (1 + torch.tanh(x)) + b)
        ys.append(W_out @ x)
    y = torch.cat(ys, 0)  # (T, B)
    loss = ((y[-1] - target) ** 2).sum() + (y[0] ** 2).sum()
    loss.backward()
    opt.step()
    return loss.detach()


def build_expert(torch):
    """The hand-written adjoint of the iteration, in TorchScript, one half-batch per fork."""

    @torch.jit.script
    def adjoint_half(W_rec, W_in, W_out, b, x0, u, target, alpha: float):
        # Forward: keep r_t = 1 + tanh(x_t) for t = 0..T-1 (what the W_rec gradient needs) and
        # f'(x_t) = 1 - tanh^2(x_t) (what the backward recursion needs).
        T = u.shape[0]
        B = u.shape[2]
        N = W_rec.shape[0]
        R = torch.empty(T, N, B, dtype=W_rec.dtype)
        D = torch.empty(T, N, B, dtype=W_rec.dtype)
        drive = torch.matmul(W_in, u) + b  # (T, N, B): the input and bias part of every step at once
        x = x0.expand(N, B).contiguous()
        y0 = torch.zeros(1, B, dtype=W_rec.dtype)
        for t in range(T):
            th = torch.tanh(x)
            R[t] = th + 1
            D[t] = 1 - th * th
            x = torch.addmm(drive[t], W_rec, R[t], beta=alpha, alpha=alpha).add_(x, alpha=1 - alpha)
            if t == 0:
                y0 = W_out @ x
        yT = W_out @ x
        eT = yT - target
        loss = (eT * eT).sum() + (y0 * y0).sum()
        # Backward: lam_{t} = dL/dx_t; lam_T from the last output, lam_1 also gets the first output's term.
        G = torch.empty(T, N, B, dtype=W_rec.dtype)  # G[t] = lam_{t+1}; dL/dW_rec = alpha sum_t lam_{t+1} r_t^T
        lam = W_out.t() @ (2 * eT)
        for t in range(T - 1, -1, -1):
            if t == 0:
                lam = lam + W_out.t() @ (2 * y0)
            G[t] = lam
            lam = (1 - alpha) * lam + alpha * D[t] * torch.mm(W_rec.t(), lam)
        grad = alpha * torch.mm(G.permute(1, 0, 2).reshape(N, T * B), R.permute(1, 0, 2).reshape(N, T * B).t())
        return loss, grad

    @torch.jit.script
    def forked(W_rec, W_in, W_out, b, x0, u, target, alpha: float):
        h = u.shape[2] // 2
        fut = torch.jit.fork(adjoint_half, W_rec, W_in, W_out, b, x0, u[:, :, :h].contiguous(), target[:h], alpha)
        l2, g2 = adjoint_half(W_rec, W_in, W_out, b, x0, u[:, :, h:].contiguous(), target[h:], alpha)
        l1, g1 = torch.jit.wait(fut)
        return l1 + l2, g1 + g2

    return adjoint_half, forked


def check_expert(torch, adjoint_half, forked):
    """The expert gradient equals autograd's on a small case (N 8, B 6, T 30), in double."""
    torch.set_default_dtype(torch.float64)
    try:
        W_in, W_rec, W_out, b, x0, u, target = make_problem(torch, 8, 1, 6, 30, 3)
        W = W_rec.clone().requires_grad_(True)
        x = x0.expand(-1, 6)
        ys = []
        for t in range(30):
            x = (1 - ALPHA) * x + ALPHA * (W_in @ u[t] + W @ (1 + torch.tanh(x)) + b)
            ys.append(W_out @ x)
        y = torch.cat(ys, 0)
        loss = ((y[-1] - target) ** 2).sum() + (y[0] ** 2).sum()
        loss.backward()
        for f in (adjoint_half, forked):
            l, g = f(W_rec, W_in, W_out, b, x0, u, target, ALPHA)
            err = float((g - W.grad).abs().max() / W.grad.abs().max())
            if abs(float(l) - float(loss)) > 1e-12 * abs(float(loss)) or err > 1e-10:
                sys.exit(f"compare_pytorch: the expert adjoint disagrees with autograd (loss {float(l)} vs "
                         f"{float(loss)}, gradient relative error {err:.2e}); not timing")
    finally:
        torch.set_default_dtype(torch.float32)


def find_program(build, name):
    path = os.path.join(build, "benchmarks", name)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def run_bench(path, bench_filter, min_time, env=None):
    out = subprocess.run([path, f"--benchmark_filter={bench_filter}", f"--benchmark_min_time={min_time}",
                          "--benchmark_format=json"], check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)["benchmarks"]


def ms(seconds):
    return f"{1e3 * seconds:8.1f} ms"


def main():
    a = parse_args()
    try:
        import torch
    except ImportError:
        print("compare_pytorch: PyTorch is not installed (optional; Debian: apt-get install python3-torch); "
              "skipped, nothing compared")
        return 0
    bench = find_program(a.build, "bench_learning")
    if bench is None:
        sys.exit(f"compare_pytorch: {a.build}/benchmarks/bench_learning not found; build it first "
                 f"(cmake --build {a.build} --target bench_learning) or pass --build")
    peak_prog = find_program(a.build, "bench_blas_peak")

    torch.set_num_interop_threads(2)  # the two forked half-batches
    torch.set_default_dtype(torch.float32)
    N, B, T, M = a.N, a.B, a.T, 1
    flops = 3 * 2 * N * N * B * T
    adjoint_half, forked = build_expert(torch)
    check_expert(torch, adjoint_half, forked)

    W_in, W_rec0, W_out, b, x0, u, target = make_problem(torch, N, M, B, T, 1)
    plain_W = W_rec0.clone().requires_grad_(True)
    plain_opt = torch.optim.Adam([plain_W], lr=5e-4)
    expert_W = W_rec0.clone().requires_grad_(True)
    expert_opt = torch.optim.Adam([expert_W], lr=5e-4)

    def time_plain(n):
        torch.set_num_threads(2)  # intra-op parallelism over the two cores, the default a user gets
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            plain_iteration(torch, plain_W, plain_opt, W_in, W_out, b, x0, u, target)
        return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n

    def time_expert(n):
        torch.set_num_threads(1)  # one core per forked half-batch
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            with torch.no_grad():
                _, g = forked(expert_W, W_in, W_out, b, x0, u, target, ALPHA)
            expert_W.grad = g
            expert_opt.step()
        return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n

    rnnlab_filter = f"BM_adam_iteration<float>/{B}/{T}/2/"

    def time_rnnlab():
        r = run_bench(bench, rnnlab_filter, a.bench_min_time)
        if not r:
            sys.exit(f"compare_pytorch: bench_learning has no case {rnnlab_filter}")
        unit = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[r[0]["time_unit"]]
        # Google Benchmark's cpu_time is the main thread's; the two shards do equal work on two threads.
        return r[0]["real_time"] * unit, 2 * r[0]["cpu_time"] * unit

    print(f"compare_pytorch: N = {N}, B = {B}, T = {T}, float32, {flops / 1e9:.2f} GFLOP of products per iteration; "
          f"torch {torch.__version__}, {torch.get_num_interop_threads()} inter-op threads; {a.rounds} alternating "
          f"rounds; expert gradient checked against autograd")
    if not a.skip_plain:
        time_plain(1)  # warm-up
    time_expert(2)
    times = {"plain": [], "expert": [], "rnnlab": []}
    cpu = {"plain": [], "expert": [], "rnnlab": []}
    for r in range(a.rounds):
        for k, f in (("plain", lambda: time_plain(a.plain_iterations)),
                     ("expert", lambda: time_expert(a.expert_iterations)), ("rnnlab", time_rnnlab)):
            if k == "plain" and a.skip_plain:
                continue
            w, c = f()
            times[k].append(w)
            cpu[k].append(c)
        print(f"  round {r + 1}: " + ", ".join(f"{k} {ms(v[-1]).strip()} wall, {ms(cpu[k][-1]).strip()} CPU"
                                            for k, v in times.items() if v), flush=True)

    peak = None
    if peak_prog:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="2")
        rows = run_bench(peak_prog, "BM_blas_gemm<float>/4096/4096/4096", "1.0", env)
        if rows:
            peak = rows[0]["GFLOP/s"]  # the counter is a rate in FLOP/s despite its name
    med = {k: statistics.median(v) for k, v in times.items() if v}
    cmed = {k: statistics.median(v) for k, v in cpu.items() if v}
    print()
    print("| implementation | wall s / iteration, median (min–max) | CPU s / iteration | GFLOP/s of products | "
          "rnnlab speed-up (wall) | rnnlab speed-up (CPU) |" + (" fraction of sgemm peak |" if peak else ""))
    print("|---|---|---|---|---|---|" + ("---|" if peak else ""))
    for k in ("plain", "expert", "rnnlab"):
        if k not in med:
            continue
        rate = flops / med[k]
        row = (f"| {k} | {med[k]:.4f} ({min(times[k]):.4f}–{max(times[k]):.4f}) | {cmed[k]:.4f} | {rate / 1e9:.1f} | "
               f"{med[k] / med['rnnlab']:.2f}× | {cmed[k] / cmed['rnnlab']:.2f}× |")
        if peak:
            row += f" {rate / peak:.1%} |"
        print(row)
    if peak:
        print(f"\nsgemm peak (bench_blas_peak, 4096³, OPENBLAS_NUM_THREADS=2, measured after the rounds): "
              f"{peak / 1e9:.0f} GFLOP/s; the iteration's product floor at that rate: {flops / peak * 1e3:.1f} ms")
    else:
        print("\n(bench_blas_peak not built: no BLAS found by CMake; no ratio to the machine's sgemm peak)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
