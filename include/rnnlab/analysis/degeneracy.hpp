#pragma once
/// \file analysis/degeneracy.hpp
/// Solution degeneracy at three levels (the degeneracy study of related_abstracts.md, first entry:
/// "Measuring and Controlling Solution Degeneracy across Task-Trained RNNs"): how different are
/// the solutions of equally good networks
///
///   - in **behaviour**: `behaviour_divergence_matrix` — the RMS difference of the networks'
///     outputs on one out-of-distribution trial batch (the task sampled with transformed
///     parameters: longer delays, larger amplitudes, more pulses …), over the batch's loss mask:
///       D_ij = sqrt( Σ_{t,b} m_tb ‖y_i(t, b) − y_j(t, b)‖² / (O · Σ_{t,b} m_tb) );
///   - in **neural dynamics**: Dynamical Similarity Analysis (analysis/similarity/dsa.hpp,
///     `dsa_distance_matrix`), next to SVCCA / CKA / Procrustes on activity (distance_matrix.hpp);
///   - in **weight space**: `weight_distance` — the networks' parameters compared after the best
///     matching of units found, since relabelling hidden units leaves a network's function unchanged:
///       D(π)² = ‖W_rec^a − P W_rec^b Pᵀ‖²_F + ‖W_in^a − P W_in^b‖²_F + ‖W_out^a − W_out^b Pᵀ‖²_F
///               + ‖b^a − P b^b‖² (+ ‖W_fb^a − P W_fb^b‖²_F with output feedback),
///     P the permutation matrix of π (unit i of a ↔ unit π(i) of b), D = min over π found.
///
/// Matching (on the library's assignment solver, analysis/assignment.hpp). Minimising D over
/// permutations is a quadratic assignment problem (NP-hard), solved here in two stages:
///   1. an exact linear assignment on a permutation-invariant cost per unit pair:
///        c_ij = ‖W_in^a[i,:] − W_in^b[j,:]‖² + ‖W_out^a[:,i] − W_out^b[:,j]‖² + (b^a_i − b^b_j)²
///             + (W_rec^a_ii − W_rec^b_jj)² + ‖sort(W_rec^a[i,:]) − sort(W_rec^b[j,:])‖²
///             + ‖sort(W_rec^a[:,i]) − sort(W_rec^b[:,j])‖²
///      (sorted rows and columns do not depend on the labels of the other units), which is 0 for the
///      true matching of a permuted copy;
///   2. refinement of D itself: the linearisation of ⟨W_rec^a, P W_rec^b Pᵀ⟩ + ⟨L, P⟩ at the current
///      P (gradient W_rec^a P W_rec^bᵀ + W_rec^aᵀ P W_rec^b + L, with L = W_in^a W_in^bᵀ +
///      W_out^aᵀ W_out^b + b^a b^bᵀ (+ W_fb^a W_fb^bᵀ)) is maximised exactly by a linear assignment;
///      the new matching is kept while D decreases. The result is a local optimum (exact for a
///      permuted copy: distance 0).
/// Different unit counts, input or output counts are a shape_error (weights of different shapes
/// are not comparable by this measure).

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include <rnnlab/analysis/assignment.hpp>
#include <rnnlab/analysis/similarity/dsa.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/tasks/trial_batch.hpp>

namespace rnnlab {

/// Options of `weight_distance`.
struct weight_distance_params {
  int max_refinements = 50;  ///< refinement steps (stage 2); 0 = the invariant-cost matching only

  void validate(std::string_view caller) const {
    require(max_refinements >= 0, caller, "max_refinements", ">= 0", max_refinements);
  }
};

/// The result of `weight_distance`.
struct weight_distance_result {
  double distance = 0.0;          ///< D at the matching found (Frobenius norm, units of the weights)
  double unmatched_distance = 0.0;  ///< D at the identity matching (π(i) = i), for reference
  std::vector<Index> matching;    ///< π: unit i of a ↔ unit matching[i] of b
  int refinements = 0;            ///< accepted refinement steps
};

/// Permutation-invariant distance between two networks' weights (see the file comment).
/// Throws shape_error when N, M, O or the presence of W_fb differ.
template <class Scalar>
weight_distance_result weight_distance(const ctrnn_parameters<Scalar>& a, const ctrnn_parameters<Scalar>& b,
                                       const weight_distance_params& params = {});

/// The P × P matrix of `weight_distance` (pairs in parallel; deterministic for any thread count).
template <class Scalar>
Eigen::MatrixXd weight_distance_matrix(std::span<const ctrnn_parameters<Scalar>> networks,
                                       const weight_distance_params& params = {}, thread_count n_threads = 0);

/// The P × P matrix of output divergences on one (out-of-distribution) trial batch: each network
/// simulated once on `batch.inputs` from its own x0 (in parallel over networks), then D_ij as in the
/// file comment (same units as the outputs). `Net` is any network with `simulate(inputs)` returning
/// `.outputs` (T, B, O), e.g. `ctrnn<Scalar, F>`. Throws shape_error if the networks' input or output
/// counts do not fit the batch, argument_error if the mask is all zero.
template <class Net, class Scalar>
Eigen::MatrixXd behaviour_divergence_matrix(std::span<const Net> networks, const trial_batch<Scalar>& batch,
                                            thread_count n_threads = 0);

// ---------------------------------------------------------------------------------------------
// Definitions

namespace detail {

/// The parameters of a network in double, the groups D compares.
struct degeneracy_weights {
  Eigen::MatrixXd W_rec, W_in, W_out, W_fb;
  Eigen::VectorXd b;
};

template <class Scalar>
degeneracy_weights degeneracy_weights_of(const ctrnn_parameters<Scalar>& p) {
  return {p.W_rec.template cast<double>(), p.W_in.template cast<double>(), p.W_out.template cast<double>(),
          p.W_fb.template cast<double>(), p.b.template cast<double>()};
}

/// D(π)² (file comment).
inline double degeneracy_weight_sq(const degeneracy_weights& a, const degeneracy_weights& b,
                                   const std::vector<Index>& pi) {
  const Index N = a.W_rec.rows();
  double s = 0.0;
  for (Index k = 0; k < N; ++k) {
    const Index pk = pi[static_cast<std::size_t>(k)];
    for (Index i = 0; i < N; ++i) {
      const double d = a.W_rec(i, k) - b.W_rec(pi[static_cast<std::size_t>(i)], pk);
      s += d * d;
    }
    s += (a.W_out.col(k) - b.W_out.col(pk)).squaredNorm();
  }
  for (Index i = 0; i < N; ++i) {
    const Index pi_i = pi[static_cast<std::size_t>(i)];
    s += (a.W_in.row(i) - b.W_in.row(pi_i)).squaredNorm();
    s += (a.b(i) - b.b(pi_i)) * (a.b(i) - b.b(pi_i));
    if (a.W_fb.size() != 0) s += (a.W_fb.row(i) - b.W_fb.row(pi_i)).squaredNorm();
  }
  return s;
}

inline Eigen::MatrixXd degeneracy_sorted_rows(const Eigen::MatrixXd& W) {
  Eigen::MatrixXd S = W;
  for (Index i = 0; i < S.rows(); ++i) {
    Eigen::VectorXd r = S.row(i).transpose();
    std::sort(r.data(), r.data() + r.size());
    S.row(i) = r.transpose();
  }
  return S;
}

/// Squared distances between the rows of A and the rows of B (nA × nB).
inline Eigen::MatrixXd degeneracy_row_sq(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  Eigen::MatrixXd D = (-2.0 * A * B.transpose()).colwise() + A.rowwise().squaredNorm();
  D.rowwise() += B.rowwise().squaredNorm().transpose();
  return D.cwiseMax(0.0);
}

inline weight_distance_result degeneracy_weight_distance(const degeneracy_weights& a, const degeneracy_weights& b,
                                                         const weight_distance_params& params) {
  const Index N = a.W_rec.rows();
  weight_distance_result out;
  std::vector<Index> identity(static_cast<std::size_t>(N));
  for (Index i = 0; i < N; ++i) identity[static_cast<std::size_t>(i)] = i;
  out.unmatched_distance = std::sqrt(degeneracy_weight_sq(a, b, identity));

  // Stage 1: permutation-invariant features.
  Eigen::MatrixXd cost = degeneracy_row_sq(a.W_in, b.W_in) + degeneracy_row_sq(a.W_out.transpose(), b.W_out.transpose()) +
                         degeneracy_row_sq(a.b, b.b) +
                         degeneracy_row_sq(a.W_rec.diagonal(), b.W_rec.diagonal()) +
                         degeneracy_row_sq(degeneracy_sorted_rows(a.W_rec), degeneracy_sorted_rows(b.W_rec)) +
                         degeneracy_row_sq(degeneracy_sorted_rows(a.W_rec.transpose()),
                                           degeneracy_sorted_rows(b.W_rec.transpose()));
  if (a.W_fb.size() != 0) cost += degeneracy_row_sq(a.W_fb, b.W_fb);
  std::vector<Index> pi = solve_assignment(cost).row_to_col;
  double best = degeneracy_weight_sq(a, b, pi);

  // Stage 2: linearised quadratic assignment, kept while D decreases.
  Eigen::MatrixXd L = a.W_in * b.W_in.transpose() + a.W_out.transpose() * b.W_out + a.b * b.b.transpose();
  if (a.W_fb.size() != 0) L += a.W_fb * b.W_fb.transpose();
  for (int step = 0; step < params.max_refinements && best > 0.0; ++step) {
    Eigen::MatrixXd P = Eigen::MatrixXd::Zero(N, N);
    for (Index i = 0; i < N; ++i) P(i, pi[static_cast<std::size_t>(i)]) = 1.0;
    const Eigen::MatrixXd G = a.W_rec * P * b.W_rec.transpose() + a.W_rec.transpose() * P * b.W_rec + L;
    std::vector<Index> next = solve_assignment(-G).row_to_col;
    const double value = degeneracy_weight_sq(a, b, next);
    if (!(value < best)) break;
    best = value;
    pi = std::move(next);
    ++out.refinements;
  }
  out.distance = std::sqrt(best);
  out.matching = std::move(pi);
  return out;
}

template <class Scalar>
void degeneracy_check_same_shapes(const ctrnn_parameters<Scalar>& a, const ctrnn_parameters<Scalar>& b,
                                  std::string_view fn, std::string_view what) {
  const auto shape = [](const ctrnn_parameters<Scalar>& p) {
    return concat("N = ", p.n_units(), ", M = ", p.n_inputs(), ", O = ", p.n_outputs(),
                  p.has_feedback() ? ", with W_fb" : "");
  };
  require_shape(a.n_units() == b.n_units() && a.n_inputs() == b.n_inputs() && a.n_outputs() == b.n_outputs() &&
                    a.has_feedback() == b.has_feedback(),
                fn, what, concat("the shapes of the first network (", shape(a), ")"), shape(b));
}

}  // namespace detail

template <class Scalar>
weight_distance_result weight_distance(const ctrnn_parameters<Scalar>& a, const ctrnn_parameters<Scalar>& b,
                                       const weight_distance_params& params) {
  constexpr std::string_view fn = "rnnlab::weight_distance";
  params.validate(fn);
  detail::degeneracy_check_same_shapes(a, b, fn, "b");
  return detail::degeneracy_weight_distance(detail::degeneracy_weights_of(a), detail::degeneracy_weights_of(b),
                                            params);
}

template <class Scalar>
Eigen::MatrixXd weight_distance_matrix(std::span<const ctrnn_parameters<Scalar>> networks,
                                       const weight_distance_params& params, thread_count n_threads) {
  constexpr std::string_view fn = "rnnlab::weight_distance_matrix";
  params.validate(fn);
  const Index P = static_cast<Index>(networks.size());
  for (Index i = 1; i < P; ++i)
    detail::degeneracy_check_same_shapes(networks[0], networks[static_cast<std::size_t>(i)], fn,
                                         detail::concat("networks[", i, "]"));
  std::vector<detail::degeneracy_weights> w;
  w.reserve(static_cast<std::size_t>(P));
  for (const auto& p : networks) w.push_back(detail::degeneracy_weights_of(p));
  std::vector<std::pair<Index, Index>> pairs;
  for (Index j = 1; j < P; ++j)
    for (Index i = 0; i < j; ++i) pairs.emplace_back(i, j);
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(P, P);
  parallel_dynamic(static_cast<Index>(pairs.size()), n_threads, 1, [&](int, Index k) {
    const auto [i, j] = pairs[static_cast<std::size_t>(k)];
    const double v =
        detail::degeneracy_weight_distance(w[static_cast<std::size_t>(i)], w[static_cast<std::size_t>(j)], params)
            .distance;
    D(i, j) = v;
    D(j, i) = v;
  });
  return D;
}

template <class Net, class Scalar>
Eigen::MatrixXd behaviour_divergence_matrix(std::span<const Net> networks, const trial_batch<Scalar>& batch,
                                            thread_count n_threads) {
  constexpr std::string_view fn = "rnnlab::behaviour_divergence_matrix";
  batch.validate(fn);
  const Index P = static_cast<Index>(networks.size()), T = batch.n_steps(), B = batch.n_trials(),
              O = batch.n_outputs();
  for (Index i = 0; i < P; ++i) {
    const auto& net = networks[static_cast<std::size_t>(i)];
    require_shape(net.n_inputs() == batch.n_inputs(), fn, detail::concat("networks[", i, "]"),
                  detail::concat(batch.n_inputs(), " inputs (the batch's)"), net.n_inputs());
    require_shape(net.n_outputs() == O, fn, detail::concat("networks[", i, "]"),
                  detail::concat(O, " outputs (the batch's targets)"), net.n_outputs());
  }
  double mass = 0.0;
  for (Index t = 0; t < T; ++t)
    for (Index b = 0; b < B; ++b) {
      require(batch.mask(t, b) >= 0, fn, "batch.mask", "entries >= 0", batch.mask(t, b));
      mass += static_cast<double>(batch.mask(t, b));
    }
  require(mass > 0.0, fn, "batch.mask", "some entry > 0", "an all-zero mask");
  // Per network: the outputs weighted by sqrt(m_tb / (O Σ m)), so D_ij is a plain Euclidean norm.
  Eigen::MatrixXd Y(T * B * O, P);
  parallel_dynamic(P, n_threads, 1, [&](int, Index i) {
    const auto sim = networks[static_cast<std::size_t>(i)].simulate(batch.inputs);
    for (Index t = 0; t < T; ++t)
      for (Index b = 0; b < B; ++b) {
        const double w = std::sqrt(static_cast<double>(batch.mask(t, b)) / (static_cast<double>(O) * mass));
        for (Index o = 0; o < O; ++o) Y((t * B + b) * O + o, i) = w * static_cast<double>(sim.outputs(t, b, o));
      }
  });
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(P, P);
  for (Index j = 1; j < P; ++j)
    for (Index i = 0; i < j; ++i) D(i, j) = D(j, i) = (Y.col(i) - Y.col(j)).norm();
  return D;
}

}  // namespace rnnlab
