#pragma once
/// \file core/parallel_simulate.hpp
/// Forward simulation of a batch split into column shards swept on threads: the same recursion
/// as `ctrnn::simulate` (core/ctrnn.hpp),
///
///     x_{t+1} = (1 − α) x_t + α (W_rec f(x_t) + W_in u_t + b),    y_t = W_out s_{t+1} + b_out,
///
/// for evaluating many trials fast (a 2,000-trial validation set after every training update).
/// Trials are independent, so every output is computed exactly as in a single-threaded sweep of
/// the same shard split whatever the number of threads; tanh and 1 + tanh use the vectorised
/// double tanh of core/fast_math.hpp, and the recurrent product runs on the register-blocked
/// kernel of kernels/small_gemm.hpp with the weights packed once per call.

#include <Eigen/Core>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/kernels/small_gemm.hpp>
#include <rnnlab/core/fast_math.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// How a batch is split and run: `shards` column blocks on up to `threads` threads (0 = automatic:
/// the hardware's within the thread budget, 1 for small work; at most `shards`; kernels/parallel.hpp).
struct shard_options {
  Index shards = 2;
  thread_count threads = 0;
};

/// Outputs (T, B, O) of `net` on `inputs` (T, B, M) from initial states `x0` (N × 1 shared or N × B).
template <class Scalar, Activation F, class DX0>
sequence<Scalar> simulate_sharded(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs,
                                  const Eigen::MatrixBase<DX0>& x0, const shard_options& options = {});

namespace detail {

/// Column block [first, first + count) of shard s of n over B columns (the first B mod n shards
/// are one column wider).
inline std::pair<Index, Index> shard_columns(Index B, Index n, Index s) {
  const Index base = B / n, extra = B % n;
  return {s * base + std::min(s, extra), base + (s < extra ? 1 : 0)};
}

}  // namespace detail

template <class Scalar, Activation F, class DX0>
sequence<Scalar> simulate_sharded(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs,
                                  const Eigen::MatrixBase<DX0>& x0, const shard_options& options) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  constexpr std::string_view fn = "rnnlab::simulate_sharded";
  const Index T = inputs.shape(0), B = inputs.shape(1), N = net.n_units(), O = net.n_outputs();
  require(options.shards >= 1, fn, "options.shards", ">= 1", options.shards);
  require(options.threads >= 0, fn, "options.threads", ">= 0 (0 = automatic)", options.threads);
  require_shape(inputs.shape(2) == net.n_inputs() && T > 0 && B > 0, fn, "inputs",
                detail::concat("(T, B, ", net.n_inputs(), ") with T, B > 0"), shape_string(inputs.shape()));
  require_shape(x0.rows() == N && (x0.cols() == 1 || x0.cols() == B), fn, "x0",
                detail::concat("(", N, ", 1) or (", N, ", ", B, ")"),
                detail::concat("(", x0.rows(), ", ", x0.cols(), ")"));
  sequence<Scalar> outputs({T, B, O});
  const auto& p = net.parameters();
  const Scalar alpha = net.alpha(), keep = Scalar(1) - alpha;
  const bool rates = net.readout() == readout_source::rates;
  const Index shards = std::min(options.shards, B), M = net.n_inputs();
  // [W_rec | W_in] and b packed once for the micro-kernel (kernels/small_gemm.hpp), shared by the shards.
  detail::packed_lhs<Scalar> packed;
  packed.pack(p.W_rec, p.W_in, p.b);
  const work_estimate work{static_cast<double>(N) * static_cast<double>(N + M) * static_cast<double>(B * T)};
  parallel_shards(shards, options.threads, work, [&](Index s) {
    const auto [c0, Bs] = detail::shard_columns(B, shards, s);
    matrix X(N, Bs), R(N, Bs);
    if (x0.cols() == 1)
      X = x0.col(0).replicate(1, Bs);
    else
      X = x0.middleCols(c0, Bs);
    detail::apply_activation<F>(X.data(), R.data(), X.size());
    for (Index t = 0; t < T; ++t) {
      // X ← (1 − α) X + α (W_rec R + W_in u_t + b); R ← f(X) chunk by chunk (column j of R is read
      // only for column j of X, so it is overwritten as soon as its chunk is done).
      detail::small_gemm(packed, R.data(), N, inputs.slice(t).data() + c0 * M, M, Bs, X.data(), N, alpha, keep,
                         [&](Index cc, Index nc) {
                           detail::apply_activation<F>(X.data() + cc * N, R.data() + cc * N, nc * N);
                         });
      auto Y = outputs.slice(t).middleCols(c0, Bs);
      if (rates)
        Y.noalias() = p.W_out * R;
      else
        Y.noalias() = p.W_out * X;
      Y.colwise() += p.b_out;
    }
  });
  return outputs;
}

}  // namespace rnnlab
