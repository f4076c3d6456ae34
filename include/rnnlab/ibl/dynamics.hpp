#pragma once
/// \file ibl/dynamics.hpp
/// The dynamics of a trained IBL network in its PCA plane (Schaeffer et al. 2020, Sec. 3.3, Figs. 5–7;
/// reference_code_spec 2.3–2.4):
///
/// - `ibl_input_conditions`: the paper's six static inputs (o_L, o_R, r) = (1.2, .2, −.05),
///   (.2, .2, −.05), (.2, 1.2, −.05), (0, 0, −1), (0, 0, 0), (0, 0, 1) (reference 2.4);
/// - `ibl_flow_field`: one-step changes of the network h' = tanh(W_rec h + W_in u + b) at the states
///   h = m + C g of a grid g in the plane (C = the N × 2 PCA axes, m the mean), projected back:
///   Δg = Cᵀ (h' − h);
/// - `ols_fit`: y ≈ a x (+ b) by ordinary least squares with the slope's standard error
///   (σ̂² = SSR / (n − p), se(a) = √(σ̂² / Σ (x − x̄)²) with intercept, √(σ̂² / Σ x²) without);
/// - `ibl_readout_velocity`: per observation step, the change of each task-aligned coordinate
///   z_t − z_{t−1} against the evidence d_t = o_R − o_L of that step (Fig. 6: slopes with errors);
/// - `ibl_block_belief_scaling`: OLS without intercept of the block coordinate at trial ends on
///   2 P(b = R) − 1 of the Bayesian observer (ibl/bayes.hpp; reference 2.3 "Scaling");
/// - `ibl_plane_grid_starts`: the reference's fixed-point starts, an n × n grid over the bounding box of
///   the plane coordinates kept if inside their convex hull (the reference: Delaunay hull), in unit space.
///
/// Fixed points of the network from those starts: ibl/fixed_points.hpp.

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/ibl/bayes.hpp>
#include <rnnlab/ibl/network.hpp>
#include <rnnlab/ibl/representation.hpp>

namespace rnnlab {

/// The six input conditions of reference 2.4 as columns (3 × 6): left, none, right stimulus during a
/// trial (waiting feedback −0.05), then blank steps after an error, a blank step, after a reward.
inline Eigen::MatrixXd ibl_input_conditions() {
  Eigen::MatrixXd u(3, 6);
  u << 1.2, 0.2, 0.2, 0, 0, 0,  //
      0.2, 0.2, 1.2, 0, 0, 0,   //
      -0.05, -0.05, -0.05, -1, 0, 1;
  return u;
}

/// A flow field in a plane: grid points g (2 × G) and one-step changes Δg (2 × G).
struct plane_flow_field {
  Eigen::MatrixXd points;
  Eigen::MatrixXd delta;
};

/// The one-step flow of IBL network `p` under input `u` (3) on the grid xs × ys of plane coordinates
/// (G = |xs|·|ys| points, x fastest), plane = {mean + axes g} (mean N, axes N × 2). Throws shape_error
/// for mismatched sizes, argument_error for non-finite values or an empty grid.
inline plane_flow_field ibl_flow_field(const ctrnn_parameters<double>& p, const Eigen::VectorXd& mean,
                                       const Eigen::MatrixXd& axes, const std::vector<double>& xs,
                                       const std::vector<double>& ys, const Eigen::VectorXd& u) {
  constexpr std::string_view fn = "rnnlab::ibl_flow_field";
  detail::ibl_check_network(p, fn);
  const Index N = p.n_units();
  require_shape(mean.size() == N, fn, "mean", detail::concat(N, " values"), mean.size());
  require_shape(axes.rows() == N && axes.cols() == 2, fn, "axes", detail::concat(N, " × 2"),
                detail::concat(axes.rows(), " × ", axes.cols()));
  require_shape(u.size() == 3, fn, "u", "3 inputs (o_L, o_R, r)", u.size());
  require(!xs.empty() && !ys.empty(), fn, "xs, ys", "non-empty grids", detail::concat(xs.size(), " × ", ys.size()));
  require(mean.allFinite() && axes.allFinite() && u.allFinite(), fn, "mean, axes, u", "finite values",
          "NaN or infinity");
  const auto G = static_cast<Index>(xs.size() * ys.size());
  plane_flow_field f{Eigen::MatrixXd(2, G), Eigen::MatrixXd(2, G)};
  const Eigen::VectorXd drive = p.W_in * u + p.b;
  Eigen::VectorXd h(N), h1(N);
  Index k = 0;
  for (double y : ys)
    for (double x : xs) {
      require(std::isfinite(x) && std::isfinite(y), fn, "xs, ys", "finite values", detail::concat(x, ", ", y));
      f.points(0, k) = x;
      f.points(1, k) = y;
      h = mean + axes.col(0) * x + axes.col(1) * y;
      h1 = (p.W_rec * h + drive).array().tanh().matrix();
      f.delta.col(k) = axes.transpose() * (h1 - h);
      ++k;
    }
  return f;
}

/// An ordinary least-squares line y ≈ slope · x (+ intercept).
struct ols_line {
  double slope = 0, intercept = 0;
  double slope_se = 0;   ///< standard error of the slope (NaN if n <= number of coefficients)
  double r2 = 0;         ///< 1 − SSR / Σ (y − ȳ)² (with intercept) or 1 − SSR / Σ y² (without)
  Index n = 0;
};

/// OLS of y on x (file comment). Throws shape_error for different lengths, argument_error for fewer
/// than 2 points, non-finite values or x without spread.
inline ols_line ols_fit(const std::vector<double>& x, const std::vector<double>& y, bool intercept = true) {
  constexpr std::string_view fn = "rnnlab::ols_fit";
  require_shape(x.size() == y.size(), fn, "y", detail::concat(x.size(), " values (as x)"), y.size());
  require(x.size() >= 2, fn, "x", "at least 2 points", x.size());
  const auto n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    require(std::isfinite(x[i]) && std::isfinite(y[i]), fn, "x, y", "finite values", detail::concat(x[i], ", ", y[i]));
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  if (!intercept) mx = my = 0;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  require(sxx > 0, fn, "x", intercept ? "values with spread" : "a non-zero vector", "none");
  ols_line l;
  l.n = static_cast<Index>(x.size());
  l.slope = sxy / sxx;
  l.intercept = intercept ? my - l.slope * mx : 0.0;
  const double ssr = std::max(0.0, syy - l.slope * sxy);
  const double dof = n - (intercept ? 2.0 : 1.0);
  l.slope_se = dof > 0 ? std::sqrt(ssr / dof / sxx) : std::numeric_limits<double>::quiet_NaN();
  l.r2 = syy > 0 ? 1 - ssr / syy : 1.0;
  return l;
}

/// Velocity along the two task-aligned coordinates (rows of z, 2 × T) against the evidence
/// d_t = o_R − o_L (inputs 3 × T), over the observation steps t >= 1 (blank[t] == 0): OLS with
/// intercept of z_t − z_{t−1} on d_t, one line per row of z.
struct ibl_velocity {
  ols_line trial;  ///< along the stimulus readout
  ols_line block;  ///< along the block readout
};

inline ibl_velocity ibl_readout_velocity(const Eigen::MatrixXd& z, const Eigen::MatrixXd& inputs,
                                         const std::vector<char>& blank) {
  constexpr std::string_view fn = "rnnlab::ibl_readout_velocity";
  require_shape(z.rows() == 2 && z.cols() >= 2, fn, "z", "2 × T (T >= 2)", detail::concat(z.rows(), " × ", z.cols()));
  require_shape(inputs.rows() == 3 && inputs.cols() == z.cols(), fn, "inputs", detail::concat("3 × ", z.cols()),
                detail::concat(inputs.rows(), " × ", inputs.cols()));
  require_shape(static_cast<Index>(blank.size()) == z.cols(), fn, "blank", detail::concat(z.cols(), " flags"),
                blank.size());
  std::vector<double> d, v0, v1;
  for (Index t = 1; t < z.cols(); ++t) {
    if (blank[static_cast<std::size_t>(t)]) continue;
    d.push_back(inputs(1, t) - inputs(0, t));
    v0.push_back(z(0, t) - z(0, t - 1));
    v1.push_back(z(1, t) - z(1, t - 1));
  }
  return {ols_fit(d, v0), ols_fit(d, v1)};
}

/// The block coordinate (row 1 of z, 2 × T) at the trial-end steps against the Bayesian observer's
/// 2 P(b = R) − 1 after each trial (reference 2.3): OLS without intercept, z_block ≈ a (2P − 1).
/// `recording` is the session z was computed from. Also returns both series for plotting.
struct ibl_block_scaling {
  ols_line fit;
  std::vector<double> bayes;   ///< 2 P(b = R) − 1 per finished trial
  std::vector<double> network; ///< z_block at the trial's last step
};

inline ibl_block_scaling ibl_block_belief_scaling(const ibl_recording& recording, const Eigen::MatrixXd& z,
                                                  const ibl_bayes_params& bayes = {}) {
  constexpr std::string_view fn = "rnnlab::ibl_block_belief_scaling";
  require_shape(z.rows() == 2 && z.cols() == recording.n_steps(), fn, "z", detail::concat("2 × ", recording.n_steps()),
                detail::concat(z.rows(), " × ", z.cols()));
  const auto observer = ibl_bayesian_observer(recording.session, recording.trials, bayes);
  ibl_block_scaling s;
  std::size_t n = 0;
  for (Index t = 0; t < z.cols() && n < observer.size(); ++t) {
    if (!recording.trial_end[static_cast<std::size_t>(t)]) continue;
    s.bayes.push_back(2 * observer[n].block_posterior_right - 1);
    s.network.push_back(z(1, t));
    ++n;
  }
  s.fit = ols_fit(s.bayes, s.network, false);
  return s;
}

namespace detail {
inline double ibl_cross(const Eigen::Vector2d& o, const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
}
}  // namespace detail

/// The convex hull of 2-D points (columns of P, 2 × n) counter-clockwise (Andrew's monotone chain).
inline std::vector<Eigen::Vector2d> convex_hull_2d(const Eigen::MatrixXd& P) {
  require_shape(P.rows() == 2 && P.cols() >= 3, "rnnlab::convex_hull_2d", "P", "2 × n, n >= 3",
                detail::concat(P.rows(), " × ", P.cols()));
  std::vector<Eigen::Vector2d> pts(static_cast<std::size_t>(P.cols()));
  for (Index i = 0; i < P.cols(); ++i) pts[static_cast<std::size_t>(i)] = Eigen::Vector2d(P(0, i), P(1, i));
  std::sort(pts.begin(), pts.end(),
            [](const Eigen::Vector2d& a, const Eigen::Vector2d& b) { return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y()); });
  std::vector<Eigen::Vector2d> h(2 * pts.size());
  std::size_t k = 0;
  for (const auto& p : pts) {
    while (k >= 2 && detail::ibl_cross(h[k - 2], h[k - 1], p) <= 0) --k;
    h[k++] = p;
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
    const auto& p = pts[i - 1];
    while (k >= t && detail::ibl_cross(h[k - 2], h[k - 1], p) <= 0) --k;
    h[k++] = p;
  }
  h.resize(k > 1 ? k - 1 : k);
  return h;
}

/// True if q lies inside or on the counter-clockwise convex polygon `hull`.
inline bool inside_convex_hull(const std::vector<Eigen::Vector2d>& hull, const Eigen::Vector2d& q) {
  for (std::size_t i = 0; i < hull.size(); ++i)
    if (detail::ibl_cross(hull[i], hull[(i + 1) % hull.size()], q) < 0) return false;
  return !hull.empty();
}

/// Fixed-point starts of reference 2.4: an n × n grid over the bounding box of the plane coordinates
/// `pcs` (2 × T), kept if inside their convex hull, mapped to unit space mean + axes g (N × K).
/// `grid` (2 × K) receives the kept plane points. Throws for n < 2 or mismatched shapes.
inline Eigen::MatrixXd ibl_plane_grid_starts(const ibl_representation& rep, Index n, Eigen::MatrixXd* grid = nullptr) {
  constexpr std::string_view fn = "rnnlab::ibl_plane_grid_starts";
  require(n >= 2, fn, "n", ">= 2", n);
  require_shape(rep.pcs.rows() == 2 && rep.axes.cols() == 2 && rep.axes.rows() == rep.mean.size(), fn, "rep",
                "a representation analysis result", rep.pcs.rows());
  const auto hull = convex_hull_2d(rep.pcs);
  const Eigen::VectorXd lo = rep.pcs.rowwise().minCoeff(), hi = rep.pcs.rowwise().maxCoeff();
  std::vector<Eigen::Vector2d> kept;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) {
      const double fx = static_cast<double>(j) / static_cast<double>(n - 1);
      const double fy = static_cast<double>(i) / static_cast<double>(n - 1);
      const Eigen::Vector2d g(lo(0) + fx * (hi(0) - lo(0)), lo(1) + fy * (hi(1) - lo(1)));
      if (inside_convex_hull(hull, g)) kept.push_back(g);
    }
  Eigen::MatrixXd starts(rep.mean.size(), static_cast<Index>(kept.size()));
  if (grid) grid->resize(2, static_cast<Index>(kept.size()));
  for (std::size_t k = 0; k < kept.size(); ++k) {
    const auto c = static_cast<Index>(k);
    starts.col(c) = rep.mean + rep.axes.col(0) * kept[k].x() + rep.axes.col(1) * kept[k].y();
    if (grid) {
      (*grid)(0, c) = kept[k].x();
      (*grid)(1, c) = kept[k].y();
    }
  }
  return starts;
}

}  // namespace rnnlab
