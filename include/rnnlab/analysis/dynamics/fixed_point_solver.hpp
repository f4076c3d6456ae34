#pragma once
/// \file analysis/dynamics/fixed_point_solver.hpp
/// The root solver of the fixed-point analysis, on any `FixedPointSystem` (analysis/concepts.hpp):
/// one damped Newton / Levenberg–Marquardt iteration of one start, the polish of a certified root
/// and its certified Newton convergence radius. The driver (`find_fixed_points`,
/// analysis/dynamics/fixed_points.hpp) runs these from many starts in lock-step rounds.
///
/// One iteration: the Newton step −J_F⁻¹F (LU of kernels/dense_lu.hpp) is accepted with an Armijo
/// backtracking line search on q = ½‖F‖²; where J_F is singular or the line search fails it falls
/// back to Levenberg–Marquardt steps (JᵀJ + λI)δ = −JᵀF, a descent method on q (Cholesky of
/// kernels/dense_lu.hpp; JᵀJ from the system's own O(N²) form when it has one). After a full
/// Newton step that halves ‖F‖, one chord step reuses the factorised J (Newton–Shamanskii). A start
/// ends at a root (`converged`, ‖F‖ < tolerance), at a local minimum of q (`local_minimum`), or
/// without a verdict (`max_iterations`, `non_finite`): a status, never an exception.
///
/// Certificate (`fp_certify`): a converged point is polished to the root and certified by a
/// Newton–Kantorovich bound on its distance to a root, not by its residual.
///
/// Certified radius: if J_F is L-Lipschitz and ‖J_F(x*)⁻¹‖ ≤ β, Newton's method converges to x*
/// from every point of the ball ‖x − x*‖ < 2/(3βL), and x* is the only root within 2/(βL) (Traub &
/// Woźniakowski 1979; Rheinboldt 1975); β is bounded by ‖J⁻¹‖_F. (The system supplies L; a
/// distance-to-root certificate, Kantorovich-style, needs exactly these two ingredients.)

#include <Eigen/Core>
#include <Eigen/LU>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include <rnnlab/names.hpp>
#include <rnnlab/analysis/concepts.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/kernels/dense_lu.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// How one start ended.
enum class fp_status : std::int32_t {
  converged = 0,       ///< reached ‖F‖ < tolerance (a certified root)
  captured = 1,        ///< entered the certified Newton convergence ball of a root already found
  local_minimum = 2,   ///< stationary point of q = ½‖F‖² with ‖F‖ ≥ tolerance (slow point if q is small)
  max_iterations = 3,  ///< no verdict within the iteration budget
  non_finite = 4,      ///< the iterate or F became NaN / infinite
};

/// The names of fp_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<fp_status, std::string_view>, 5> enum_names(fp_status) {
  return {{{fp_status::converged, "converged"},
           {fp_status::captured, "captured"},
           {fp_status::local_minimum, "local_minimum"},
           {fp_status::max_iterations, "max_iterations"},
           {fp_status::non_finite, "non_finite"}}};
}

/// Parameters of `find_fixed_points`.
struct fixed_point_params {
  /// A start stops when ‖F‖₂ < tolerance; the point is then polished (`fp_polish`) and certified by
  /// a Newton–Kantorovich bound on its distance to a root (`fp_certify`), not by this residual.
  double tolerance = 1e-10;
  int max_iterations = 100;          ///< Newton / LM iterations per start
  int max_backtracks = 30;           ///< step halvings of a Newton step before falling back to LM
  double dedup_tolerance = 1e-6;     ///< roots closer than this (Euclidean) are one root
  bool capture = true;               ///< merge iterates entering a certified root's convergence ball
  Index pilot_stride = 16;           ///< with capture: every k-th start is solved first (1: no pilot)
  double merge_radius = 1e-9;        ///< active iterates closer than this are merged (one path)
  double slow_q_threshold = 5e-7;    ///< local minima of q below this are slow points (‖F‖ < 1e-3)
  double slow_dedup_tolerance = 1e-3;///< slow points closer than this are one slow point
  double stationarity_tolerance = 1e-9;  ///< ‖JᵀF‖ ≤ tol·‖J‖_F‖F‖ marks a local minimum of q
  /// A start whose q (above `slow_q_threshold`) falls by less than this fraction per iteration
  /// over `stall_window` iterations is stopped as a local minimum: damped Newton and LM creep
  /// towards minima of q with q > 0 only linearly, while towards a root q falls quadratically.
  double stall_decrease = 0.05;
  int stall_window = 4;
  /// An active iterate in its LM phase closer than this to a local minimum already found is
  /// stopped there (heuristic, affects only uncertified starts; 0 disables).
  double minimum_capture_radius = 1e-2;
  double marginal_tolerance = 1e-7;  ///< | |μ| − 1 | below this is marginal
  Index n_slow_modes = 0;            ///< eigenvectors of this many slowest modes per point
  bool classify = true;              ///< compute eigenvalues and stability
  /// After a full Newton step that halved ‖F‖ or better, try one more step with the same factorised
  /// Jacobian (a chord step; kept only if it halves ‖F‖ again). Saves factorisations near roots.
  bool chord_steps = true;
  /// For an odd system (`fixed_point_system::is_odd`: f = tanh, W_in u + b = 0): test the origin
  /// first and, with every root x* found, register its mirror image −x* (an exact root there, with
  /// the same Jacobian and convergence ball), so that starts heading for either are captured and the
  /// reported set is closed under x ↦ −x. Each point added this way is still certified by its own
  /// residual. Without it the origin, a saddle with many unstable directions, is rarely reached.
  bool use_symmetry = true;
  thread_count n_threads = 0;        ///< 0: automatic (kernels/parallel.hpp); never changes the result

  void validate() const {
    constexpr std::string_view fn = "rnnlab::fixed_point_params::validate";
    require(std::isfinite(tolerance) && tolerance > 0.0, fn, "tolerance", "a finite value > 0", tolerance);
    require(max_iterations >= 1, fn, "max_iterations", ">= 1", max_iterations);
    require(max_backtracks >= 0, fn, "max_backtracks", ">= 0", max_backtracks);
    require(std::isfinite(dedup_tolerance) && dedup_tolerance >= 0.0, fn, "dedup_tolerance", "a finite value >= 0",
            dedup_tolerance);
    require(std::isfinite(merge_radius) && merge_radius >= 0.0, fn, "merge_radius", "a finite value >= 0",
            merge_radius);
    require(std::isfinite(slow_q_threshold) && slow_q_threshold >= 0.0, fn, "slow_q_threshold",
            "a finite value >= 0", slow_q_threshold);
    require(std::isfinite(slow_dedup_tolerance) && slow_dedup_tolerance >= 0.0, fn, "slow_dedup_tolerance",
            "a finite value >= 0", slow_dedup_tolerance);
    require(std::isfinite(stationarity_tolerance) && stationarity_tolerance > 0.0, fn, "stationarity_tolerance",
            "a finite value > 0", stationarity_tolerance);
    require(std::isfinite(stall_decrease) && stall_decrease >= 0.0 && stall_decrease < 1.0, fn, "stall_decrease",
            "a value in [0, 1)", stall_decrease);
    require(stall_window >= 1, fn, "stall_window", ">= 1", stall_window);
    require(std::isfinite(minimum_capture_radius) && minimum_capture_radius >= 0.0, fn, "minimum_capture_radius",
            "a finite value >= 0", minimum_capture_radius);
    require(std::isfinite(marginal_tolerance) && marginal_tolerance >= 0.0, fn, "marginal_tolerance",
            "a finite value >= 0", marginal_tolerance);
    require(pilot_stride >= 1, fn, "pilot_stride", ">= 1", pilot_stride);
    require(n_slow_modes >= 0, fn, "n_slow_modes", ">= 0", n_slow_modes);
    require(n_threads >= 0, fn, "n_threads", ">= 0 (0 = all cores)", n_threads);
  }
};

namespace detail {

/// Per-thread scratch space of the Newton / LM iteration (allocated once per solve).
struct fp_workspace {
  explicit fp_workspace(Index n) : A(n, n), C(n, n), lu(n), delta(n), g(n), xt(n), Ft(n), ft(n), d(n) {}
  Eigen::MatrixXd A, C;  ///< JᵀJ, Cholesky factor of JᵀJ + λI
  dense_lu<> lu;
  Eigen::VectorXd delta, g, xt, Ft, ft, d;  ///< step, JᵀF, trial point, F and cache at the trial point, scratch
  Eigen::MatrixXd J;  ///< J for systems without normal_equations_from_cache (sized on first use)
};

/// Whether a system provides JᵀJ and JᵀF without forming J (the optional `FixedPointSystem`
/// expression).
template <class S>
concept fp_has_normal_equations = requires(const S& s, const Eigen::VectorXd& x, Eigen::MatrixXd& A,
                                           Eigen::VectorXd& v) {
  s.normal_equations_from_cache(x, x, x, A, v, v);
};

/// JᵀJ and JᵀF at x given the cache and F(x): the system's own O(N²) form where it has one, else
/// from J (formed in w.J).
template <FixedPointSystem S>
void fp_normal_equations(const S& sys, const Eigen::VectorXd& x, const Eigen::VectorXd& cache,
                         const Eigen::VectorXd& Fx, fp_workspace& w) {
  if constexpr (fp_has_normal_equations<S>) {
    sys.normal_equations_from_cache(x, cache, Fx, w.A, w.g, w.d);
  } else {
    const Index n = x.size();
    w.J.resize(n, n);
    sys.jacobian_from_cache(x, cache, w.J);
    w.A.noalias() = w.J.transpose() * w.J;
    w.g.noalias() = w.J.transpose() * Fx;
  }
}

/// J_F(x) of any system (evaluates F once for the cache).
template <FixedPointSystem S>
Eigen::MatrixXd fp_jacobian(const S& sys, const Eigen::Ref<const Eigen::VectorXd>& x) {
  const Index n = sys.n_units();
  const Eigen::VectorXd xv = x;
  Eigen::VectorXd cache(n), Fx(n);
  sys.evaluate(xv, cache, Fx);
  Eigen::MatrixXd J(n, n);
  sys.jacobian_from_cache(xv, std::as_const(cache), J);
  return J;
}

/// One start's iterate.
struct fp_iterate {
  Eigen::VectorXd x, Fx, fx;  ///< iterate, F(x), the system's cache at x (f(x) for a CTRNN)
  double q = 0.0;
  double lambda = -1.0;  ///< LM damping (−1: not yet initialised)
  int iterations = 0;
  int chord_steps = 0;
  std::vector<double> q_recent;  ///< q after the last stall_window + 1 iterations (ring buffer)
  bool lm_phase = false; ///< some Newton step was rejected (J near-singular or no descent)
  bool active = true;
  fp_status status = fp_status::max_iterations;
};

/// One damped Newton / Levenberg–Marquardt iteration of `it` (which is active and not yet
/// certified). Sets `it.status` and clears `it.active` when the start ends.
template <FixedPointSystem S>
void fp_iterate_once(const S& sys, fp_iterate& it, fp_workspace& w, const fixed_point_params& p) {
  constexpr double armijo = 1e-4;
  const auto ring = static_cast<std::size_t>(p.stall_window) + 1;
  if (it.q_recent.size() != ring) {
    it.q_recent.assign(ring, 0.0);
    it.q_recent[static_cast<std::size_t>(it.iterations) % ring] = it.q;
  }
  ++it.iterations;
  // Newton with backtracking: along δ = −J⁻¹F the directional derivative of q is −2q, so the
  // Armijo test is q(x + tδ) ≤ (1 − 2·armijo·t) q. J is built straight into the LU buffer.
  bool accepted = false;
  sys.jacobian_from_cache(it.x, std::as_const(it.fx), w.lu.matrix());
  if (w.lu.factor()) {
    w.delta = -it.Fx;
    w.lu.solve_in_place(w.delta);
    if (w.delta.allFinite()) {
      double t = 1.0;
      for (int k = 0; k < p.max_backtracks; ++k, t *= 0.5) {
        w.xt = it.x + t * w.delta;
        sys.evaluate(w.xt, w.ft, w.Ft);
        const double qt = 0.5 * w.Ft.squaredNorm();
        if (qt <= (1.0 - 2.0 * armijo * t) * it.q) {
          const bool fast_phase = t == 1.0 && qt <= 0.25 * it.q;
          it.x.swap(w.xt);
          it.Fx.swap(w.Ft);
          it.fx.swap(w.ft);
          it.q = qt;
          accepted = true;
          // Chord (Shamanskii) step: a full step that cut ‖F‖ by half or more means the iterate is
          // in Newton's region of fast convergence, where a second step with the same factorised
          // J is nearly as good as a new Newton step (cubic order per factorisation, Traub 1964)
          // at the cost of one solve and one residual. Kept only if it halves ‖F‖ again.
          if (fast_phase && p.chord_steps && std::sqrt(2.0 * it.q) >= p.tolerance) {
            w.delta = -it.Fx;
            w.lu.solve_in_place(w.delta);
            w.xt = it.x + w.delta;
            sys.evaluate(w.xt, w.ft, w.Ft);
            const double qc = 0.5 * w.Ft.squaredNorm();
            if (qc <= 0.25 * it.q) {
              it.x.swap(w.xt);
              it.Fx.swap(w.Ft);
              it.fx.swap(w.ft);
              it.q = qc;
              ++it.chord_steps;
            }
          }
          break;
        }
      }
    }
  }
  if (!accepted) {
    it.lm_phase = true;
    // Levenberg–Marquardt: (JᵀJ + λI)δ = −JᵀF; λ shrinks after a success and grows after a failure.
    fp_normal_equations(sys, it.x, it.fx, it.Fx, w);
    const double scale = std::max(w.A.diagonal().maxCoeff(), 1e-300);
    if (it.lambda < 0.0) it.lambda = 1e-3 * scale;
    const double gnorm = w.g.norm();
    const double jnorm = std::sqrt(std::max(w.A.trace(), 0.0));  // ‖J‖_F² = trace JᵀJ
    if (gnorm <= p.stationarity_tolerance * jnorm * std::sqrt(2.0 * it.q)) {
      it.status = fp_status::local_minimum;
      it.active = false;
      return;
    }
    for (int k = 0; k < 40; ++k) {
      w.C = w.A;
      w.C.diagonal().array() += it.lambda;
      if (!cholesky_in_place(w.C)) {  // JᵀJ + λI not numerically positive definite: more damping
        it.lambda *= 4.0;
        if (it.lambda > 1e30 * scale) break;
        continue;
      }
      w.delta = -w.g;
      cholesky_solve_in_place(w.C, w.delta);
      w.xt = it.x + w.delta;
      sys.evaluate(w.xt, w.ft, w.Ft);
      const double qt = 0.5 * w.Ft.squaredNorm();
      if (std::isfinite(qt) && qt < it.q) {
        const bool tiny = it.q - qt <= 1e-15 * it.q && w.delta.norm() <= 1e-14 * (1.0 + it.x.norm());
        it.x.swap(w.xt);
        it.Fx.swap(w.Ft);
        it.fx.swap(w.ft);
        it.q = qt;
        it.lambda = std::max(it.lambda / 3.0, 1e-16 * scale);
        accepted = true;
        if (tiny) {  // no measurable progress: a stationary point of q
          it.status = fp_status::local_minimum;
          it.active = false;
          return;
        }
        break;
      }
      it.lambda *= 4.0;
      if (it.lambda > 1e30 * scale) break;
    }
    if (!accepted) {  // no descent even along the (scaled) gradient: q is locally minimal here
      it.status = fp_status::local_minimum;
      it.active = false;
      return;
    }
  }
  // Stall test over the sliding window of the last stall_window iterations (checked every
  // iteration, so a start is stopped as soon as its last `stall_window` steps were all slow).
  it.q_recent[static_cast<std::size_t>(it.iterations) % ring] = it.q;
  if (it.iterations >= p.stall_window && it.q > p.slow_q_threshold && p.stall_decrease > 0.0) {
    const double q_old = it.q_recent[static_cast<std::size_t>(it.iterations - p.stall_window) % ring];
    const double per_step = 1.0 - std::pow(it.q / q_old, 1.0 / p.stall_window);
    if (per_step < p.stall_decrease) {
      it.status = fp_status::local_minimum;
      it.active = false;
      return;
    }
  }
  if (!it.x.allFinite() || !std::isfinite(it.q)) {
    it.status = fp_status::non_finite;
    it.active = false;
  } else if (std::sqrt(2.0 * it.q) < p.tolerance) {
    it.status = fp_status::converged;
    it.active = false;
  }
}

/// Newton steps from a converged start (‖F‖ < tolerance), each with step halving and kept only if
/// it lowers ‖F‖, until no step does (at most 60): the tolerance only stops the search, this brings
/// the point to the root. Near a simple root it ends after 2–3 quadratic steps; near a double root
/// (a fold), where a residual below the tolerance can still be 1e-5 away from the roots, Newton
/// converges linearly and needs the extra steps; between two close roots the halving walks out of
/// the trough of ‖F‖ towards one of them. Where J is singular (a line attractor) the step is the
/// minimum-norm Gauss–Newton step J⁺F, which moves onto the set of roots.
template <FixedPointSystem S>
void fp_polish(const S& sys, Eigen::VectorXd& x, Eigen::VectorXd& Fx, fp_workspace& w) {
  for (int k = 0; k < 60; ++k) {
    w.ft.resize(x.size());
    w.Ft.resize(x.size());
    sys.evaluate(x, w.ft, w.Ft);  // the cache at x (F(x) itself is Fx, already known)
    sys.jacobian_from_cache(x, std::as_const(w.ft), w.lu.matrix());
    const Eigen::MatrixXd J = w.lu.matrix();
    bool ok = w.lu.factor();
    if (ok) {
      w.delta = Fx;
      w.lu.solve_in_place(w.delta);
      ok = w.delta.allFinite();
    }
    if (!ok) {  // J singular (a line attractor): the minimum-norm Gauss–Newton step J⁺F
      w.delta = Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd>(J).solve(Fx);
      if (!w.delta.allFinite()) return;
    }
    const double q0 = Fx.squaredNorm();
    bool better = false;
    double t = 1.0;
    for (int h = 0; h < 40 && !better; ++h, t *= 0.5) {
      w.xt = x - t * w.delta;
      sys.evaluate(w.xt, w.ft, w.Ft);
      better = w.Ft.squaredNorm() < q0;
    }
    if (!better) return;
    x.swap(w.xt);
    Fx.swap(w.Ft);
  }
}

/// What is known about the distance from a computed point x to a root of F.
struct fp_certificate {
  bool certified = false;  ///< a root provably lies within `error_bound` of x
  /// Distance bound to the root: Kantorovich's r* when certified; for an uncertified point the
  /// Newton step ‖J⁻¹F‖ (+∞ if J is singular): an estimate, not a bound.
  double error_bound = std::numeric_limits<double>::infinity();
  double newton_step = std::numeric_limits<double>::infinity();  ///< η = ‖J(x)⁻¹F(x)‖
  double kantorovich_h = std::numeric_limits<double>::infinity();  ///< h = βLη (certified iff ≤ ½)
};

/// The Newton–Kantorovich certificate at x (Kantorovich 1948; Ortega & Rheinboldt 1970, 12.6.2):
/// if ‖J(x)⁻¹‖ ≤ β, ‖J(x)⁻¹F(x)‖ = η, J is L-Lipschitz and h = βLη ≤ ½, then F has a root x* with
///     ‖x* − x‖ ≤ r* = 2η / (1 + √(1 − 2h))  (≤ 2η),
/// the only root in the ball of radius (1 + √(1 − 2h))/(βL). β is bounded by ‖J⁻¹‖_F. This is what
/// a residual alone cannot say: near a fold J is nearly singular, ‖F‖ < 1e-10 holds 1e-5 away from
/// the roots (or where there is no root at all), and h > ½ there.
///
/// For a system without a curvature bound (L = +∞: ReLU) no such proof is available; F is affine
/// between kinks, so the Newton step is the exact distance while no kink lies in between: the
/// point counts as certified when ‖F‖ < tolerance, with error bound η (documented, not a proof).
/// η includes β times the rounding error of evaluating F (`fp_residual_rounding`): a residual that
/// rounds to 0 does not make the bound 0.
template <class S>
concept fp_has_residual_rounding = requires(const S& s, const Eigen::VectorXd& x) {
  { s.residual_rounding(x) } -> std::convertible_to<double>;
};

/// A bound on the rounding error of F(x) as evaluated: the system's own (`residual_rounding`,
/// optional) or 16 u (1 + ‖x‖).
template <FixedPointSystem S>
double fp_residual_rounding(const S& sys, const Eigen::VectorXd& x) {
  if constexpr (fp_has_residual_rounding<S>)
    return sys.residual_rounding(x);
  else
    return 16.0 * std::numeric_limits<double>::epsilon() * (1.0 + x.norm());
}

template <FixedPointSystem S>
fp_certificate fp_certify(const S& sys, const Eigen::VectorXd& x, const Eigen::VectorXd& Fx, double tolerance) {
  fp_certificate c;
  if (!(Fx.norm() < tolerance)) return c;
  const Eigen::MatrixXd J = fp_jacobian(sys, x);
  Eigen::FullPivLU<Eigen::MatrixXd> lu(J);
  if (!lu.isInvertible()) return c;
  const Eigen::MatrixXd Jinv = lu.inverse();
  const double beta = Jinv.norm();
  // the exact F(x) differs from the computed one by up to the rounding bound: η bounds ‖J⁻¹F‖ for it
  const double eta = (Jinv * Fx).norm() + beta * fp_residual_rounding(sys, x);
  if (!std::isfinite(beta) || !std::isfinite(eta)) return c;
  c.newton_step = eta;
  c.error_bound = eta;
  const double L = sys.jacobian_lipschitz();
  if (!std::isfinite(L)) {  // piecewise affine: no curvature bound (see above)
    c.certified = true;
    c.kantorovich_h = 0.0;
    return c;
  }
  c.kantorovich_h = beta * L * eta;
  if (c.kantorovich_h <= 0.5) {
    c.certified = true;
    c.error_bound = 2.0 * eta / (1.0 + std::sqrt(1.0 - 2.0 * c.kantorovich_h));
  }
  return c;
}

/// The certified Newton convergence radius 2/(3βL) at a root, with β ≤ ‖J⁻¹‖_F (0 if unknown).
template <FixedPointSystem S>
double fp_convergence_radius(const S& sys, const Eigen::VectorXd& x) {
  const double L = sys.jacobian_lipschitz();
  if (!std::isfinite(L) || !(L > 0.0)) return 0.0;
  const Eigen::MatrixXd J = fp_jacobian(sys, x);
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(J);
  if (!(lu.rcond() > 1e-13)) return 0.0;
  const double beta = lu.inverse().norm();
  if (!std::isfinite(beta) || !(beta > 0.0)) return 0.0;
  return 2.0 / (3.0 * beta * L);
}


}  // namespace detail

}  // namespace rnnlab
