#pragma once
/// \file analysis/fixed_points.hpp
/// Fixed points and slow points of a CTRNN under a static input (McMahan et al. 2021, Sec. 2.4,
/// Eq. 5; Sussillo & Barak 2013 for slow points).
///
/// For a static input u, the Euler map x ↦ x + F(x) of the network has the increment
///
///     F(x) = α (−x + W_rec f(x) + W_in u + b),     J_F(x) = α (W_rec diag f′(x) − I),
///
/// and a fixed point is a root x* of F. The solver runs damped Newton from many starts in double,
/// with the analytic Jacobian: the Newton step −J_F⁻¹F is accepted with an Armijo backtracking
/// line search on q = ½‖F‖²; where J_F is singular or the line search fails it falls back to
/// Levenberg–Marquardt steps (JᵀJ + λI)δ = −JᵀF, a descent method on q. A start therefore ends at
/// a root (status `converged`, certified only if ‖F(x*)‖ < tolerance, default 1e-10), at a local
/// minimum of q with q > 0 (`local_minimum`; a *slow point* if q is under a threshold), or
/// without a verdict (`max_iterations`, `non_finite`). Non-convergence is a status, never an
/// exception.
///
/// Starts that approach a root already found are not solved to the end: if J_F is L-Lipschitz
/// (L = α‖W_rec‖₂ sup|f″|) and ‖J_F(x*)⁻¹‖ ≤ β, Newton's method converges to x* from every point
/// of the ball ‖x − x*‖ < 2/(3βL), and x* is the only root within 2/(βL) (Traub & Woźniakowski
/// 1979; Rheinboldt 1975). An iterate that enters the first ball of a certified root is assigned
/// to it (status `captured`) — a merge with a proof, not a heuristic. β is bounded by ‖J⁻¹‖_F.
/// Iterates closer to each other than `merge_radius` are merged too (they follow one path).
/// After a full Newton step that halves ‖F‖, one chord step reuses the factorised J (Newton–
/// Shamanskii, order 3 per factorisation); it is kept only if it halves ‖F‖ again.
///
/// If f is odd and W_in u + b = 0, F(−x) = −F(x) exactly: the origin is a root (a saddle with many
/// unstable directions that damped Newton from a box practically never reaches) and −x* is a root
/// with J_F(−x*) = J_F(x*) for every root x*. Both are registered (each certified by its residual)
/// so that the reported set is closed under x ↦ −x (`use_symmetry`).
///
/// Stability uses the eigenvalues μ of the Jacobian of the discrete map, I + J_F =
/// (1−α)I + αW_rec diag f′(x*): stable if every |μ| < 1, unstable if every |μ| > 1, a saddle
/// with k unstable directions otherwise, and marginal if some |μ| is within `marginal_tolerance`
/// of 1 (a line attractor, a fold). The continuous-time view (eigenvalues λ = μ − 1 of J_F,
/// unstable if Re λ > 0) is reported as well; for α < 1 the two agree except for modes with
/// |1 + λ| > 1 and Re λ < 0, which only a coarse Euler step can destabilise.

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <rnnlab/analysis/detail/fp_parallel.hpp>
#include <rnnlab/analysis/detail/fp_system.hpp>
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/fast_math.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

// ---------------------------------------------------------------------------------------------
// Declarations

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

/// Local stability of a fixed point (discrete map unless stated otherwise).
enum class stability_class : std::int32_t {
  stable = 0,    ///< every |μ| < 1: an attractor
  saddle = 1,    ///< some |μ| > 1, the others < 1 (`n_unstable` says how many)
  unstable = 2,  ///< every |μ| > 1: a repeller
  marginal = 3,  ///< some |μ| within `marginal_tolerance` of 1: not hyperbolic (line attractor, fold)
};

/// The names of stability_class (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<stability_class, std::string_view>, 4> enum_names(stability_class) {
  return {{{stability_class::stable, "stable"},
           {stability_class::saddle, "saddle"},
           {stability_class::unstable, "unstable"},
           {stability_class::marginal, "marginal"}}};
}

/// Parameters of `find_fixed_points`.
struct fixed_point_params {
  double tolerance = 1e-10;          ///< a root is certified iff ‖F(x*)‖₂ < tolerance
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
  int n_threads = 0;                 ///< 0: hardware concurrency

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

/// What happened to one start.
struct fp_start_record {
  fp_status status = fp_status::max_iterations;
  int iterations = 0;     ///< Newton / LM iterations (Jacobian factorisations) spent on this start
                          ///< (its own, before any merge)
  int chord_steps = 0;    ///< extra steps that reused an iteration's factorisation (`chord_steps`)
  double residual = 0.0;  ///< ‖F‖ where the start ended (for `captured`: of the root it joined)
  Index point = -1;       ///< index into `fixed_points` (converged, captured) or `slow_points`, else −1
};

/// A fixed point or a slow point with its local linearisation.
struct critical_point {
  Eigen::VectorXd x;               ///< the state x*
  double residual = 0.0;           ///< ‖F(x*)‖₂ (speed ‖x_{t+1} − x_t‖ per step)
  double q = 0.0;                  ///< ½‖F(x*)‖²
  stability_class stability = stability_class::marginal;
  Index n_unstable = 0;            ///< discrete map: #{|μ| > 1 + tol}
  Index n_marginal = 0;            ///< discrete map: #{| |μ| − 1 | ≤ tol}
  Index n_unstable_continuous = 0; ///< continuous time: #{Re λ > tol}, λ = μ − 1 eigenvalues of J_F
  Eigen::VectorXcd eigenvalues;    ///< μ of I + J_F, sorted by |μ| descending (slowest/most unstable first)
  Eigen::MatrixXcd slow_modes;     ///< N × n_slow_modes right eigenvectors of the first eigenvalues
  double convergence_radius = 0.0; ///< certified Newton ball 2/(3βL) (0 if not available)
  Index n_starts = 0;              ///< starts that ended here
  bool by_symmetry = false;        ///< added as the origin or the mirror −x* of a root (odd systems)
};

/// The result of `find_fixed_points` for one static input.
struct fixed_point_result {
  std::vector<critical_point> fixed_points;  ///< certified, deduplicated, in order of discovery
  std::vector<critical_point> slow_points;   ///< local minima of q under the threshold, deduplicated
  std::vector<fp_start_record> starts;       ///< one record per start, in the order given
  Index n_rounds = 0;                        ///< lock-step rounds run

  /// Starts that ended at a certified root (converged or captured).
  Index n_certified_starts() const {
    return static_cast<Index>(std::count_if(starts.begin(), starts.end(), [](const fp_start_record& r) {
      return r.status == fp_status::converged || r.status == fp_status::captured;
    }));
  }
  Index count(fp_status s) const {
    return static_cast<Index>(
        std::count_if(starts.begin(), starts.end(), [s](const fp_start_record& r) { return r.status == s; }));
  }
  /// Newton / LM iterations summed over starts.
  Index total_iterations() const {
    Index n = 0;
    for (const auto& r : starts) n += r.iterations;
    return n;
  }
  /// Fixed points of the given class.
  Index count(stability_class c) const {
    return static_cast<Index>(std::count_if(fixed_points.begin(), fixed_points.end(),
                                            [c](const critical_point& p) { return p.stability == c; }));
  }
};

/// The increment F and its Jacobian for one network and one static input, in double.
template <Activation F>
class fixed_point_system {
public:
  using activation_type = F;

  /// Copies the network's parameters to double and fixes the input u (length n_inputs; checked).
  template <class Scalar, class DU>
  fixed_point_system(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u);

  /// A system from raw parts: F(x) = α(−x + W f(x) + c).
  fixed_point_system(Eigen::MatrixXd W, Eigen::VectorXd c, double alpha);

  Index n_units() const noexcept { return m_W.rows(); }
  double alpha() const noexcept { return m_alpha; }
  const Eigen::MatrixXd& W() const noexcept { return m_W; }
  const Eigen::VectorXd& drive() const noexcept { return m_c; }  ///< c = W_in u + b

  /// F(x) into `out`.
  template <class DX, class DO>
  void residual(const Eigen::MatrixBase<DX>& x, Eigen::MatrixBase<DO>& out) const;
  Eigen::VectorXd residual(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  /// J_F(x) = α(W diag f′(x) − I) into `J`.
  void jacobian(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::MatrixXd& J) const;
  /// J_F(x) into `J` given the rates fx = f(x) already computed (no activation evaluated).
  /// J_F(x) into `J` (already n_units × n_units; may be a block of a larger buffer).
  template <class DF>
  void jacobian_from_rates(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::ArrayBase<DF>& fx,
                           Eigen::Ref<Eigen::MatrixXd> J) const;
  /// fx = f(x) and out = F(x) into preallocated vectors of length n_units (the solver's hot path:
  /// no allocation).
  void evaluate(const Eigen::VectorXd& x, Eigen::VectorXd& fx, Eigen::VectorXd& out) const;
  Eigen::MatrixXd jacobian(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  /// JᵀJ and JᵀF of J = J_F(x) given fx = f(x) and Fx = F(x), without forming J: with D =
  /// diag f′(x) and the Gram matrix G = WᵀW kept from construction,
  ///     JᵀJ = α²(D G D − D Wᵀ − W D + I),   JᵀF = α(D WᵀF − F),
  /// O(N²) instead of the O(N³) product (the Levenberg–Marquardt step's normal equations).
  template <class DF>
  void normal_equations_from_rates(const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::ArrayBase<DF>& fx,
                                   const Eigen::VectorXd& Fx, Eigen::MatrixXd& JtJ, Eigen::VectorXd& JtF,
                                   Eigen::VectorXd& d) const;
  /// The Jacobian of the Euler map, I + J_F(x).
  Eigen::MatrixXd map_jacobian(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  /// L with ‖J_F(x) − J_F(y)‖₂ ≤ L‖x − y‖ (+∞ if the activation has no curvature bound).
  double jacobian_lipschitz() const noexcept { return m_lipschitz; }
  /// F(−x) = −F(x) for every x: f is odd (tanh) and the drive W_in u + b is exactly zero. The
  /// origin is then a root and the other roots come in pairs ±x* with the same J_F (f′ is even).
  bool is_odd() const noexcept { return detail::fp_is_odd<F>() && (m_c.array() == 0.0).all(); }

private:
  void finish_setup(std::string_view caller);
  Eigen::MatrixXd m_W;
  Eigen::MatrixXd m_Wt;  // Wᵀ (columns are rows of W: contiguous access in the normal equations)
  Eigen::MatrixXd m_G;   // WᵀW
  Eigen::VectorXd m_c;
  double m_alpha = 1.0;
  double m_lipschitz = std::numeric_limits<double>::infinity();
};

/// Finds the roots of F from the given starts (N × K, one start per column).
template <Activation F, class DX>
fixed_point_result find_fixed_points(const fixed_point_system<F>& system, const Eigen::MatrixBase<DX>& starts,
                                     const fixed_point_params& params = {});

/// Finds the fixed points of `net` under the static input `u` (length n_inputs) from `starts`.
template <class Scalar, Activation F, class DU, class DX>
fixed_point_result find_fixed_points(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u,
                                     const Eigen::MatrixBase<DX>& starts, const fixed_point_params& params = {});

/// Linearisation of `system` at x: eigenvalues, stability class, slow modes (fills a critical_point).
template <Activation F>
critical_point analyse_point(const fixed_point_system<F>& system, const Eigen::Ref<const Eigen::VectorXd>& x,
                             const fixed_point_params& params = {});

/// K starts drawn uniformly from the box [−half_width, half_width]^N (the reference code: 100
/// starts in U(−5, 5)^50).
template <class G>
Eigen::MatrixXd box_starts(Index n_units, Index n_starts, double half_width, G& g);

/// K starts sampled (with replacement) from the states the network visits on `inputs` (T, B, M),
/// starting from its own x0, each plus N(0, noise_std²) per unit: starts where the dynamics live.
template <class Scalar, Activation F, class G>
Eigen::MatrixXd trajectory_starts(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs, Index n_starts,
                                  G& g, double noise_std = 0.0);

// ---------------------------------------------------------------------------------------------
// Definitions

template <Activation F>
template <class Scalar, class DU>
fixed_point_system<F>::fixed_point_system(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u) {
  constexpr std::string_view fn = "rnnlab::fixed_point_system";
  require_shape(u.size() == net.n_inputs() && (u.cols() == 1 || u.rows() == 1), fn, "u",
                detail::fp_text("a vector of length n_inputs = ", net.n_inputs()),
                detail::fp_shape(u.rows(), u.cols()));
  const auto& p = net.parameters();
  m_W = p.W_rec.template cast<double>();
  const Eigen::VectorXd ud = u.derived().template cast<double>().reshaped();
  require(ud.allFinite(), fn, "u", "finite values", "NaN or infinity");
  m_c = p.W_in.template cast<double>() * ud + p.b.template cast<double>();
  m_alpha = static_cast<double>(net.alpha());
  finish_setup(fn);
}

template <Activation F>
fixed_point_system<F>::fixed_point_system(Eigen::MatrixXd W, Eigen::VectorXd c, double alpha)
    : m_W(std::move(W)), m_c(std::move(c)), m_alpha(alpha) {
  constexpr std::string_view fn = "rnnlab::fixed_point_system";
  require_shape(m_W.rows() > 0 && m_W.rows() == m_W.cols(), fn, "W", "a square (N, N) matrix with N > 0",
                detail::fp_shape(m_W.rows(), m_W.cols()));
  require_shape(m_c.size() == m_W.rows(), fn, "c", detail::fp_text("length ", m_W.rows()), m_c.size());
  require(m_alpha > 0.0 && m_alpha <= 1.0, fn, "alpha", "a value in (0, 1]", m_alpha);
  require(m_W.allFinite() && m_c.allFinite(), fn, "W, c", "finite values", "NaN or infinity");
  finish_setup(fn);
}

template <Activation F>
void fixed_point_system<F>::finish_setup(std::string_view) {
  m_Wt = m_W.transpose();
  m_G.noalias() = m_Wt * m_W;
  const double curv = detail::fp_max_abs_second_derivative<F>();
  m_lipschitz = std::isfinite(curv) ? m_alpha * detail::fp_spectral_norm_upper(m_W) * curv
                                    : std::numeric_limits<double>::infinity();
}

template <Activation F>
template <class DX, class DO>
void fixed_point_system<F>::residual(const Eigen::MatrixBase<DX>& x, Eigen::MatrixBase<DO>& out) const {
  const Eigen::VectorXd xv = x;
  Eigen::VectorXd r(xv.size());
  detail::apply_activation<F>(xv.data(), r.data(), xv.size());
  out.derived().noalias() = m_W * r;
  out.derived() = m_alpha * (out.derived() - x + m_c);
}

template <Activation F>
Eigen::VectorXd fixed_point_system<F>::residual(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  Eigen::VectorXd out(x.size());
  residual(x, out);
  return out;
}

template <Activation F>
void fixed_point_system<F>::jacobian(const Eigen::Ref<const Eigen::VectorXd>& x, Eigen::MatrixXd& J) const {
  J.resize(m_W.rows(), m_W.cols());
  Eigen::ArrayXd fx(x.size());
  detail::apply_activation<F>(x.data(), fx.data(), x.size());
  jacobian_from_rates(x, fx, J);
}

template <Activation F>
template <class DF>
void fixed_point_system<F>::jacobian_from_rates(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                const Eigen::ArrayBase<DF>& fx, Eigen::Ref<Eigen::MatrixXd> J) const {
  // f′ is cheap given fx (1 − fx² for tanh); Eigen may re-evaluate it per row, never allocates.
  J.array() = m_W.array().rowwise() * (m_alpha * F::derivative(x.array(), fx.derived())).transpose();
  J.diagonal().array() -= m_alpha;
}

template <Activation F>
template <class DF>
void fixed_point_system<F>::normal_equations_from_rates(const Eigen::Ref<const Eigen::VectorXd>& x,
                                                        const Eigen::ArrayBase<DF>& fx, const Eigen::VectorXd& Fx,
                                                        Eigen::MatrixXd& JtJ, Eigen::VectorXd& JtF,
                                                        Eigen::VectorXd& d) const {
  const Index n = m_W.rows();
  const double a2 = m_alpha * m_alpha;
  d = F::derivative(x.array(), fx.derived()).matrix();
  JtJ.resize(n, n);
  for (Index j = 0; j < n; ++j) {
    const double dj = d(j);
    // column j: α²(d ∘ (d_j G(:, j) − Wᵀ(:, j)) − d_j W(:, j))
    JtJ.col(j).array() =
        a2 * (d.array() * (dj * m_G.col(j).array() - m_Wt.col(j).array()) - dj * m_W.col(j).array());
    JtJ(j, j) += a2;
  }
  JtF.noalias() = m_Wt * Fx;
  JtF = m_alpha * (d.cwiseProduct(JtF) - Fx);
}

template <Activation F>
void fixed_point_system<F>::evaluate(const Eigen::VectorXd& x, Eigen::VectorXd& fx, Eigen::VectorXd& out) const {
  detail::apply_activation<F>(x.data(), fx.data(), x.size());
  out.noalias() = m_W * fx;
  out = m_alpha * (out - x + m_c);
}

template <Activation F>
Eigen::MatrixXd fixed_point_system<F>::jacobian(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  Eigen::MatrixXd J;
  jacobian(x, J);
  return J;
}

template <Activation F>
Eigen::MatrixXd fixed_point_system<F>::map_jacobian(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  Eigen::MatrixXd J = jacobian(x);
  J.diagonal().array() += 1.0;
  return J;
}

namespace detail {

/// Per-thread scratch space of the Newton / LM iteration (allocated once per solve).
struct fp_workspace {
  explicit fp_workspace(Index n) : A(n, n), C(n, n), lu(n), delta(n), g(n), xt(n), Ft(n), ft(n), d(n) {}
  Eigen::MatrixXd A, C;  ///< JᵀJ, Cholesky factor of JᵀJ + λI
  fp_dense_lu lu;
  Eigen::VectorXd delta, g, xt, Ft, ft, d;  ///< step, JᵀF, trial point, F and f at the trial point, f′
};

/// One start's iterate.
struct fp_iterate {
  Eigen::VectorXd x, Fx, fx;  ///< iterate, F(x), f(x)
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
template <Activation F>
void fp_iterate_once(const fixed_point_system<F>& sys, fp_iterate& it, fp_workspace& w, const fixed_point_params& p) {
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
  sys.jacobian_from_rates(it.x, it.fx.array(), w.lu.matrix());
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
    sys.normal_equations_from_rates(it.x, it.fx.array(), it.Fx, w.A, w.g, w.d);
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
      if (!fp_cholesky_in_place(w.C)) {  // JᵀJ + λI not numerically positive definite: more damping
        it.lambda *= 4.0;
        if (it.lambda > 1e30 * scale) break;
        continue;
      }
      w.delta = -w.g;
      fp_cholesky_solve_in_place(w.C, w.delta);
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

/// Up to three full Newton steps from a certified root, each kept only if it lowers ‖F‖: the
/// tolerance certifies, this brings the reported point to the precision double allows.
template <Activation F>
void fp_polish(const fixed_point_system<F>& sys, Eigen::VectorXd& x, Eigen::VectorXd& Fx, fp_workspace& w) {
  for (int k = 0; k < 3; ++k) {
    w.ft.resize(x.size());
    apply_activation<F>(x.data(), w.ft.data(), x.size());
    sys.jacobian_from_rates(x, w.ft.array(), w.lu.matrix());
    if (!w.lu.factor()) return;
    w.delta = Fx;
    w.lu.solve_in_place(w.delta);
    w.xt = x - w.delta;
    sys.residual(w.xt, w.Ft);
    if (!(w.Ft.squaredNorm() < Fx.squaredNorm())) return;
    x.swap(w.xt);
    Fx.swap(w.Ft);
  }
}

/// Eigenvalues (sorted by |μ| descending) and stability of the discrete map at x.
template <Activation F>
void fp_classify(const fixed_point_system<F>& sys, critical_point& cp, const fixed_point_params& p) {
  const Eigen::MatrixXd M = sys.map_jacobian(cp.x);
  const Index N = M.rows();
  const bool vectors = p.n_slow_modes > 0;
  Eigen::EigenSolver<Eigen::MatrixXd> es(M, vectors);
  if (es.info() != Eigen::Success) {
    cp.stability = stability_class::marginal;
    cp.eigenvalues = Eigen::VectorXcd::Constant(N, std::complex<double>(std::numeric_limits<double>::quiet_NaN()));
    return;
  }
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), Index{0});
  const Eigen::VectorXcd ev = es.eigenvalues();
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
    const double ma = std::abs(ev(a)), mb = std::abs(ev(b));
    if (ma != mb) return ma > mb;
    return ev(a).imag() > ev(b).imag();
  });
  cp.eigenvalues.resize(N);
  for (Index i = 0; i < N; ++i) cp.eigenvalues(i) = ev(order[static_cast<std::size_t>(i)]);
  cp.n_unstable = cp.n_marginal = cp.n_unstable_continuous = 0;
  for (Index i = 0; i < N; ++i) {
    const double m = std::abs(cp.eigenvalues(i));
    if (std::abs(m - 1.0) <= p.marginal_tolerance)
      ++cp.n_marginal;
    else if (m > 1.0)
      ++cp.n_unstable;
    if (cp.eigenvalues(i).real() - 1.0 > p.marginal_tolerance) ++cp.n_unstable_continuous;
  }
  if (cp.n_marginal > 0)
    cp.stability = stability_class::marginal;
  else if (cp.n_unstable == 0)
    cp.stability = stability_class::stable;
  else if (cp.n_unstable == N)
    cp.stability = stability_class::unstable;
  else
    cp.stability = stability_class::saddle;
  if (vectors) {
    const Index k = std::min(p.n_slow_modes, N);
    const Eigen::MatrixXcd V = es.eigenvectors();
    cp.slow_modes.resize(N, k);
    for (Index i = 0; i < k; ++i) cp.slow_modes.col(i) = V.col(order[static_cast<std::size_t>(i)]);
  }
}

/// The certified Newton convergence radius 2/(3βL) at a root, with β ≤ ‖J⁻¹‖_F (0 if unknown).
template <Activation F>
double fp_convergence_radius(const fixed_point_system<F>& sys, const Eigen::VectorXd& x) {
  const double L = sys.jacobian_lipschitz();
  if (!std::isfinite(L) || !(L > 0.0)) return 0.0;
  const Eigen::MatrixXd J = sys.jacobian(x);
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(J);
  if (!(lu.rcond() > 1e-13)) return 0.0;
  const double beta = lu.inverse().norm();
  if (!std::isfinite(beta) || !(beta > 0.0)) return 0.0;
  return 2.0 / (3.0 * beta * L);
}

}  // namespace detail

template <Activation F>
critical_point analyse_point(const fixed_point_system<F>& system, const Eigen::Ref<const Eigen::VectorXd>& x,
                             const fixed_point_params& params) {
  params.validate();
  require_shape(x.size() == system.n_units(), "rnnlab::analyse_point", "x",
                detail::fp_text("length n_units = ", system.n_units()), x.size());
  critical_point cp;
  cp.x = x;
  const Eigen::VectorXd Fx = system.residual(cp.x);
  cp.residual = Fx.norm();
  cp.q = 0.5 * Fx.squaredNorm();
  detail::fp_classify(system, cp, params);
  return cp;
}

template <Activation F, class DX>
fixed_point_result find_fixed_points(const fixed_point_system<F>& sys, const Eigen::MatrixBase<DX>& starts,
                                     const fixed_point_params& p) {
  constexpr std::string_view fn = "rnnlab::find_fixed_points";
  p.validate();
  const Index N = sys.n_units(), K = starts.cols();
  require_shape(starts.rows() == N, fn, "starts", detail::fp_text("(", N, ", K): one start per column"),
                detail::fp_shape(starts.rows(), starts.cols()));
  require_shape(K >= 1, fn, "starts", "at least one column", K);
  require(starts.allFinite(), fn, "starts", "finite values", "NaN or infinity");

  const int n_threads = detail::fp_thread_count(p.n_threads);
  std::vector<detail::fp_iterate> its(static_cast<std::size_t>(K));
  std::vector<Index> merged_into(static_cast<std::size_t>(K), -1);  // start → start it follows
  for (Index k = 0; k < K; ++k) {
    auto& it = its[static_cast<std::size_t>(k)];
    it.x = starts.col(k).template cast<double>();
    it.Fx.resize(N);
    it.fx.resize(N);
    sys.evaluate(it.x, it.fx, it.Fx);
    it.q = 0.5 * it.Fx.squaredNorm();
    if (!std::isfinite(it.q)) {
      it.status = fp_status::non_finite;
      it.active = false;
    } else if (std::sqrt(2.0 * it.q) < p.tolerance) {
      it.status = fp_status::converged;
      it.active = false;
    }
  }

  detail::fp_thread_team team(n_threads);
  std::vector<detail::fp_workspace> work;
  work.reserve(static_cast<std::size_t>(n_threads));
  for (int t = 0; t < n_threads; ++t) work.emplace_back(N);
  fixed_point_result result;
  result.starts.resize(static_cast<std::size_t>(K));
  std::vector<double> radius;  // certified convergence radius of each root
  std::vector<bool> registered(static_cast<std::size_t>(K), false);

  // Odd systems: −x* is a root with J_F(−x*) = J_F(x*) (f′ is even), hence the same convergence
  // radius. Registered right after x* unless it lies within the uniqueness ball of a known root
  // (x* = 0, or the mirror found already).
  const bool symmetric = p.use_symmetry && sys.is_odd();
  const auto add_mirror = [&](std::size_t r) {
    const Eigen::VectorXd xm = -result.fixed_points[r].x;
    for (std::size_t s = 0; s < result.fixed_points.size(); ++s) {
      const double d = (result.fixed_points[s].x - xm).norm();
      if (d <= p.dedup_tolerance || d < 3.0 * radius[s]) return;
    }
    critical_point cp;
    cp.x = xm;
    const Eigen::VectorXd Fm = sys.residual(xm);
    cp.residual = Fm.norm();
    cp.q = 0.5 * Fm.squaredNorm();
    if (!(cp.residual < p.tolerance)) return;  // cannot happen in exact odd arithmetic; certify anyway
    cp.by_symmetry = true;
    result.fixed_points.push_back(std::move(cp));
    radius.push_back(radius[r]);
  };
  if (symmetric) {  // the origin: F(0) = α(W f(0) + c) = 0 exactly, tested like any other root
    const Eigen::VectorXd zero = Eigen::VectorXd::Zero(N);
    const Eigen::VectorXd F0 = sys.residual(zero);
    if (F0.norm() < p.tolerance) {
      critical_point cp;
      cp.x = zero;
      cp.residual = F0.norm();
      cp.q = 0.5 * F0.squaredNorm();
      cp.by_symmetry = true;
      result.fixed_points.push_back(std::move(cp));
      radius.push_back(p.capture ? detail::fp_convergence_radius(sys, zero) : 0.0);
    }
  }

  // Registers the newly certified starts (in start order, so the result never depends on threads).
  const auto register_roots = [&]() {
    for (Index k = 0; k < K; ++k) {
      auto& it = its[static_cast<std::size_t>(k)];
      auto& rec = result.starts[static_cast<std::size_t>(k)];
      if (registered[static_cast<std::size_t>(k)] || it.status != fp_status::converged || it.active) continue;
      registered[static_cast<std::size_t>(k)] = true;
      Index found = -1;
      for (std::size_t r = 0; r < result.fixed_points.size() && found < 0; ++r) {
        const double d = (result.fixed_points[r].x - it.x).norm();
        // within the uniqueness ball 2/(βL) = 3·radius there is only one root
        if (d <= p.dedup_tolerance || d < 3.0 * radius[r]) found = static_cast<Index>(r);
      }
      if (found < 0) {
        critical_point cp;
        detail::fp_polish(sys, it.x, it.Fx, work.front());
        it.q = 0.5 * it.Fx.squaredNorm();
        cp.x = it.x;
        cp.residual = std::sqrt(2.0 * it.q);
        cp.q = it.q;
        result.fixed_points.push_back(std::move(cp));
        radius.push_back(p.capture ? detail::fp_convergence_radius(sys, it.x) : 0.0);
        found = static_cast<Index>(result.fixed_points.size()) - 1;
        if (symmetric) add_mirror(static_cast<std::size_t>(found));
      }
      rec.point = found;
      ++result.fixed_points[static_cast<std::size_t>(found)].n_starts;
    }
  };
  register_roots();

  std::vector<Index> active;
  active.reserve(static_cast<std::size_t>(K));
  Eigen::VectorXd direction(N);
  {
    rng g(0x5eedf1eedULL);  // a fixed projection direction for the merge sort
    for (Index i = 0; i < N; ++i) direction(i) = standard_normal(g);
    direction.normalize();
  }
  std::vector<std::pair<double, Index>> proj;
  std::vector<Index> minima;  // starts that ended at a local minimum of q

  // Pilot: every `pilot_stride`-th start runs first, so that the roots most starts head for are
  // known (with their convergence balls) before the bulk of the starts takes its first steps.
  const Index stride = p.capture && p.pilot_stride > 1 && K >= 4 * p.pilot_stride ? p.pilot_stride : 1;
  bool pilot = stride > 1;
  for (;;) {
    active.clear();
    for (Index k = 0; k < K; ++k) {
      auto& it = its[static_cast<std::size_t>(k)];
      if (!it.active || (pilot && k % stride != 0)) continue;
      if (it.iterations >= p.max_iterations) {
        it.active = false;
        it.status = fp_status::max_iterations;
        continue;
      }
      active.push_back(k);
    }
    if (active.empty()) {
      if (!pilot) break;
      pilot = false;
      // the bulk starts now: capture those already inside a known ball before any iteration
      for (Index k = 0; k < K; ++k) {
        auto& it = its[static_cast<std::size_t>(k)];
        if (!it.active) continue;
        for (std::size_t r = 0; r < radius.size(); ++r)
          if (radius[r] > 0.0 && (result.fixed_points[r].x - it.x).norm() < radius[r]) {
            it.active = false;
            it.status = fp_status::captured;
            result.starts[static_cast<std::size_t>(k)].point = static_cast<Index>(r);
            ++result.fixed_points[r].n_starts;
            break;
          }
      }
      continue;
    }
    ++result.n_rounds;
    team.run(static_cast<Index>(active.size()), 4, [&](int t, Index i) {
      detail::fp_iterate_once(sys, its[static_cast<std::size_t>(active[static_cast<std::size_t>(i)])],
                              work[static_cast<std::size_t>(t)], p);
    });
    register_roots();
    // Capture: an iterate inside the certified convergence ball of a known root goes there.
    if (p.capture && !radius.empty()) {
      for (Index k : active) {
        auto& it = its[static_cast<std::size_t>(k)];
        if (!it.active) continue;
        for (std::size_t r = 0; r < radius.size(); ++r) {
          if (radius[r] <= 0.0) continue;
          if ((result.fixed_points[r].x - it.x).norm() < radius[r]) {
            it.active = false;
            it.status = fp_status::captured;
            auto& rec = result.starts[static_cast<std::size_t>(k)];
            rec.point = static_cast<Index>(r);
            ++result.fixed_points[r].n_starts;
            break;
          }
        }
      }
    }
    // Local minima found so far stop LM-phase iterates that come close to them.
    if (p.minimum_capture_radius > 0.0) {
      for (Index k : active) {
        const auto& it = its[static_cast<std::size_t>(k)];
        if (!it.active && it.status == fp_status::local_minimum) minima.push_back(k);
      }
      if (!minima.empty())
        for (Index k : active) {
          auto& it = its[static_cast<std::size_t>(k)];
          if (!it.active || !it.lm_phase) continue;
          for (Index m : minima)
            if ((its[static_cast<std::size_t>(m)].x - it.x).norm() < p.minimum_capture_radius) {
              it.active = false;
              merged_into[static_cast<std::size_t>(k)] = m;
              break;
            }
        }
    }
    // Merge coincident active iterates (sorted by a projection, so O(K log K)).
    if (p.merge_radius > 0.0) {
      proj.clear();
      for (Index k : active)
        if (its[static_cast<std::size_t>(k)].active)
          proj.emplace_back(direction.dot(its[static_cast<std::size_t>(k)].x), k);
      std::sort(proj.begin(), proj.end());
      for (std::size_t a = 0; a < proj.size(); ++a) {
        auto& ia = its[static_cast<std::size_t>(proj[a].second)];
        if (!ia.active) continue;
        for (std::size_t b = a + 1; b < proj.size() && proj[b].first - proj[a].first <= p.merge_radius; ++b) {
          auto& ib = its[static_cast<std::size_t>(proj[b].second)];
          if (!ib.active) continue;
          if ((ia.x - ib.x).norm() <= p.merge_radius) {
            // keep the lower start index as the leader so that the outcome is order-independent
            const Index lead = std::min(proj[a].second, proj[b].second);
            const Index follow = std::max(proj[a].second, proj[b].second);
            its[static_cast<std::size_t>(follow)].active = false;
            merged_into[static_cast<std::size_t>(follow)] = lead;
            if (follow == proj[a].second) break;
          }
        }
      }
    }
  }

  // Slow points: local minima of q under the threshold, deduplicated greedily in start order.
  for (Index k = 0; k < K; ++k) {
    const auto& it = its[static_cast<std::size_t>(k)];
    if (merged_into[static_cast<std::size_t>(k)] >= 0) continue;
    auto& rec = result.starts[static_cast<std::size_t>(k)];
    if (it.status != fp_status::local_minimum || it.q > p.slow_q_threshold) continue;
    Index found = -1;
    for (std::size_t s = 0; s < result.slow_points.size() && found < 0; ++s)
      if ((result.slow_points[s].x - it.x).norm() <= p.slow_dedup_tolerance) found = static_cast<Index>(s);
    if (found < 0) {
      critical_point cp;
      cp.x = it.x;
      cp.residual = std::sqrt(2.0 * it.q);
      cp.q = it.q;
      result.slow_points.push_back(std::move(cp));
      found = static_cast<Index>(result.slow_points.size()) - 1;
    } else if (it.q < result.slow_points[static_cast<std::size_t>(found)].q) {
      auto& sp = result.slow_points[static_cast<std::size_t>(found)];  // keep the lowest-q representative
      sp.x = it.x;
      sp.q = it.q;
      sp.residual = std::sqrt(2.0 * it.q);
    }
    rec.point = found;
    ++result.slow_points[static_cast<std::size_t>(found)].n_starts;
  }
  for (Index k = 0; k < K; ++k) {
    const auto& it = its[static_cast<std::size_t>(k)];
    auto& rec = result.starts[static_cast<std::size_t>(k)];
    rec.iterations = it.iterations;
    rec.chord_steps = it.chord_steps;
    if (merged_into[static_cast<std::size_t>(k)] < 0) {
      rec.status = it.status;
      if (it.status == fp_status::captured)
        rec.residual = result.fixed_points[static_cast<std::size_t>(rec.point)].residual;
      else
        rec.residual = std::sqrt(2.0 * it.q);
    }
  }
  // Followers share their leader's fate; a leader never follows anyone once it has ended, so
  // walking the chain terminates at a start that ended by itself.
  for (Index k = 0; k < K; ++k) {
    Index lead = merged_into[static_cast<std::size_t>(k)];
    if (lead < 0) continue;
    while (merged_into[static_cast<std::size_t>(lead)] >= 0) lead = merged_into[static_cast<std::size_t>(lead)];
    auto& rec = result.starts[static_cast<std::size_t>(k)];
    const auto& lrec = result.starts[static_cast<std::size_t>(lead)];
    rec.status = lrec.status == fp_status::converged ? fp_status::captured : lrec.status;
    rec.residual = lrec.residual;
    rec.point = lrec.point;
    if (rec.point >= 0) {
      if (lrec.status == fp_status::converged || lrec.status == fp_status::captured)
        ++result.fixed_points[static_cast<std::size_t>(rec.point)].n_starts;
      else if (lrec.status == fp_status::local_minimum)
        ++result.slow_points[static_cast<std::size_t>(rec.point)].n_starts;
    }
  }

  for (std::size_t r = 0; r < radius.size(); ++r) result.fixed_points[r].convergence_radius = radius[r];
  if (p.classify) {
    const Index nf = static_cast<Index>(result.fixed_points.size());
    const Index ns = static_cast<Index>(result.slow_points.size());
    // one dense eigensolve (≈ 1 ms at N = 50) per point: hand them out one by one
    detail::fp_parallel_dynamic(nf + ns, n_threads, 1, [&](int, Index i) {
      auto& cp = i < nf ? result.fixed_points[static_cast<std::size_t>(i)]
                        : result.slow_points[static_cast<std::size_t>(i - nf)];
      detail::fp_classify(sys, cp, p);
    });
  }
  return result;
}

template <class Scalar, Activation F, class DU, class DX>
fixed_point_result find_fixed_points(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u,
                                     const Eigen::MatrixBase<DX>& starts, const fixed_point_params& params) {
  params.validate();
  net.validate("rnnlab::find_fixed_points");
  const fixed_point_system<F> sys(net, u);
  return find_fixed_points(sys, starts, params);
}

template <class G>
Eigen::MatrixXd box_starts(Index n_units, Index n_starts, double half_width, G& g) {
  constexpr std::string_view fn = "rnnlab::box_starts";
  require_shape(n_units > 0, fn, "n_units", "> 0", n_units);
  require_shape(n_starts > 0, fn, "n_starts", "> 0", n_starts);
  require(std::isfinite(half_width) && half_width > 0.0, fn, "half_width", "a finite value > 0", half_width);
  Eigen::MatrixXd X(n_units, n_starts);
  for (Index k = 0; k < n_starts; ++k)
    for (Index i = 0; i < n_units; ++i) X(i, k) = half_width * (2.0 * uniform01(g) - 1.0);
  return X;
}

template <class Scalar, Activation F, class G>
Eigen::MatrixXd trajectory_starts(const ctrnn<Scalar, F>& net, const sequence<Scalar>& inputs, Index n_starts, G& g,
                                  double noise_std) {
  constexpr std::string_view fn = "rnnlab::trajectory_starts";
  require_shape(n_starts > 0, fn, "n_starts", "> 0", n_starts);
  require(std::isfinite(noise_std) && noise_std >= 0.0, fn, "noise_std", "a finite value >= 0", noise_std);
  const auto sim = net.simulate(inputs, simulate_options{.record_states = true});
  const Index T = sim.states.shape(0), B = sim.states.shape(1), N = net.n_units();
  Eigen::MatrixXd X(N, n_starts);
  for (Index k = 0; k < n_starts; ++k) {
    const auto t = static_cast<Index>(uniform_index(g, static_cast<std::uint64_t>(T)));
    const auto b = static_cast<Index>(uniform_index(g, static_cast<std::uint64_t>(B)));
    X.col(k) = sim.states.slice(t).col(b).template cast<double>();
    if (noise_std > 0.0)
      for (Index i = 0; i < N; ++i) X(i, k) += noise_std * standard_normal(g);
  }
  return X;
}

}  // namespace rnnlab
