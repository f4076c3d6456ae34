#pragma once
/// \file learning/detail/bptt_kernel.hpp
/// The forward and backward sweeps of BPTT over one shard (a block of trial columns) of a batch.
/// The maths is in learning/bptt.hpp; this file is the allocation-free hot loop.
///
/// Layout. For shard s with Bs trials, the rates r_t = f(x_t), t = 0 … T, are stored as T + 1
/// consecutive column-major N × Bs blocks, so that any run of k consecutive steps is one N × kBs
/// matrix. The gradient of W_rec, Σ_t g_{t+1} r_tᵀ, is then accumulated k steps at a time as one
/// GEMM with inner dimension k·Bs (instead of T GEMMs with inner dimension Bs), which runs near
/// the machine's GEMM peak (kernels/small_gemm.hpp's gemm_nt_accumulate; the g block is stored
/// with its columns padded to whole SIMD vectors so that its loads stay within cache lines). The recurrent GEMMs W_rec·r (forward) and W_recᵀ·g (backward) are
/// sequential in t and stay one GEMM per step; they run on kernels/small_gemm.hpp's micro-kernel
/// with [W_rec | W_in] and W_recᵀ packed once per gradient (shared read-only by the shards, resident
/// in L1 across all steps). The forward step is one kernel call that also adds W_in u_t and b and
/// applies the leak, x_{t+1} = (1 − α) x_t + α (…), with the activation applied to each chunk of
/// columns while it is in L1; the backward step's a ← (1 − α) a + f′ ⊙ (W_recᵀ g) is fused the same
/// way.
///
/// f′ is recomputed from the stored rates where the activation allows it (its `derivative_from_rate`
/// trait: tanh, 1 + tanh, ReLU, linear),
/// so the states x_t are stored only for other activations (softplus, user-defined ones); readout states (x at the
/// loss steps, for W_out's gradient with the state readout) only at the steps the mask selects.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/kernels/small_gemm.hpp>
#include <rnnlab/core/fast_math.hpp>
#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/tasks/trial_batch.hpp>

namespace rnnlab::detail {

// f′ from the stored rates: detail::rate_derivative<F> (core/activations.hpp) uses the
// activation's `derivative_from_rate` trait where it has one; F::derivative(x, r) otherwise.

/// Hints the cache to fetch n values from p on (a no-op where the compiler has no prefetch).
template <class Scalar>
inline void prefetch_range([[maybe_unused]] const Scalar* p, [[maybe_unused]] Index n) noexcept {
#if defined(__GNUC__)
  constexpr Index line = 64 / static_cast<Index>(sizeof(Scalar));
  for (Index i = 0; i < n; i += line) __builtin_prefetch(p + i, 0, 3);
#endif
}

/// What the caller wants from a sweep.
struct sweep_plan {
  bool W_rec = false, W_in = false, W_out = false, b = false, b_out = false, x0 = false;
  /// Rate penalty per entry: the loss gains rate_l1 Σ|r| + rate_l2 Σ r² over the rates r_1 … r_T
  /// (coefficients already normalised by the caller; learning/loss.hpp `penalty_spec`).
  double rate_l1 = 0, rate_l2 = 0;
  bool recurrence() const { return W_rec || W_in || b || x0; }
  bool rate_penalty() const { return rate_l1 != 0 || rate_l2 != 0; }
};

/// Loss kinds (public names in bptt.hpp).
enum class loss_kind_id { mse, cross_entropy };

/// Per-shard scratch and gradient accumulators, allocated once per shape.
template <class Scalar>
struct bptt_shard {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  Index col0 = 0, cols = 0;
  Index block = 1;  ///< steps per blocked W_rec-gradient GEMM
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> rates, states, readout_states, dy, gblock;
  matrix X, A, D, Y, U;
  ctrnn_parameters<Scalar> grad;
  double loss = 0;
  double penalty = 0;  ///< the rate penalty of this shard's trials (already weighted)
};

/// The whole workspace: shards and the active-step map.
template <class Scalar>
struct bptt_workspace {
  std::vector<bptt_shard<Scalar>> shards;
  std::vector<Index> active_steps;  ///< steps t with a non-zero mask somewhere in the batch
  std::vector<Index> slot_of;       ///< step → index into active_steps, or −1
  packed_lhs<Scalar> forward;       ///< [W_rec | W_in] and b, packed for small_gemm
  packed_lhs<Scalar> backward;      ///< W_recᵀ, packed for small_gemm
  Index N = 0, M = 0, O = 0, T = 0, B = 0, n_active = -1;
  bool store_states = false, store_readout = false;
};

/// Number of steps per blocked W_rec-gradient GEMM: about 4,000 columns of inner dimension, so
/// that the per-call overhead is negligible (the kernel itself works through k in L1-sized slices).
inline Index gradient_block_steps(Index cols) { return std::clamp<Index>(4096 / std::max<Index>(cols, 1), 1, 64); }

/// Sizes the workspace for a batch; reallocates only when a size changed.
template <class Scalar>
void prepare_workspace(bptt_workspace<Scalar>& ws, Index N, Index M, Index O, Index T, Index B, Index n_shards,
                       bool store_states, bool store_readout, Index n_active) {
  n_shards = std::clamp<Index>(n_shards, 1, B);
  const bool same = ws.N == N && ws.M == M && ws.O == O && ws.T == T && ws.B == B &&
                    static_cast<Index>(ws.shards.size()) == n_shards && ws.store_states == store_states &&
                    ws.store_readout == store_readout && ws.n_active == n_active;
  if (same) return;
  ws.N = N, ws.M = M, ws.O = O, ws.T = T, ws.B = B, ws.n_active = n_active;
  ws.store_states = store_states, ws.store_readout = store_readout;
  ws.shards.assign(static_cast<std::size_t>(n_shards), {});
  for (Index s = 0; s < n_shards; ++s) {
    auto& sh = ws.shards[static_cast<std::size_t>(s)];
    const auto [c0, nc] = shard_columns(B, n_shards, s);
    sh.col0 = c0;
    sh.cols = nc;
    const auto slab = static_cast<std::size_t>(N * sh.cols);
    sh.block = gradient_block_steps(sh.cols);
    sh.rates.assign(slab * static_cast<std::size_t>(T + 1), Scalar(0));
    if (store_states) sh.states.assign(slab * static_cast<std::size_t>(T + 1), Scalar(0));
    if (store_readout) sh.readout_states.assign(slab * static_cast<std::size_t>(n_active), Scalar(0));
    sh.dy.assign(static_cast<std::size_t>(O * sh.cols * n_active), Scalar(0));
    sh.gblock.assign(static_cast<std::size_t>(aligned_leading_dimension<Scalar>(N) * sh.cols * sh.block), Scalar(0));
    sh.X.resize(N, sh.cols);
    sh.A.resize(N, sh.cols);
    sh.D.resize(N, sh.cols);
    sh.Y.resize(O, sh.cols);
    sh.U.resize(M, sh.cols);
    sh.grad = ctrnn_parameters<Scalar>::zeros(N, M, O);
  }
}

/// Packs the network's weights for the sweeps (once per gradient; the shards share them).
template <class Scalar, class F>
void pack_weights(bptt_workspace<Scalar>& ws, const ctrnn<Scalar, F>& net, bool backward) {
  const auto& p = net.parameters();
  ws.forward.pack(p.W_rec, p.W_in, p.b);
  if (backward) ws.backward.pack(p.W_rec.transpose());
}

/// Forward and backward sweep of one shard. `x0` is N × 1 (shared) or N × B. `scale` is the loss
/// normalisation factor c (the loss is c · Σ mask · per-entry loss).
template <class Scalar, class F, class DX0>
void bptt_sweep(const ctrnn<Scalar, F>& net, const trial_batch<Scalar>& batch, const Eigen::MatrixBase<DX0>& x0,
                const bptt_workspace<Scalar>& ws, bptt_shard<Scalar>& sh, const sweep_plan& plan, loss_kind_id kind,
                Scalar scale) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using map = Eigen::Map<matrix>;
  using cmap = Eigen::Map<const matrix>;
  constexpr bool from_rate = has_derivative_from_rate<F>;
  const auto& p = net.parameters();
  const Index N = ws.N, O = ws.O, T = ws.T, Bs = sh.cols, c0 = sh.col0;
  const Scalar alpha = net.alpha(), keep = Scalar(1) - alpha;
  const bool rates_readout = net.readout() == readout_source::rates;
  const Index slab = N * Bs;
  Scalar* R = sh.rates.data();
  Scalar* Xs = sh.states.data();
  const auto rate = [&](Index t) { return map(R + t * slab, N, Bs); };
  const auto state = [&](Index t) { return map(Xs + t * slab, N, Bs); };
  const auto dy = [&](Index slot) { return map(sh.dy.data() + slot * O * Bs, O, Bs); };
  const auto inputs = [&](Index t) { return batch.inputs.slice(t).middleCols(c0, Bs); };

  auto& g = sh.grad;
  g.for_each([](param, auto& m) { m.setZero(); });
  sh.loss = 0;
  sh.penalty = 0;

  // ---- forward: x_{t+1} = (1−α) x_t + α (W_rec r_t + W_in u_t + b), r = f(x)
  auto& X = sh.X;
  if (x0.cols() == 1)
    X = x0.col(0).replicate(1, Bs);
  else
    X = x0.middleCols(c0, Bs);
  apply_activation<F>(X.data(), R, slab);
  if (ws.store_states) state(0) = X;
  double loss = 0;
  const Index M = ws.M;
  for (Index t = 0; t < T; ++t) {
    // X ← (1 − α) X + α (W_rec r_t + W_in u_t + b), then r_{t+1} = f(X) chunk by chunk.
    Scalar* rn = R + (t + 1) * slab;
    small_gemm(ws.forward, R + t * slab, N, inputs(t).data(), M, Bs, X.data(), N, alpha, keep,
               [&](Index cc, Index nc) {
                 apply_activation<F>(X.data() + cc * N, rn + cc * N, nc * N);
                 if (ws.store_states) state(t + 1).middleCols(cc, nc) = X.middleCols(cc, nc);
               });
    auto r_next = rate(t + 1);
    if (plan.rate_penalty())
      sh.penalty += plan.rate_l1 * static_cast<double>(r_next.cwiseAbs().sum()) +
                    plan.rate_l2 * static_cast<double>(r_next.squaredNorm());
    const Index slot = ws.slot_of[static_cast<std::size_t>(t)];
    if (slot < 0) continue;
    // Output step t reads x_{t+1}: loss and its derivative δy_t = ∂L/∂y_t.
    if (ws.store_readout) map(sh.readout_states.data() + slot * slab, N, Bs) = X;
    if (rates_readout)
      sh.Y.noalias() = p.W_out * r_next;
    else
      sh.Y.noalias() = p.W_out * X;
    sh.Y.colwise() += p.b_out;
    const auto target = batch.targets.slice(t).middleCols(c0, Bs);
    const auto mask = batch.mask.row(t).segment(c0, Bs);
    auto d = dy(slot);
    if (kind == loss_kind_id::mse) {
      d = sh.Y - target;
      for (Index b = 0; b < Bs; ++b) {
        const Scalar m = mask(b);
        loss += static_cast<double>(m) * static_cast<double>(d.col(b).squaredNorm());
        d.col(b) *= Scalar(2) * scale * m;
      }
    } else {
      // Softmax cross-entropy over the O outputs: L = −Σ_o p*_o log softmax(y)_o,
      // ∂L/∂y = softmax(y) · Σ_o p*_o − p*.
      // (Scalar loops over the O outputs: O is small, and Eigen's packet exp in double trips
      // GCC 12's false uninitialised-value warnings, see core/fast_math.hpp.)
      for (Index b = 0; b < Bs; ++b) {
        const Scalar m = mask(b);
        Scalar ymax = sh.Y(0, b);
        for (Index o = 1; o < O; ++o) ymax = std::max(ymax, sh.Y(o, b));
        Scalar zsum = 0, mass = 0;
        for (Index o = 0; o < O; ++o) {
          zsum += std::exp(sh.Y(o, b) - ymax);
          mass += target(o, b);
        }
        const Scalar lse = ymax + std::log(zsum);
        double lb = 0;
        for (Index o = 0; o < O; ++o) {
          const Scalar logp = sh.Y(o, b) - lse;
          lb += static_cast<double>(target(o, b)) * static_cast<double>(logp);
          d(o, b) = scale * m * (std::exp(logp) * mass - target(o, b));
        }
        loss -= static_cast<double>(m) * lb;
      }
    }
  }
  sh.loss = loss;

  // ---- backward: A = ∂L/∂x_t, from t = T down to 0.
  auto& A = sh.A;
  auto& D = sh.D;
  A.setZero();
  const Index k = sh.block;
  Scalar* G = sh.gblock.data();
  const Index ldg = aligned_leading_dimension<Scalar>(N);  // G's columns start on vector boundaries
  using smap = Eigen::Map<matrix, 0, Eigen::OuterStride<>>;
  for (Index t = T; t >= 1; --t) {
    const Index slot = ws.slot_of[static_cast<std::size_t>(t - 1)];
    if (slot >= 0) {
      const auto d = dy(slot);
      if (plan.W_out) {
        if (rates_readout)
          g.W_out.noalias() += d * rate(t).transpose();
        else
          g.W_out.noalias() += d * map(sh.readout_states.data() + slot * slab, N, Bs).transpose();
      }
      if (plan.b_out) g.b_out.noalias() += d.rowwise().sum();
      if (plan.recurrence()) {
        D.noalias() = p.W_out.transpose() * d;
        if (rates_readout) {
          const cmap rt(R + t * slab, N, Bs), xt(from_rate ? R : Xs + t * slab, N, Bs);
          A.array() += D.array() * rate_derivative<F>(xt.array(), rt.array());
        } else
          A += D;
      }
    }
    if (!plan.recurrence()) continue;
    if (plan.rate_penalty()) {  // ∂/∂x_t of rate_l1 |r_t| + rate_l2 r_t²
      const cmap rt(R + t * slab, N, Bs), xt(from_rate ? R : Xs + t * slab, N, Bs);
      A.array() += (static_cast<Scalar>(plan.rate_l1) * rt.array().sign() +
                    static_cast<Scalar>(2 * plan.rate_l2) * rt.array()) *
                   rate_derivative<F>(xt.array(), rt.array());
    }
    // g_t = ∂L/∂z_{t−1} = α ∂L/∂x_t, kept in the block buffer at its step's position.
    const Index j = t - 1, start = (j / k) * k;
    smap gj(G + (j - start) * ldg * Bs, N, Bs, Eigen::OuterStride<>(ldg));
    gj = alpha * A;
    if (plan.W_in) g.W_in.noalias() += gj * inputs(j).transpose();
    if (plan.b) g.b.noalias() += gj.rowwise().sum();
    if (j > 0 || plan.x0) {
      // D = W_recᵀ g_t, then a ← (1 − α) a + f′(x_j) ⊙ D chunk by chunk.
      small_gemm(ws.backward, gj.data(), ldg, static_cast<const Scalar*>(nullptr), 0, Bs, D.data(), N, Scalar(1),
                 Scalar(0), [&](Index cc, Index nc) {
                   const cmap rj(R + (j * Bs + cc) * N, N, nc), xj(from_rate ? R : Xs + (j * Bs + cc) * N, N, nc);
                   // The rates of step j − 1 come from memory (the sweep's whole trajectory is far
                   // larger than the caches): ask for them one step ahead.
                   if (j > 0) prefetch_range(R + ((j - 1) * Bs + cc) * N, nc * N);
                   auto Ac = A.middleCols(cc, nc);
                   Ac.array() = keep * Ac.array() + rate_derivative<F>(xj.array(), rj.array()) * D.middleCols(cc, nc).array();
                 });
    }
    if (plan.W_rec && j == start) {
      const Index steps = std::min(k, T - start);
      gemm_nt_accumulate(N, N, steps * Bs, G, ldg, R + start * slab, N, g.W_rec.data(), N);
    }
  }
  if (plan.x0) g.x0.noalias() = A.rowwise().sum();
}

}  // namespace rnnlab::detail
