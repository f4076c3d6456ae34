#pragma once
/// \file analysis/logistic.hpp
/// Binary logistic regression by Newton's method (iteratively reweighted least squares), the block-side
/// classifier of Schaeffer et al. 2020 Sec. 3.2 / Fig. 4a (reference_code_spec 2.4: statsmodels `Logit`,
/// no intercept, a 67/33 split; here the split is seeded).
///
///     P(y = 1 | x) = σ(wᵀx + b),   maximise  ℓ(w, b) − (λ/2) ‖w‖²      (b unpenalised; b ≡ 0 without intercept)
///
/// Newton step: (Xᵀ S X + λ I) δ = Xᵀ (y − p) − λ w with S = diag(p (1 − p)), halved until the
/// penalised log-likelihood does not decrease. Convergence when max|δ| < tolerance.
///
/// Separable data (some w with y = 1 exactly where wᵀx + b > 0) has no maximum-likelihood estimate
/// without a penalty: ‖w‖ grows without bound. With λ = 0 the fit stops with status `separable` as soon
/// as every training sample is classified correctly with |wᵀx + b| > `separation_margin` (probabilities
/// within e^{−margin} of 0 or 1) and keeps that w — a separating direction, not an estimate. Use λ > 0
/// (ridge) for a finite, unique estimate on such data.
///
/// Layout: X is d × n (features × samples, rnnlab's units × samples), y ∈ {0, 1}ⁿ.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// Parameters of `logistic_fit`.
struct logistic_params {
  bool intercept = false;          ///< fit b (the reference: no intercept)
  double ridge = 0.0;              ///< λ >= 0 on w (not on b)
  int max_iterations = 100;        ///< Newton steps
  double tolerance = 1e-10;        ///< on max|δ|
  double separation_margin = 30.0; ///< |wᵀx + b| above which a correct sample counts as separated (λ = 0)

  void validate(std::string_view fn = "rnnlab::logistic_params::validate") const {
    require(std::isfinite(ridge) && ridge >= 0, fn, "params.ridge", "a finite value >= 0", ridge);
    require(max_iterations > 0, fn, "params.max_iterations", "> 0", max_iterations);
    require(tolerance > 0, fn, "params.tolerance", "> 0", tolerance);
    require(separation_margin > 0, fn, "params.separation_margin", "> 0", separation_margin);
  }
};

/// Status of a logistic fit: converged; separable (λ = 0 and the data separated, file comment);
/// max_iterations (last iterate kept); singular (the Hessian could not be factored — collinear
/// features without ridge; last good iterate kept).
enum class logistic_status { converged, separable, max_iterations, singular };

constexpr std::array<std::pair<logistic_status, std::string_view>, 4> enum_names(logistic_status) {
  return {{{logistic_status::converged, "converged"},
           {logistic_status::separable, "separable"},
           {logistic_status::max_iterations, "max_iterations"},
           {logistic_status::singular, "singular"}}};
}

/// A fitted logistic model.
struct logistic_model {
  logistic_status status = logistic_status::converged;
  Eigen::VectorXd w;            ///< d coefficients
  double b = 0.0;               ///< intercept (0 without)
  int iterations = 0;
  double log_likelihood = 0.0;  ///< ℓ at (w, b), unpenalised

  /// P(y = 1 | x) for each column of X (d × n).
  Eigen::VectorXd probabilities(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
    return ((-(X.transpose() * w).array() - b).exp() + 1.0).inverse().matrix();
  }
  /// Fraction of columns with (p >= 0.5) == y.
  double accuracy(const Eigen::Ref<const Eigen::MatrixXd>& X, const std::vector<int>& y) const {
    const Eigen::VectorXd p = probabilities(X);
    Index hit = 0;
    for (Index i = 0; i < p.size(); ++i) hit += (p(i) >= 0.5) == (y[static_cast<std::size_t>(i)] == 1);
    return p.size() ? static_cast<double>(hit) / static_cast<double>(p.size()) : 0.0;
  }
};

namespace detail {
inline void logistic_check(const Eigen::Ref<const Eigen::MatrixXd>& X, const std::vector<int>& y,
                           std::string_view fn) {
  require_shape(X.rows() > 0 && X.cols() > 0, fn, "X", "a non-empty d × n matrix",
                detail::concat(X.rows(), " × ", X.cols()));
  require_shape(static_cast<Index>(y.size()) == X.cols(), fn, "y", detail::concat(X.cols(), " labels"), y.size());
  require(X.allFinite(), fn, "X", "finite values", "NaN or infinity");
  for (int v : y) require(v == 0 || v == 1, fn, "y", "labels 0 or 1", v);
}

inline double logistic_loglik(const Eigen::VectorXd& eta, const Eigen::VectorXd& y) {
  // y η − log(1 + e^η), computed stably.
  double l = 0;
  for (Index i = 0; i < eta.size(); ++i) {
    const double e = eta(i);
    l += y(i) * e - (e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e)));
  }
  return l;
}
}  // namespace detail

/// Fits P(y = 1 | x) = σ(wᵀx + b) to the columns of X (d × n) and labels y ∈ {0, 1} (file comment).
/// Throws shape_error / argument_error for mismatched sizes, non-finite X, labels outside {0, 1},
/// or invalid params. Numerical outcomes are the status.
/// (A template, so that the solver is instantiated only where it is used.)
template <class DX>
logistic_model logistic_fit(const Eigen::MatrixBase<DX>& X_in, const std::vector<int>& y, const logistic_params& params = {}) {
  const Eigen::MatrixXd X = X_in.template cast<double>();
  constexpr std::string_view fn = "rnnlab::logistic_fit";
  params.validate(fn);
  detail::logistic_check(X, y, fn);
  const Index d = X.rows(), n = X.cols(), q = d + (params.intercept ? 1 : 0);
  Eigen::MatrixXd Xa(q, n);
  Xa.topRows(d) = X;
  if (params.intercept) Xa.row(d).setOnes();
  Eigen::VectorXd yv(n);
  for (Index i = 0; i < n; ++i) yv(i) = y[static_cast<std::size_t>(i)];
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(q, params.ridge);
  if (params.intercept) penalty(d) = 0;

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(q);
  auto objective = [&](const Eigen::VectorXd& bt, Eigen::VectorXd& eta) {
    eta = Xa.transpose() * bt;
    return detail::logistic_loglik(eta, yv) - 0.5 * (penalty.array() * bt.array().square()).sum();
  };
  Eigen::VectorXd eta;
  double obj = objective(beta, eta);
  logistic_model m;
  m.status = logistic_status::max_iterations;
  for (int it = 0; it < params.max_iterations; ++it) {
    if (params.ridge == 0) {
      bool separated = true;
      for (Index i = 0; i < n && separated; ++i)
        separated = (yv(i) == 1 ? eta(i) : -eta(i)) > params.separation_margin;
      if (separated) {
        m.status = logistic_status::separable;
        break;
      }
    }
    const Eigen::ArrayXd p = ((-eta.array()).exp() + 1.0).inverse();
    const Eigen::VectorXd grad = Xa * (yv.array() - p).matrix() - (penalty.array() * beta.array()).matrix();
    Eigen::MatrixXd H = Xa * (p * (1 - p)).matrix().asDiagonal() * Xa.transpose();
    H.diagonal() += penalty;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(H);
    if (ldlt.info() != Eigen::Success || !(ldlt.vectorD().array() > 1e-12 * H.diagonal().cwiseAbs().maxCoeff()).all()) {
      m.status = logistic_status::singular;
      break;
    }
    Eigen::VectorXd delta = ldlt.solve(grad);
    Eigen::VectorXd trial_eta;
    double step = 1, trial = objective(beta + delta, trial_eta);
    while (!(trial >= obj - 1e-12 * std::abs(obj)) && step > 1e-10) {
      step *= 0.5;
      trial = objective(beta + step * delta, trial_eta);
    }
    beta += step * delta;
    eta = trial_eta;
    obj = trial;
    m.iterations = it + 1;
    if ((step * delta).cwiseAbs().maxCoeff() < params.tolerance) {
      m.status = logistic_status::converged;
      break;
    }
  }
  m.w = beta.head(d);
  m.b = params.intercept ? beta(d) : 0.0;
  m.log_likelihood = detail::logistic_loglik(eta, yv);
  return m;
}

/// A classifier fitted on a seeded split and scored on the held-out part.
struct logistic_holdout_result {
  logistic_model model;
  double train_accuracy = 0.0;
  double test_accuracy = 0.0;
  std::vector<Index> train_samples, test_samples;  ///< column indices of X, ascending
};

/// Splits the n columns by a permutation from make_stream(seed, 0, analysis): floor(test_fraction · n)
/// held out (reference 0.33), fits on the rest, reports both accuracies (p >= 0.5 predicts 1).
/// Throws as logistic_fit, and argument_error for test_fraction outside [0, 1) or an empty fitting set.
template <class DX>
logistic_holdout_result logistic_holdout(const Eigen::MatrixBase<DX>& X_in, const std::vector<int>& y,
                                         const logistic_params& params = {}, double test_fraction = 0.33,
                                         std::uint64_t seed = 1) {
  const Eigen::MatrixXd X = X_in.template cast<double>();
  constexpr std::string_view fn = "rnnlab::logistic_holdout";
  params.validate(fn);
  detail::logistic_check(X, y, fn);
  require(test_fraction >= 0 && test_fraction < 1, fn, "test_fraction", "a value in [0, 1)", test_fraction);
  const Index n = X.cols();
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  auto g = make_stream(seed, 0, stream_purpose::analysis);
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[static_cast<std::size_t>(uniform_index(g, i))]);
  const auto n_test = static_cast<Index>(std::floor(test_fraction * static_cast<double>(n)));
  require(n - n_test > 0, fn, "X", "at least one fitting sample", n - n_test);
  logistic_holdout_result r;
  r.train_samples.assign(order.begin(), order.end() - n_test);
  r.test_samples.assign(order.end() - n_test, order.end());
  std::sort(r.train_samples.begin(), r.train_samples.end());
  std::sort(r.test_samples.begin(), r.test_samples.end());
  auto take = [&](const std::vector<Index>& idx, Eigen::MatrixXd& Xs, std::vector<int>& ys) {
    Xs.resize(X.rows(), static_cast<Index>(idx.size()));
    ys.resize(idx.size());
    for (std::size_t k = 0; k < idx.size(); ++k) {
      Xs.col(static_cast<Index>(k)) = X.col(idx[k]);
      ys[k] = y[static_cast<std::size_t>(idx[k])];
    }
  };
  Eigen::MatrixXd Xs;
  std::vector<int> ys;
  take(r.train_samples, Xs, ys);
  r.model = logistic_fit(Xs, ys, params);
  r.train_accuracy = r.model.accuracy(Xs, ys);
  if (n_test > 0) {
    take(r.test_samples, Xs, ys);
    r.test_accuracy = r.model.accuracy(Xs, ys);
  } else {
    r.test_accuracy = std::numeric_limits<double>::quiet_NaN();
  }
  return r;
}

}  // namespace rnnlab
