#pragma once
/// \file analysis/radd.hpp
/// Representation and Dynamics Distillation (RADD; Schaeffer et al. 2020, Sec. 3.3.2 and SI 7.3;
/// reference_code_spec 2.5): an M-unit tanh RNN whose state ẑ follows a projection z = P h of a
/// teacher network's hidden states,
///
///     ẑ_t = tanh(A ẑ_{t−1} + B u_t + c)          A: M × M, B: M × K, c: M
///
/// fitted in closed form by least squares in the inverse-nonlinearity space. With a scale s > max|z|
/// (so that z/s lies inside tanh's range) and z_0 the state before the first input (the reference
/// prepends a zero row: z_0 = 0),
///
///     arctanh(z_t / s)  ≈  A (z_{t−1} / s) + B u_t + c         t = 1 … T
///
/// is an ordinary linear regression with regressors [z_{t−1}/s, u_t, 1] (teacher-forced: the true
/// previous state, as the reference's closed form; the paper's objective ‖z_t − f(A ẑ_{t−1} + B o_t + c)‖²
/// is not teacher-forced). The model therefore lives in the scaled units ẑ ≈ z / s. The rows are split
/// into a fitting part and a held-out part by a seeded permutation (reference: 67 % / 33 %, sklearn
/// `LinearRegression`, R² on the held-out rows in the arctanh space).
///
/// Also here: the closed-loop rollout ẑ_{t+1} = tanh(A ẑ_t + B u_t + c) from ẑ_0, its error against
/// z / s, the random-parameter control (A, B ~ N(0, 1), c = 0; reference 2.5), and the reference's
/// "error-accumulation" table: for n = 0 … n_max − 1 the mean and variance of ‖Δⁿ z_t‖ / √M, the norms
/// of the n-th order time differences of a trajectory (n = 0 gives 0, as in the reference).
///
/// Layout: trajectories are M × T (one column per time step), inputs K × T (column t = u_t, the input
/// that produced z_t from z_{t−1}), like the rest of rnnlab's analysis (units × samples).

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>

#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// Parameters of `radd_fit`.
struct radd_params {
  /// s; 0 = automatic, s = scale_margin · max|z| over z_0 … z_T (the reference: 1.01 · max|z|).
  double scale = 0.0;
  /// The margin of the automatic scale, > 1.
  double scale_margin = 1.01;
  /// Fraction of the T regression rows held out for R², in [0, 1) (reference 0.33); 0 fits all rows.
  double test_fraction = 0.33;
  /// Seed of the split permutation: make_stream(seed, 0, analysis).
  std::uint64_t seed = 1;

  void validate(std::string_view fn = "rnnlab::radd_params::validate") const {
    require(std::isfinite(scale) && scale >= 0.0, fn, "params.scale", "a finite value >= 0 (0 = automatic)", scale);
    require(std::isfinite(scale_margin) && scale_margin > 1.0, fn, "params.scale_margin", "a finite value > 1",
            scale_margin);
    require(test_fraction >= 0.0 && test_fraction < 1.0, fn, "params.test_fraction", "a value in [0, 1)",
            test_fraction);
  }
};

/// A distilled M-unit model ẑ_t = tanh(A ẑ_{t−1} + B u_t + c) in the scaled units z / scale.
struct radd_model {
  Eigen::MatrixXd A;  ///< M × M recurrent weights (the paper's A')
  Eigen::MatrixXd B;  ///< M × K input weights (B')
  Eigen::VectorXd c;  ///< M bias (c')
  double scale = 1.0; ///< s: the model's state is z / s
  Index n_units() const noexcept { return A.rows(); }
  Index n_inputs() const noexcept { return B.cols(); }
};

/// Status of `radd_fit`: rank_deficient when the regressors [z_{t−1}, u_t, 1] of the fitting rows are
/// linearly dependent (then the minimum-norm least-squares solution is returned).
enum class radd_status { ok, rank_deficient };

/// The names of radd_status (rnnlab/names.hpp spelling).
constexpr std::array<std::pair<radd_status, std::string_view>, 2> enum_names(radd_status) {
  return {{{radd_status::ok, "ok"}, {radd_status::rank_deficient, "rank_deficient"}}};
}

/// Result of `radd_fit`.
struct radd_result {
  radd_status status = radd_status::ok;
  radd_model model;
  Eigen::VectorXd r2_train;    ///< R² per unit on the fitting rows (arctanh space)
  Eigen::VectorXd r2_test;     ///< R² per unit on the held-out rows (empty if test_fraction = 0)
  double r2_test_mean = 0.0;   ///< mean of r2_test over units (sklearn's `score`); NaN if no test rows
  std::vector<Index> train_steps;  ///< t − 1 of the fitting rows (0-based column of Z)
  std::vector<Index> test_steps;   ///< t − 1 of the held-out rows
};

namespace detail {

inline void radd_check(const Eigen::Ref<const Eigen::MatrixXd>& Z, const Eigen::Ref<const Eigen::MatrixXd>& U,
                       const Eigen::Ref<const Eigen::VectorXd>& z0, std::string_view fn) {
  require_shape(Z.rows() > 0 && Z.cols() > 0, fn, "Z", "a non-empty M × T trajectory",
                detail::concat(Z.rows(), " × ", Z.cols()));
  require_shape(U.cols() == Z.cols(), fn, "U", detail::concat("K × ", Z.cols(), " (one input column per step)"),
                detail::concat(U.rows(), " × ", U.cols()));
  require_shape(z0.size() == Z.rows(), fn, "z0", detail::concat(Z.rows(), " values"), z0.size());
  require(Z.allFinite(), fn, "Z", "finite values", "NaN or infinity");
  require(U.allFinite(), fn, "U", "finite values", "NaN or infinity");
  require(z0.allFinite(), fn, "z0", "finite values", "NaN or infinity");
}

/// Per-column R² = 1 − SS_res / SS_tot of prediction Yhat for Y (rows = samples).
inline Eigen::VectorXd radd_r2(const Eigen::MatrixXd& Y, const Eigen::MatrixXd& Yhat) {
  Eigen::VectorXd r2(Y.cols());
  for (Index j = 0; j < Y.cols(); ++j) {
    const double mean = Y.col(j).mean();
    const double ss_tot = (Y.col(j).array() - mean).square().sum();
    const double ss_res = (Y.col(j) - Yhat.col(j)).squaredNorm();
    r2(j) = ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
  }
  return r2;
}

}  // namespace detail

/// Closed-form RADD fit (file comment) of trajectory Z (M × T, z_1 … z_T) driven by inputs U (K × T)
/// from the state z0 (M; the reference: 0). Throws shape_error for mismatched shapes, argument_error
/// for non-finite values, a scale not above max|z|, too few rows for the M + K + 1 coefficients,
/// or invalid params.
/// (A template, so that the least-squares solver is instantiated only where RADD is used.)
template <class DZ, class DU, class D0>
radd_result radd_fit(const Eigen::MatrixBase<DZ>& Z_in, const Eigen::MatrixBase<DU>& U_in,
                     const Eigen::MatrixBase<D0>& z0_in, const radd_params& params = {}) {
  constexpr std::string_view fn = "rnnlab::radd_fit";
  const Eigen::MatrixXd Z = Z_in.template cast<double>(), U = U_in.template cast<double>();
  const Eigen::VectorXd z0 = z0_in.template cast<double>();
  params.validate(fn);
  detail::radd_check(Z, U, z0, fn);
  const Index M = Z.rows(), K = U.rows(), T = Z.cols(), p = M + K + 1;
  const double zmax = std::max(Z.cwiseAbs().maxCoeff(), z0.cwiseAbs().maxCoeff());
  const double s = params.scale > 0 ? params.scale : params.scale_margin * zmax;
  require(s > zmax && s > 0, fn, "params.scale", detail::concat("a scale > max|z| = ", zmax), s);

  // Split: a seeded permutation of the T rows; the first ⌈(1 − f) T⌉ fit, the rest are held out.
  std::vector<Index> order(static_cast<std::size_t>(T));
  std::iota(order.begin(), order.end(), Index{0});
  auto g = make_stream(params.seed, 0, stream_purpose::analysis);
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[static_cast<std::size_t>(uniform_index(g, i))]);
  const auto n_test = static_cast<Index>(std::floor(params.test_fraction * static_cast<double>(T)));
  const Index n_train = T - n_test;
  require(n_train >= p, fn, "Z", detail::concat("at least ", p, " fitting rows (M + K + 1 coefficients)"), n_train);

  radd_result res;
  res.train_steps.assign(order.begin(), order.begin() + n_train);
  res.test_steps.assign(order.begin() + n_train, order.end());
  std::sort(res.train_steps.begin(), res.train_steps.end());
  std::sort(res.test_steps.begin(), res.test_steps.end());

  auto rows = [&](const std::vector<Index>& steps, Eigen::MatrixXd& X, Eigen::MatrixXd& Y) {
    const auto n = static_cast<Index>(steps.size());
    X.resize(n, p);
    Y.resize(n, M);
    for (Index r = 0; r < n; ++r) {
      const Index t = steps[static_cast<std::size_t>(r)];
      X.row(r).head(M) = (t == 0 ? Eigen::VectorXd(z0) : Eigen::VectorXd(Z.col(t - 1))).transpose() / s;
      X.row(r).segment(M, K) = U.col(t).transpose();
      X(r, p - 1) = 1.0;
      Y.row(r) = (Z.col(t).array() / s).atanh().matrix().transpose();
    }
  };
  Eigen::MatrixXd X, Y;
  rows(res.train_steps, X, Y);
  Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(X);
  if (cod.rank() < p) res.status = radd_status::rank_deficient;
  const Eigen::MatrixXd W = cod.solve(Y);  // p × M
  res.model.A = W.topRows(M).transpose();
  res.model.B = W.middleRows(M, K).transpose();
  res.model.c = W.row(p - 1).transpose();
  res.model.scale = s;
  res.r2_train = detail::radd_r2(Y, X * W);
  if (n_test > 0) {
    rows(res.test_steps, X, Y);
    res.r2_test = detail::radd_r2(Y, X * W);
    res.r2_test_mean = res.r2_test.mean();
  } else {
    res.r2_test_mean = std::numeric_limits<double>::quiet_NaN();
  }
  return res;
}

/// Closed-loop rollout ẑ_t = tanh(A ẑ_{t−1} + B u_t + c), t = 1 … T, from ẑ_0 = zhat0 (scaled units).
/// Returns M × T. Throws shape_error / argument_error for mismatched or non-finite arguments.
template <class DU, class D0>
Eigen::MatrixXd radd_rollout(const radd_model& m, const Eigen::MatrixBase<DU>& U_in, const Eigen::MatrixBase<D0>& zhat0_in) {
  const Eigen::MatrixXd U = U_in.template cast<double>();
  const Eigen::VectorXd zhat0 = zhat0_in.template cast<double>();
  constexpr std::string_view fn = "rnnlab::radd_rollout";
  const Index M = m.n_units();
  require_shape(m.A.cols() == M && m.B.rows() == M && m.c.size() == M, fn, "model",
                "A M × M, B M × K, c M", detail::concat(m.A.rows(), "×", m.A.cols(), ", ", m.B.rows(), "×",
                                                        m.B.cols(), ", ", m.c.size()));
  require_shape(U.rows() == m.n_inputs(), fn, "U", detail::concat(m.n_inputs(), " input rows"), U.rows());
  require_shape(zhat0.size() == M, fn, "zhat0", detail::concat(M, " values"), zhat0.size());
  require(U.allFinite() && zhat0.allFinite(), fn, "U, zhat0", "finite values", "NaN or infinity");
  Eigen::MatrixXd out(M, U.cols());
  Eigen::VectorXd z = zhat0;
  for (Index t = 0; t < U.cols(); ++t) {
    z = (m.A * z + m.B * U.col(t) + m.c).array().tanh().matrix();
    out.col(t) = z;
  }
  return out;
}

/// Error of a closed-loop rollout against the teacher: per-unit and overall root mean square of
/// ẑ_t − z_t / s over t = 1 … T (scaled units).
struct radd_rollout_error {
  Eigen::VectorXd rmse_per_unit;
  double rmse = 0.0;
};

/// The closed-loop error of `m` on (Z, U, z0) (rollout from z0 / s). Throws as radd_fit.
template <class DZ, class DU, class D0>
radd_rollout_error radd_closed_loop_error(const radd_model& m, const Eigen::MatrixBase<DZ>& Z_in,
                                          const Eigen::MatrixBase<DU>& U_in, const Eigen::MatrixBase<D0>& z0_in) {
  const Eigen::MatrixXd Z = Z_in.template cast<double>(), U = U_in.template cast<double>();
  const Eigen::VectorXd z0 = z0_in.template cast<double>();
  constexpr std::string_view fn = "rnnlab::radd_closed_loop_error";
  detail::radd_check(Z, U, z0, fn);
  require_shape(Z.rows() == m.n_units(), fn, "Z", detail::concat(m.n_units(), " rows (model units)"), Z.rows());
  const Eigen::MatrixXd zhat = radd_rollout(m, U, (z0 / m.scale).eval());
  const Eigen::MatrixXd d = zhat - Z / m.scale;
  radd_rollout_error e;
  e.rmse_per_unit = (d.array().square().rowwise().sum() / static_cast<double>(d.cols())).sqrt().matrix();
  e.rmse = std::sqrt(d.squaredNorm() / static_cast<double>(d.size()));
  return e;
}

/// The random-parameter control of reference 2.5: A (M × M), B (M × K) ~ N(0, 1) from
/// make_stream(seed, 1, analysis), c = 0, the given scale.
inline radd_model radd_random_model(Index n_units, Index n_inputs, std::uint64_t seed, double scale = 1.0) {
  constexpr std::string_view fn = "rnnlab::radd_random_model";
  require_shape(n_units > 0, fn, "n_units", "> 0", n_units);
  require_shape(n_inputs >= 0, fn, "n_inputs", ">= 0", n_inputs);
  require(std::isfinite(scale) && scale > 0, fn, "scale", "a finite value > 0", scale);
  auto g = make_stream(seed, 1, stream_purpose::analysis);
  radd_model m;
  m.A.resize(n_units, n_units);
  m.B.resize(n_units, n_inputs);
  for (Index i = 0; i < m.A.size(); ++i) m.A.data()[i] = standard_normal(g);
  for (Index i = 0; i < m.B.size(); ++i) m.B.data()[i] = standard_normal(g);
  m.c = Eigen::VectorXd::Zero(n_units);
  m.scale = scale;
  return m;
}

/// One row of the time-difference table: order n, mean and variance of ‖Δⁿ z_t‖ / √M.
struct time_difference_row {
  Index order = 0;
  double norm_mean = 0.0;
  double norm_var = 0.0;
};

/// The reference's error-accumulation table of trajectory Z (M × T) for n = 0 … max_order − 1:
/// Δⁿ z_t the n-th order forward difference along time (T − n columns), ‖·‖ the Euclidean norm over
/// units, mean and (population) variance over t, each divided by √M as in reference 2.5; n = 0 gives 0.
/// Throws argument_error if max_order < 1 or ≥ T, or Z is not finite.
template <class DZ>
std::vector<time_difference_row> time_difference_table(const Eigen::MatrixBase<DZ>& Z_in, Index max_order = 20) {
  const Eigen::MatrixXd Z = Z_in.template cast<double>();
  constexpr std::string_view fn = "rnnlab::time_difference_table";
  require_shape(Z.rows() > 0, fn, "Z", "M > 0 rows", Z.rows());
  require(max_order >= 1 && max_order < Z.cols(), fn, "max_order",
          detail::concat("a value in [1, T − 1 = ", Z.cols() - 1, "]"), max_order);
  require(Z.allFinite(), fn, "Z", "finite values", "NaN or infinity");
  const double root_m = std::sqrt(static_cast<double>(Z.rows()));
  std::vector<time_difference_row> table;
  Eigen::MatrixXd d = Z;
  for (Index n = 0; n < max_order; ++n) {
    if (n > 0) d = (d.rightCols(d.cols() - 1) - d.leftCols(d.cols() - 1)).eval();
    time_difference_row row{n, 0.0, 0.0};
    if (n > 0) {
      const Eigen::ArrayXd norms = d.colwise().norm().transpose().array();
      const double mean = norms.mean();
      row.norm_mean = mean / root_m;
      row.norm_var = (norms - mean).square().mean() / root_m;
    }
    table.push_back(row);
  }
  return table;
}

}  // namespace rnnlab
