#pragma once
/// \file analysis/dynamics/continuation.hpp
/// Fixed points followed along a one-dimensional path of static inputs, u(s) = u₀ + s·d
/// (pseudo-arclength continuation; Keller 1977, Allgower & Georg 1990). This is the curve of
/// attractors along the input axis that McMahan et al. (2021, Figs. 1c, 3, 4b/e) sample point by
/// point at a few probe values.
///
/// With y = (x, s), the branch is the solution curve of H(y) = F(x; u(s)) = α(−x + W_rec f(x) +
/// W_in(u₀ + s d) + b) = 0. Its unit tangent t solves [J_F  ∂H/∂s] t = 0 (∂H/∂s = α W_in d).
/// Each step predicts y + h t and corrects with Newton on the bordered system
///
///     H(y) = 0,   tᵀ (y − y_pred) = 0,       Jacobian [[J_F, ∂H/∂s], [tᵀ]],
///
/// which stays regular at a fold (where J_F is singular and s turns back), so the branch passes
/// folds instead of stopping there. A fold — where an attractor and a saddle meet and vanish — is
/// where the s-component of the tangent changes sign; it is located by regula falsi (Illinois)
/// on that component to `fold_tolerance`.

#include <Eigen/Core>
#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

// ---------------------------------------------------------------------------------------------
// Declarations

/// Parameters of `continue_fixed_point`.
struct continuation_params {
  double s_min = -1.0;                 ///< the path parameter's range
  double s_max = 1.0;
  double initial_step = 1e-2;          ///< arclength step in (x, s)
  double min_step = 1e-9;
  double max_step = 0.1;
  int max_steps = 5000;                ///< per direction
  double tolerance = 1e-10;            ///< corrector: ‖H‖ below this
  int max_corrector_iterations = 8;
  double fold_tolerance = 1e-12;       ///< |t_s| at a located fold
  bool classify = true;                ///< stability of every branch point (costs an eigensolve each)
  double marginal_tolerance = 1e-7;    ///< as in fixed_point_params

  void validate() const {
    constexpr std::string_view fn = "rnnlab::continuation_params::validate";
    require(std::isfinite(s_min) && std::isfinite(s_max) && s_min < s_max, fn, "s_min, s_max",
            "finite values with s_min < s_max", detail::concat(s_min, ", ", s_max));
    require(std::isfinite(initial_step) && initial_step > 0.0, fn, "initial_step", "a finite value > 0", initial_step);
    require(std::isfinite(min_step) && min_step > 0.0 && min_step <= initial_step, fn, "min_step",
            "a value in (0, initial_step]", min_step);
    require(std::isfinite(max_step) && max_step >= initial_step, fn, "max_step", "a finite value >= initial_step",
            max_step);
    require(max_steps >= 1, fn, "max_steps", ">= 1", max_steps);
    require(std::isfinite(tolerance) && tolerance > 0.0, fn, "tolerance", "a finite value > 0", tolerance);
    require(max_corrector_iterations >= 1, fn, "max_corrector_iterations", ">= 1", max_corrector_iterations);
    require(std::isfinite(fold_tolerance) && fold_tolerance > 0.0, fn, "fold_tolerance", "a finite value > 0",
            fold_tolerance);
    require(std::isfinite(marginal_tolerance) && marginal_tolerance >= 0.0, fn, "marginal_tolerance",
            "a finite value >= 0", marginal_tolerance);
  }
};

/// How one direction of a branch ended.
enum class continuation_status {
  left_range,     ///< s left [s_min, s_max]
  closed_loop,    ///< the branch came back to its starting point (an isola)
  max_steps,      ///< the step budget ran out
  step_too_small, ///< the corrector failed even at min_step (a singular point of the branch)
  singular_start, ///< the tangent at the start could not be computed
};

/// The names of continuation_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<continuation_status, std::string_view>, 5> enum_names(continuation_status) {
  return {{{continuation_status::left_range, "left_range"},
           {continuation_status::closed_loop, "closed_loop"},
           {continuation_status::max_steps, "max_steps"},
           {continuation_status::step_too_small, "step_too_small"},
           {continuation_status::singular_start, "singular_start"}}};
}

/// One point of a branch.
struct branch_point {
  Eigen::VectorXd x;
  double s = 0.0;
  double residual = 0.0;
  stability_class stability = stability_class::marginal;
  Index n_unstable = 0;  ///< discrete map
};

/// A fold (saddle-node): where the branch turns back in s.
struct fold_point {
  Eigen::VectorXd x;
  double s = 0.0;
  Index index = 0;  ///< the branch point just before the fold, in `branch::points` order
};

/// A branch: points ordered along the curve (from the backward end to the forward end).
struct branch {
  std::vector<branch_point> points;
  std::vector<fold_point> folds;
  continuation_status forward_status = continuation_status::max_steps;
  continuation_status backward_status = continuation_status::max_steps;
  std::vector<Eigen::VectorXd> crossings;  ///< roots where the branch crosses s = s_start
};

/// Follows the fixed point near `x_start` at u₀ + s_start·d in both directions of the path.
template <class Scalar, Activation F, class DU, class DD, class DX>
branch continue_fixed_point(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u0,
                            const Eigen::MatrixBase<DD>& direction, const Eigen::MatrixBase<DX>& x_start,
                            double s_start = 0.0, const continuation_params& params = {});

/// Finds the fixed points at u₀ from `starts`, and follows each one not already on a branch.
template <class Scalar, Activation F, class DU, class DD, class DX>
std::vector<branch> continue_fixed_points(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u0,
                                          const Eigen::MatrixBase<DD>& direction, const Eigen::MatrixBase<DX>& starts,
                                          const continuation_params& params = {},
                                          const fixed_point_params& fp_params = {});

// ---------------------------------------------------------------------------------------------
// Definitions

namespace detail {

/// H(x, s) = α(−x + W f(x) + c0 + s c1) with ∂H/∂s = α c1.
template <Activation F>
struct fp_path {
  Eigen::MatrixXd W;
  Eigen::VectorXd c0, c1;
  double alpha = 1.0;

  fixed_point_system<F> at(double s) const { return fixed_point_system<F>(W, c0 + s * c1, alpha); }
  Eigen::VectorXd H(const Eigen::VectorXd& x, double s) const {
    const Eigen::VectorXd r = F::value(x.array()).matrix();
    return alpha * (-x + W * r + c0 + s * c1);
  }
  Eigen::MatrixXd Jx(const Eigen::VectorXd& x) const {
    const Eigen::ArrayXd fx = F::value(x.array());
    const Eigen::ArrayXd d = alpha * F::derivative(x.array(), fx);
    Eigen::MatrixXd J = W.array().rowwise() * d.transpose();
    J.diagonal().array() -= alpha;
    return J;
  }
  /// The bordered matrix [[J, H_s], [tᵀ]].
  Eigen::MatrixXd bordered(const Eigen::VectorXd& x, const Eigen::VectorXd& t) const {
    const Index N = W.rows();
    Eigen::MatrixXd A(N + 1, N + 1);
    A.topLeftCorner(N, N) = Jx(x);
    A.topRightCorner(N, 1) = alpha * c1;
    A.bottomRows(1) = t.transpose();
    return A;
  }
};

/// Newton on [H; tᵀ(y − yp)] = 0 from yp; returns false if it does not reach the tolerance.
template <Activation F>
bool fp_correct(const fp_path<F>& path, Eigen::VectorXd& y, const Eigen::VectorXd& t, const continuation_params& p,
                int* iterations = nullptr) {
  const Index N = path.W.rows();
  const Eigen::VectorXd yp = y;
  for (int k = 0; k < p.max_corrector_iterations; ++k) {
    Eigen::VectorXd G(N + 1);
    G.head(N) = path.H(y.head(N), y(N));
    G(N) = t.dot(y - yp);
    if (!G.allFinite()) return false;
    if (G.head(N).norm() < p.tolerance && std::abs(G(N)) < 1e-8) {
      if (iterations) *iterations = k;
      return true;
    }
    Eigen::PartialPivLU<Eigen::MatrixXd> lu(path.bordered(y.head(N), t));
    if (!(lu.rcond() > 1e-14)) return false;
    y -= lu.solve(G);
  }
  const double h = path.H(y.head(N), y(N)).norm();
  if (iterations) *iterations = p.max_corrector_iterations;
  return h < p.tolerance;
}

/// The unit tangent at y oriented by `previous` (tᵀ previous > 0).
template <Activation F>
bool fp_tangent(const fp_path<F>& path, const Eigen::VectorXd& y, const Eigen::VectorXd& previous,
                Eigen::VectorXd& t) {
  const Index N = path.W.rows();
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(path.bordered(y.head(N), previous));
  if (!(lu.rcond() > 1e-14)) return false;
  Eigen::VectorXd e = Eigen::VectorXd::Zero(N + 1);
  e(N) = 1.0;
  t = lu.solve(e);
  if (!t.allFinite() || t.norm() == 0.0) return false;
  t.normalize();
  return true;
}

template <Activation F>
branch_point fp_make_point(const fp_path<F>& path, const Eigen::VectorXd& y, const continuation_params& p) {
  const Index N = path.W.rows();
  branch_point bp;
  bp.x = y.head(N);
  bp.s = y(N);
  bp.residual = path.H(bp.x, bp.s).norm();
  if (p.classify) {
    fixed_point_params fpp;
    fpp.marginal_tolerance = p.marginal_tolerance;
    const auto cp = analyse_point(path.at(bp.s), bp.x, fpp);
    bp.stability = cp.stability;
    bp.n_unstable = cp.n_unstable;
  }
  return bp;
}

/// One direction of a branch from the corrected point y0 with unit tangent t0.
template <Activation F>
continuation_status fp_trace(const fp_path<F>& path, const Eigen::VectorXd& y0, const Eigen::VectorXd& t0,
                             double s_start, const continuation_params& p, std::vector<branch_point>& points,
                             std::vector<fold_point>& folds, std::vector<Eigen::VectorXd>& crossings) {
  const Index N = path.W.rows();
  Eigen::VectorXd y = y0, t = t0;
  double h = p.initial_step;
  double travelled = 0.0;
  for (int step = 0; step < p.max_steps; ++step) {
    Eigen::VectorXd yn;
    int iters = 0;
    for (;;) {
      yn = y + h * t;
      if (fp_correct(path, yn, t, p, &iters)) break;
      h *= 0.5;
      if (h < p.min_step) return continuation_status::step_too_small;
    }
    Eigen::VectorXd tn;
    if (!fp_tangent(path, yn, t, tn)) return continuation_status::step_too_small;
    // A fold lies between y and yn: the tangent's s-component changed sign.
    if (t(N) * tn(N) < 0.0) {
      double a = 0.0, b = h, fa = t(N), fb = tn(N);
      Eigen::VectorXd yf = yn;
      int side = 0;
      for (int k = 0; k < 100; ++k) {
        const double c = (a * fb - b * fa) / (fb - fa);
        Eigen::VectorXd yc = y + c * t;
        Eigen::VectorXd tc;
        if (!fp_correct(path, yc, t, p) || !fp_tangent(path, yc, t, tc)) break;
        yf = yc;
        const double fc = tc(N);
        if (std::abs(fc) < p.fold_tolerance || std::abs(b - a) < 1e-15) break;
        if (fc * fb < 0.0) {
          a = b;
          fa = fb;
          side = 0;
        } else {
          if (side == 1) fa *= 0.5;  // Illinois: halve the stale end
          side = 1;
        }
        b = c;
        fb = fc;
      }
      folds.push_back({yf.head(N), yf(N), static_cast<Index>(points.size()) - 1});
    }
    // A crossing of s = s_start: a root at the starting input, polished at fixed s.
    if ((y(N) - s_start) * (yn(N) - s_start) < 0.0) {
      const double w = (s_start - y(N)) / (yn(N) - y(N));
      Eigen::VectorXd x = (1.0 - w) * y.head(N) + w * yn.head(N);
      const auto sys = path.at(s_start);
      for (int k = 0; k < 20; ++k) {
        const Eigen::VectorXd Fx = sys.residual(x);
        if (Fx.norm() < p.tolerance * 1e-2) break;
        x -= sys.jacobian(x).partialPivLu().solve(Fx);
      }
      crossings.push_back(x);
    }
    travelled += (yn - y).norm();
    y = yn;
    t = tn;
    points.push_back(fp_make_point(path, y, p));
    if (y(N) < p.s_min || y(N) > p.s_max) return continuation_status::left_range;
    if (travelled > 4.0 * h && (y - y0).norm() < 0.5 * h && t.dot(t0) > 0.0) return continuation_status::closed_loop;
    if (iters <= 2)
      h = std::min(h * 1.5, p.max_step);
    else if (iters >= 5)
      h = std::max(h / 1.5, p.min_step);
  }
  return continuation_status::max_steps;
}

}  // namespace detail

template <class Scalar, Activation F, class DU, class DD, class DX>
branch continue_fixed_point(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u0,
                            const Eigen::MatrixBase<DD>& direction, const Eigen::MatrixBase<DX>& x_start,
                            double s_start, const continuation_params& p) {
  constexpr std::string_view fn = "rnnlab::continue_fixed_point";
  p.validate();
  net.validate(fn);
  const Index N = net.n_units(), M = net.n_inputs();
  require_shape(u0.size() == M, fn, "u0", detail::fp_text("length n_inputs = ", M), u0.size());
  require_shape(direction.size() == M, fn, "direction", detail::fp_text("length n_inputs = ", M), direction.size());
  require_shape(x_start.size() == N, fn, "x_start", detail::fp_text("length n_units = ", N), x_start.size());
  require(std::isfinite(s_start) && s_start >= p.s_min && s_start <= p.s_max, fn, "s_start",
          "a value in [s_min, s_max]", s_start);
  const auto& prm = net.parameters();
  detail::fp_path<F> path;
  path.W = prm.W_rec.template cast<double>();
  path.alpha = static_cast<double>(net.alpha());
  const Eigen::MatrixXd Win = prm.W_in.template cast<double>();
  path.c0 = Win * u0.derived().template cast<double>().reshaped() + prm.b.template cast<double>();
  path.c1 = Win * direction.derived().template cast<double>().reshaped();
  require(path.c0.allFinite() && path.c1.allFinite(), fn, "u0, direction", "finite values", "NaN or infinity");

  branch out;
  // Correct the start at fixed s = s_start, then the tangent from J v = −H_s.
  Eigen::VectorXd x = x_start.derived().template cast<double>().reshaped();
  const auto sys = path.at(s_start);
  for (int k = 0; k < 50; ++k) {
    const Eigen::VectorXd Fx = sys.residual(x);
    if (Fx.norm() < p.tolerance * 1e-2) break;
    Eigen::PartialPivLU<Eigen::MatrixXd> lu(sys.jacobian(x));
    if (!(lu.rcond() > 1e-14)) break;
    x -= lu.solve(Fx);
  }
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(sys.jacobian(x));
  if (!(lu.rcond() > 1e-14) || !(sys.residual(x).norm() < p.tolerance)) {
    out.forward_status = out.backward_status = continuation_status::singular_start;
    return out;
  }
  Eigen::VectorXd t(N + 1);
  t.head(N) = lu.solve(-path.alpha * path.c1);
  t(N) = 1.0;
  t.normalize();
  Eigen::VectorXd y0(N + 1);
  y0.head(N) = x;
  y0(N) = s_start;
  out.crossings.push_back(x);
  std::vector<branch_point> back, fwd;
  std::vector<fold_point> fback, ffwd;
  out.backward_status = detail::fp_trace(path, y0, Eigen::VectorXd(-t), s_start, p, back, fback, out.crossings);
  out.forward_status = detail::fp_trace(path, y0, t, s_start, p, fwd, ffwd, out.crossings);
  // Assemble backward end → start → forward end.
  const Index nb = static_cast<Index>(back.size());
  for (Index i = nb - 1; i >= 0; --i) out.points.push_back(std::move(back[static_cast<std::size_t>(i)]));
  out.points.push_back(detail::fp_make_point(path, y0, p));
  for (auto& bp : fwd) out.points.push_back(std::move(bp));
  for (auto& f : fback) {
    f.index = nb - 1 - (f.index + 1);  // the point before it in the assembled order
    out.folds.push_back(std::move(f));
  }
  for (auto& f : ffwd) {
    f.index += nb + 1;
    out.folds.push_back(std::move(f));
  }
  std::sort(out.folds.begin(), out.folds.end(), [](const fold_point& a, const fold_point& b) { return a.index < b.index; });
  return out;
}

template <class Scalar, Activation F, class DU, class DD, class DX>
std::vector<branch> continue_fixed_points(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u0,
                                          const Eigen::MatrixBase<DD>& direction, const Eigen::MatrixBase<DX>& starts,
                                          const continuation_params& params, const fixed_point_params& fp_params) {
  params.validate();
  const auto roots = find_fixed_points(net, u0, starts, fp_params);
  std::vector<branch> out;
  for (const auto& cp : roots.fixed_points) {
    bool known = false;
    for (const auto& br : out)
      for (const auto& c : br.crossings) known = known || (c - cp.x).norm() < std::max(1e-6, fp_params.dedup_tolerance);
    if (known) continue;
    out.push_back(continue_fixed_point(net, u0, direction, cp.x, 0.0, params));
  }
  return out;
}

}  // namespace rnnlab
