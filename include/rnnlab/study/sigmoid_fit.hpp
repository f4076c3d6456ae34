#pragma once
/// \file study/sigmoid_fit.hpp
/// The psychometric curve's sigmoid, as the papers' code fits it (reference_code_spec §1.11;
/// McMahan et al. 2021 Fig. 5's curves):
///
///     p(x) = L / (1 + exp(−k (x − x0))) + b
///
/// fitted to (x_i, p_i) by least squares with Levenberg–Marquardt on (L, k, x0, b). The start is
/// L = max p − min p, b = min p, x0 = the x whose p is nearest the middle, k = 16 / (spread of x).
/// Non-convergence is a status, never an exception.

#include <Eigen/Core>
#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>

#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab::study {

enum class fit_status { converged, max_iterations, too_few_points };

/// The names of fit_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<fit_status, std::string_view>, 3> enum_names(fit_status) {
  return {{{fit_status::converged, "converged"},
           {fit_status::max_iterations, "max_iterations"},
           {fit_status::too_few_points, "too_few_points"}}};
}

/// A fitted sigmoid L/(1+e^{−k(x−x0)})+b.
struct sigmoid_fit {
  fit_status status = fit_status::too_few_points;
  double L = 0, k = 0, x0 = 0, b = 0;
  double rss = 0;  ///< residual sum of squares
  int iterations = 0;

  double operator()(double x) const { return L / (1.0 + std::exp(-k * (x - x0))) + b; }
};

/// Fits the sigmoid to (x, p) (equal lengths ≥ 4; throws argument_error otherwise).
inline sigmoid_fit fit_sigmoid(std::span<const double> x, std::span<const double> p, int max_iterations = 200) {
  constexpr std::string_view fn = "rnnlab::study::fit_sigmoid";
  require_shape(x.size() == p.size(), fn, "p", "as many values as x (" + std::to_string(x.size()) + ")", p.size());
  sigmoid_fit f;
  const auto n = static_cast<Index>(x.size());
  if (n < 4) return f;
  for (std::size_t i = 0; i < x.size(); ++i)
    require(std::isfinite(x[i]) && std::isfinite(p[i]), fn, "x, p", "finite values", "NaN or infinity");
  const auto [pmin, pmax] = std::minmax_element(p.begin(), p.end());
  const auto [xmin, xmax] = std::minmax_element(x.begin(), x.end());
  const double spread = std::max(*xmax - *xmin, 1e-12);
  Eigen::Vector4d th(std::max(*pmax - *pmin, 1e-3), 16.0 / spread, 0.0, *pmin);
  {  // x0: the point whose p is closest to the middle
    const double mid = 0.5 * (*pmax + *pmin);
    double best = 1e300;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (std::abs(p[i] - mid) < best) {
        best = std::abs(p[i] - mid);
        th(2) = x[i];
      }
  }
  const auto residuals = [&](const Eigen::Vector4d& t, Eigen::VectorXd& r, Eigen::MatrixXd* J) {
    r.resize(n);
    if (J) J->resize(n, 4);
    for (Index i = 0; i < n; ++i) {
      const double xi = x[static_cast<std::size_t>(i)];
      const double e = std::exp(-t(1) * (xi - t(2)));
      const double s = 1.0 / (1.0 + e);
      r(i) = t(0) * s + t(3) - p[static_cast<std::size_t>(i)];
      if (J) {
        const double ds = s * (1.0 - s);  // d s / d(k (x − x0))
        (*J)(i, 0) = s;
        (*J)(i, 1) = t(0) * ds * (xi - t(2));
        (*J)(i, 2) = -t(0) * ds * t(1);
        (*J)(i, 3) = 1.0;
      }
    }
    return r.squaredNorm();
  };
  Eigen::VectorXd r, r_try;
  Eigen::MatrixXd J;
  double cost = residuals(th, r, &J);
  double lambda = 1e-3;
  f.status = fit_status::max_iterations;
  for (int it = 0; it < max_iterations; ++it) {
    f.iterations = it + 1;
    const Eigen::Matrix4d A = J.transpose() * J;
    const Eigen::Vector4d g = J.transpose() * r;
    bool improved = false;
    for (int tries = 0; tries < 30 && !improved; ++tries) {
      Eigen::Matrix4d M = A;
      M.diagonal() += lambda * (A.diagonal().array() + 1e-12).matrix();
      const Eigen::Vector4d step = M.ldlt().solve(-g);
      const Eigen::Vector4d cand = th + step;
      const double c = residuals(cand, r_try, nullptr);
      if (std::isfinite(c) && c <= cost) {
        const double rel = (cost - c) / std::max(cost, 1e-300);
        th = cand;
        cost = residuals(th, r, &J);
        lambda = std::max(lambda / 3.0, 1e-12);
        improved = true;
        if (rel < 1e-12 || step.norm() < 1e-12 * (1.0 + th.norm())) {
          f.status = fit_status::converged;
          it = max_iterations;
        }
      } else {
        lambda *= 4.0;
      }
    }
    if (!improved) {  // no step decreases the cost: a minimum to working precision
      f.status = fit_status::converged;
      break;
    }
  }
  f.L = th(0);
  f.k = th(1);
  f.x0 = th(2);
  f.b = th(3);
  f.rss = cost;
  return f;
}

}  // namespace rnnlab::study
