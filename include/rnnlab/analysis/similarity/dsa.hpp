#pragma once
/// \file analysis/similarity/dsa.hpp
/// Dynamical Similarity Analysis (Ostrow, Eisen, Kozachkov & Fiete 2023, "Beyond geometry:
/// comparing the temporal structure of computation in neural circuits with Dynamical Similarity
/// Analysis", NeurIPS): two networks are compared by the linear operators that best advance their
/// delay-embedded activity, up to an orthogonal change of basis.
///
/// Per network (one factorisation, `dmd_operator_of`):
///   1. Delay embedding (Hankel matrix). Activity X is units × samples with column t·C + c (time t,
///      condition c; the layout of `record_activity`). With d delays, the Hankel column of window
///      (t, c), t = 0 … T − d, is h_{t,c} = [x_{t,c}; x_{t+1,c}; …; x_{t+d−1,c}] ∈ ℝ^{d·n}.
///   2. Truncated SVD H = U S Vᵀ, rank r (the `rank` parameter; fewer when H has numerical rank
///      below r): whitened coordinates v_{t,c} = S_r⁻¹ U_rᵀ h_{t,c} ∈ ℝʳ.
///   3. DMD operator (least squares over the (T − d)·C snapshot pairs of the same condition):
///      A = argmin ‖V⁺ − A V⁻‖_F = V⁺ V⁻ᵀ (V⁻ V⁻ᵀ)⁻¹ (r × r), the package's default (HAVOK-style DMD
///      on the delay coordinates, no reduced-rank regression).
/// Per pair: d(A, B) = min over orthogonal C (r × r) of ‖A − C B Cᵀ‖_F (`dsa_score::euclidean`) or
/// the angle arccos(⟨A, C B Cᵀ⟩_F / (‖A‖_F ‖B‖_F)) at that C (`dsa_score::angular`, the paper's
/// angular option; a value in [0, π]). Both maximise f(C) = ⟨A, C B Cᵀ⟩ since ‖C B Cᵀ‖ = ‖B‖.
/// Operators of different ranks are compared after zero-padding the smaller one.
///
/// Invariance (exact): if X' = M X for an invertible M and H has exact rank r, then H' has the same
/// row space, V' = V Q with Q orthogonal, A' = Qᵀ A Q and d = 0. With truncation (r below the
/// rank of H) this holds only approximately.
///
/// The optimisation over the orthogonal group (the reference package runs Adam on a Cayley
/// parametrisation for every pair). Here, from each start: optionally (`procrustes_steps`) closed-form
/// Procrustes steps C ← polar(A C Bᵀ + Aᵀ C B) (the maximiser over O(r) of f's linearisation) while
/// they raise f; then Riemannian gradient ascent with the Cayley retraction
/// C(t) = C (I − tΩ/2)⁻¹(I + tΩ/2), Ω = CᵀG − GᵀC, G = ∇f, Armijo backtracking (every step raises f),
/// until f rises by less than tolerance·‖A‖‖B‖ or max_iterations. Starts: the identity (both bases
/// are principal components ordered by variance), the alignment of the eigenbases of the symmetric
/// parts (optimal when A and B are symmetric, by von Neumann's trace inequality) and n_starts − 2
/// Haar-random orthogonal matrices from the stream (seed, start), the same for every pair; the best
/// is kept. What is exact and what is not: the returned C is orthogonal and the distance is its
/// value (an upper bound of the true minimum, a local optimum in general — the problem contains graph
/// matching); `lower_bound` is a certified lower bound, from ⟨A, CBCᵀ⟩ = ⟨A_s, C B_s Cᵀ⟩ +
/// ⟨A_k, C B_k Cᵀ⟩ (symmetric and skew parts) ≤ Σ λ↓(A_s)λ↓(B_s) + Σ σ(A_k)σ(B_k). When the two
/// coincide (to rounding) the distance is the global minimum. A pair is always optimised in one
/// orientation, so d(a, b) = d(b, a) exactly.
///
/// Errors (before any work): params out of range (argument_error naming the field); X not finite,
/// or its columns not a multiple of n_conditions, or too few time steps for the delays and rank
/// (shape_error); all-zero activity (argument_error). A population matrix names the network.

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// Which score of the aligned operators `dsa` reports.
enum class dsa_score {
  angular,    ///< arccos(⟨A, C B Cᵀ⟩ / (‖A‖ ‖B‖)) ∈ [0, π] (default; scale free)
  euclidean,  ///< ‖A − C B Cᵀ‖_F
};

/// Hyper-parameters of DSA.
struct dsa_params {
  Index n_conditions = 1;  ///< C: activity columns are t·C + c (≥ 1)
  Index n_delays = 1;      ///< d: delays of the Hankel embedding (≥ 1; 1 = no embedding)
  Index rank = 10;         ///< r: rank of the truncated SVD of the Hankel matrix (≥ 1)
  dsa_score score = dsa_score::angular;
  int n_starts = 4;             ///< starts (≥ 1): identity, spectral, then Haar-random
  int max_iterations = 1000;    ///< steps per start (≥ 1)
  double tolerance = 1e-9;      ///< stop a start when f rises by less than this × ‖A‖‖B‖ (> 0)
  std::uint64_t seed = 0;       ///< stream of the random starts
  bool procrustes_steps = false;  ///< begin each start with closed-form Procrustes steps (see above)

  /// Throws argument_error naming the field and its value.
  void validate(std::string_view caller = "rnnlab::dsa_params::validate") const;
};

/// A network's DMD operator and what its comparisons need (the per-network factor of DSA).
struct dmd_operator {
  Eigen::MatrixXd A;              ///< r_eff × r_eff operator in whitened Hankel coordinates
  Eigen::VectorXd singular_values;  ///< the r_eff kept singular values of H (descending)
  Eigen::MatrixXd sym_vectors;    ///< eigenvectors of A_s = (A + Aᵀ)/2, eigenvalues ascending
  Eigen::VectorXd sym_values;     ///< eigenvalues of A_s (ascending)
  Eigen::VectorXd skew_singular;  ///< singular values of A_k = (A − Aᵀ)/2 (descending)
  double norm = 0.0;              ///< ‖A‖_F
  double spectral_norm = 0.0;     ///< ‖A‖₂
  Index rank() const noexcept { return A.rows(); }
};

/// Status of a comparison.
enum class dsa_status {
  ok,              ///< every start converged to the tolerance
  max_iterations,  ///< the best start stopped at max_iterations (value still an upper bound)
  undefined,       ///< angular score of a zero operator (value NaN)
};

/// The comparison of two operators.
struct dsa_result {
  double distance = 0.0;     ///< the score at the best C found (an upper bound of the minimum)
  double lower_bound = 0.0;  ///< certified lower bound of the minimum (same score)
  Eigen::MatrixXd C;         ///< the orthogonal alignment found (padded size)
  int iterations = 0;        ///< accepted steps, all starts
  dsa_status status = dsa_status::ok;
};

/// The DMD operator of activity X (units × samples, columns t·C + c). Throws as the file says.
inline dmd_operator dmd_operator_of(const Eigen::Ref<const Eigen::MatrixXd>& X, const dsa_params& params);

/// Compares two operators (minimum over orthogonal C; see the file comment).
inline dsa_result dsa_compare(const dmd_operator& a, const dmd_operator& b, const dsa_params& params);

/// DSA of two activity matrices (same C; unit counts may differ).
inline dsa_result dsa(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::Ref<const Eigen::MatrixXd>& Y,
                      const dsa_params& params);

/// The P × P matrix of DSA distances: P operators (in parallel over networks), then the
/// P(P − 1)/2 comparisons (in parallel over pairs). Symmetric by construction (the pair i < j is
/// computed once), zero diagonal. Deterministic for any thread count. `n_threads`: 0 = automatic.
inline Eigen::MatrixXd dsa_distance_matrix(std::span<const Eigen::MatrixXd> activities, const dsa_params& params,
                                           thread_count n_threads = 0);

/// The same from operators already made (e.g. kept to compare against more networks later).
inline Eigen::MatrixXd dsa_distance_matrix(std::span<const dmd_operator> operators, const dsa_params& params,
                                           thread_count n_threads = 0);

/// DSA as a `SimilarityMetric` policy (factor = the DMD operator).
struct dsa_metric {
  using factor_type = dmd_operator;
  dsa_params params;
  factor_type factor(const Eigen::MatrixXd& X) const { return dmd_operator_of(X, params); }
  double distance(const factor_type& a, const factor_type& b) const { return dsa_compare(a, b, params).distance; }
};

// ---------------------------------------------------------------------------------------------
// Definitions

inline void dsa_params::validate(std::string_view caller) const {
  require(n_conditions >= 1, caller, "n_conditions", ">= 1", n_conditions);
  require(n_delays >= 1, caller, "n_delays", ">= 1", n_delays);
  require(rank >= 1, caller, "rank", ">= 1", rank);
  require(n_starts >= 1, caller, "n_starts", ">= 1", n_starts);
  require(max_iterations >= 1, caller, "max_iterations", ">= 1", max_iterations);
  require(std::isfinite(tolerance) && tolerance > 0.0, caller, "tolerance", "a finite value > 0", tolerance);
}

namespace detail {

/// Polar factor U Vᵀ of G (the orthogonal matrix closest to G, maximiser of ⟨G, C⟩ over O(r)).
inline Eigen::MatrixXd dsa_polar(const Eigen::MatrixXd& G) {
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(G, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return svd.matrixU() * svd.matrixV().transpose();
}

/// A zero-padded copy of an operator's matrices to size r.
inline dmd_operator dsa_padded(const dmd_operator& a, Index r) {
  if (a.rank() == r) return a;
  dmd_operator p = a;
  const Index k = a.rank();
  p.A = Eigen::MatrixXd::Zero(r, r);
  p.A.topLeftCorner(k, k) = a.A;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (p.A + p.A.transpose()));
  p.sym_vectors = es.eigenvectors();
  p.sym_values = es.eigenvalues();
  p.skew_singular = Eigen::VectorXd::Zero(r);
  p.skew_singular.head(k) = a.skew_singular;
  return p;
}

}  // namespace detail

inline dmd_operator dmd_operator_of(const Eigen::Ref<const Eigen::MatrixXd>& X, const dsa_params& params) {
  constexpr std::string_view fn = "rnnlab::dmd_operator_of";
  params.validate(fn);
  const Index n = X.rows(), C = params.n_conditions, d = params.n_delays;
  require_shape(n >= 1 && X.cols() >= 1, fn, "X", "units × samples with both ≥ 1",
                detail::concat(n, " × ", X.cols()));
  require_shape(X.cols() % C == 0, fn, "X",
                detail::concat("a number of columns divisible by n_conditions = ", C), X.cols());
  const Index T = X.cols() / C;
  require_shape(T >= d + 1, fn, "X",
                detail::concat("at least n_delays + 1 = ", d + 1, " time steps per condition"), T);
  const Index n_pairs = (T - d) * C;
  require_shape(n_pairs >= params.rank, fn, "X",
                detail::concat("at least rank = ", params.rank, " snapshot pairs ((T − n_delays)·C)"), n_pairs);
  for (Index j = 0; j < X.cols(); ++j)
    for (Index i = 0; i < n; ++i)
      require(std::isfinite(X(i, j)), fn, "X", "finite values", detail::concat("X(", i, ", ", j, ") = ", X(i, j)));
  require(X.cwiseAbs().maxCoeff() > 0.0, fn, "X", "activity that is not all zero", "all zeros");

  // 1. Hankel matrix, windows (t, c) in column t·C + c.
  const Index rows = d * n, W = T - d + 1, m = W * C;
  Eigen::MatrixXd H(rows, m);
  for (Index t = 0; t < W; ++t)
    for (Index c = 0; c < C; ++c)
      for (Index k = 0; k < d; ++k) H.block(k * n, t * C + c, n, 1) = X.col((t + k) * C + c);

  // 2. Truncated SVD through the smaller Gram matrix; singular values below 1e-7 s₁ (what a Gram
  //    matrix resolves in double) are numerically zero.
  Eigen::MatrixXd V;  // r × m whitened coordinates
  Eigen::VectorXd s;
  {
    const bool by_rows = rows <= m;
    const Eigen::MatrixXd G = by_rows ? Eigen::MatrixXd(H * H.transpose()) : Eigen::MatrixXd(H.transpose() * H);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G);
    const Index g = G.rows();
    const Eigen::VectorXd ev = es.eigenvalues().reverse().cwiseMax(0.0);
    const double s1 = std::sqrt(ev(0));
    Index r = 0;
    while (r < std::min(params.rank, g) && std::sqrt(ev(r)) > 1e-7 * s1) ++r;
    s = ev.head(r).cwiseSqrt();
    const Eigen::MatrixXd E = es.eigenvectors().rowwise().reverse().leftCols(r);
    if (by_rows)
      V = s.cwiseInverse().asDiagonal() * (E.transpose() * H);
    else
      V = E.transpose();
  }
  const Index r = s.size();

  // 3. Least-squares operator over snapshot pairs (t, c) → (t + 1, c).
  Eigen::MatrixXd Vm(r, n_pairs), Vp(r, n_pairs);
  Vm = V.leftCols(n_pairs);
  Vp = V.rightCols(n_pairs);  // column (t + 1)·C + c follows column t·C + c
  const Eigen::MatrixXd Gm = Vm * Vm.transpose();
  const Eigen::MatrixXd rhs = Vm * Vp.transpose();
  dmd_operator out;
  out.A = Gm.ldlt().solve(rhs).transpose();
  out.singular_values = s;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> sym(0.5 * (out.A + out.A.transpose()));
  out.sym_vectors = sym.eigenvectors();
  out.sym_values = sym.eigenvalues();
  out.skew_singular = Eigen::JacobiSVD<Eigen::MatrixXd>(0.5 * (out.A - out.A.transpose())).singularValues();
  out.norm = out.A.norm();
  out.spectral_norm = Eigen::JacobiSVD<Eigen::MatrixXd>(out.A).singularValues()(0);
  return out;
}

namespace detail {

/// A strict order on operators (rank, then ‖A‖_F, then the entries), so that a pair is always
/// optimised in one orientation: d(a, b) = d(b, a) exactly (the aligned C of (b, a) is Cᵀ).
inline bool dsa_before(const dmd_operator& a, const dmd_operator& b) {
  if (a.rank() != b.rank()) return a.rank() < b.rank();
  if (a.norm != b.norm) return a.norm < b.norm;
  return std::lexicographical_compare(a.A.data(), a.A.data() + a.A.size(), b.A.data(), b.A.data() + b.A.size());
}

}  // namespace detail

inline dsa_result dsa_compare(const dmd_operator& a0, const dmd_operator& b0, const dsa_params& params) {
  params.validate("rnnlab::dsa_compare");
  if (detail::dsa_before(b0, a0)) {
    dsa_result swapped = dsa_compare(b0, a0, params);
    swapped.C.transposeInPlace();
    return swapped;
  }
  const Index r = std::max(a0.rank(), b0.rank());
  const dmd_operator a = detail::dsa_padded(a0, r), b = detail::dsa_padded(b0, r);
  const Eigen::MatrixXd& A = a.A;
  const Eigen::MatrixXd& B = b.A;
  const double nab = a.norm * b.norm;
  const double sigma_max = a.spectral_norm * b.spectral_norm;
  const auto f = [&](const Eigen::MatrixXd& C) { return (A.cwiseProduct(C * B * C.transpose())).sum(); };

  // Certified upper bound of f (von Neumann on the symmetric and skew parts).
  const double f_upper = a.sym_values.dot(b.sym_values) + a.skew_singular.dot(b.skew_singular);

  dsa_result out;
  double best = -std::numeric_limits<double>::infinity();
  bool best_converged = true;
  for (int start = 0; start < params.n_starts; ++start) {
    Eigen::MatrixXd C;
    if (start == 0) {
      C = Eigen::MatrixXd::Identity(r, r);  // both bases are principal components ordered by variance
    } else if (start == 1) {
      C = a.sym_vectors * b.sym_vectors.transpose();
    } else {
      rng g = make_stream(params.seed, {0xD5Au, static_cast<std::uint64_t>(start)});
      Eigen::MatrixXd Z(r, r);
      for (Index j = 0; j < r; ++j)
        for (Index i = 0; i < r; ++i) Z(i, j) = standard_normal(g);
      C = detail::dsa_polar(Z);  // Haar-distributed: polar factor of a Gaussian matrix
    }
    double fc = f(C);
    bool converged = false;
    int steps = 0;
    // Phase 1: closed-form Procrustes steps (σ = 0) while they raise f: long moves, few steps.
    while (params.procrustes_steps && steps < params.max_iterations) {
      Eigen::MatrixXd Cn = detail::dsa_polar(A * C * B.transpose() + A.transpose() * C * B);
      const double fn = f(Cn);
      if (!(fn > fc + params.tolerance * nab)) break;
      C = std::move(Cn);
      fc = fn;
      ++steps;
    }
    // Phase 2: Riemannian gradient ascent on O(r) with the Cayley retraction
    // C(t) = C (I − tΩ/2)⁻¹ (I + tΩ/2), Ω = CᵀG − GᵀC (d f(C(t))/dt at 0 = ½‖Ω‖²), Armijo
    // backtracking; the step length doubles after each accepted step. Every step raises f.
    const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(r, r);
    double t = 1.0 / std::max(sigma_max, 1e-300);
    while (steps < params.max_iterations) {
      const Eigen::MatrixXd G = A * C * B.transpose() + A.transpose() * C * B;
      const Eigen::MatrixXd Omega = C.transpose() * G - G.transpose() * C;
      const double slope = 0.5 * Omega.squaredNorm();
      if (slope <= params.tolerance * params.tolerance * nab * nab) {
        converged = true;
        break;
      }
      bool accepted = false;
      for (int halving = 0; halving < 60; ++halving) {
        const Eigen::MatrixXd Cn = C * (I - 0.5 * t * Omega).partialPivLu().solve(I + 0.5 * t * Omega);
        const double fn = f(Cn);
        if (fn >= fc + 1e-4 * t * slope) {
          const double rise = fn - fc;
          C = Cn;
          fc = fn;
          accepted = true;
          if (rise <= params.tolerance * nab) converged = true;
          break;
        }
        t *= 0.5;
      }
      ++steps;
      if (!accepted || converged) {
        converged = true;  // no ascent left at this precision: a stationary point
        break;
      }
      t *= 2.0;
    }
    out.iterations += steps;
    if (fc > best) {
      best = fc;
      out.C = C;
      best_converged = converged;
    }
  }
  out.status = best_converged ? dsa_status::ok : dsa_status::max_iterations;
  const double fu = std::max(best, f_upper);
  if (params.score == dsa_score::euclidean) {
    out.distance = (A - out.C * B * out.C.transpose()).norm();  // direct: no cancellation near 0
    // (clamped: rounding in the subtraction must not put the bound above the value it bounds)
    out.lower_bound = std::min(out.distance, std::sqrt(std::max(0.0, a.norm * a.norm + b.norm * b.norm - 2.0 * fu)));
  } else if (nab == 0.0) {
    out.distance = out.lower_bound = std::numeric_limits<double>::quiet_NaN();
    out.status = dsa_status::undefined;
  } else {
    out.distance = std::acos(std::clamp(best / nab, -1.0, 1.0));
    out.lower_bound = std::acos(std::clamp(fu / nab, -1.0, 1.0));
  }
  return out;
}

inline dsa_result dsa(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::Ref<const Eigen::MatrixXd>& Y,
                      const dsa_params& params) {
  return dsa_compare(dmd_operator_of(X, params), dmd_operator_of(Y, params), params);
}

inline Eigen::MatrixXd dsa_distance_matrix(std::span<const dmd_operator> operators, const dsa_params& params,
                                           thread_count n_threads) {
  params.validate("rnnlab::dsa_distance_matrix");
  const Index P = static_cast<Index>(operators.size());
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(P, P);
  std::vector<std::pair<Index, Index>> pairs;
  pairs.reserve(static_cast<std::size_t>(P * (P - 1) / 2));
  for (Index j = 1; j < P; ++j)
    for (Index i = 0; i < j; ++i) pairs.emplace_back(i, j);
  parallel_dynamic(static_cast<Index>(pairs.size()), n_threads, 4, [&](int, Index k) {
    const auto [i, j] = pairs[static_cast<std::size_t>(k)];
    const double v = dsa_compare(operators[static_cast<std::size_t>(i)], operators[static_cast<std::size_t>(j)],
                                 params).distance;
    D(i, j) = v;
    D(j, i) = v;
  });
  return D;
}

inline Eigen::MatrixXd dsa_distance_matrix(std::span<const Eigen::MatrixXd> activities, const dsa_params& params,
                                           thread_count n_threads) {
  constexpr std::string_view fn = "rnnlab::dsa_distance_matrix";
  params.validate(fn);
  const Index P = static_cast<Index>(activities.size());
  std::vector<dmd_operator> ops(static_cast<std::size_t>(P));
  parallel_dynamic(P, n_threads, 1, [&](int, Index i) {
    const auto& X = activities[static_cast<std::size_t>(i)];
    try {
      ops[static_cast<std::size_t>(i)] = dmd_operator_of(X, params);
    } catch (const shape_error& e) {
      throw shape_error(detail::concat(fn, ": activities[", i, "] (network ", i, "): ", e.what()));
    } catch (const argument_error& e) {
      throw argument_error(detail::concat(fn, ": activities[", i, "] (network ", i, "): ", e.what()));
    }
  });
  return dsa_distance_matrix(std::span<const dmd_operator>(ops), params, n_threads);
}

}  // namespace rnnlab
