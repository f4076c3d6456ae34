#pragma once
/// \file analysis/dynamics/fixed_points.hpp
/// The driver of the fixed-point analysis: starts, lock-step rounds of the solver
/// (fixed_point_solver.hpp) on any `FixedPointSystem`, merging, capture, symmetry, slow points,
/// stability. The CTRNN system is in fixed_point_system.hpp.
///
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
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string_view>
#include <utility>
#include <vector>

#include <rnnlab/analysis/concepts.hpp>
#include <rnnlab/analysis/dynamics/detail/fp_system.hpp>
#include <rnnlab/analysis/dynamics/fixed_point_solver.hpp>
#include <rnnlab/analysis/dynamics/fixed_point_system.hpp>
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

// ---------------------------------------------------------------------------------------------
// Declarations

/// Local stability of a fixed point (discrete map unless stated otherwise).
enum class stability_class : std::int32_t {
  stable = 0,    ///< every |μ| < 1: an attractor
  saddle = 1,    ///< some |μ| > 1, the others < 1 (`n_unstable` says how many)
  unstable = 2,  ///< every |μ| > 1: a repeller
  marginal = 3,  ///< some |μ| within `marginal_tolerance` of 1: not hyperbolic (line attractor, fold)
  /// some unit sits on a kink of a non-smooth f (ReLU at 0) and its one-sided linear pieces
  /// neither prove stability nor show a growing direction: undetermined (see `fp_classify_kinks`)
  non_smooth = 4,
};

/// The names of stability_class (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<stability_class, std::string_view>, 5> enum_names(stability_class) {
  return {{{stability_class::stable, "stable"},
           {stability_class::saddle, "saddle"},
           {stability_class::unstable, "unstable"},
           {stability_class::marginal, "marginal"},
           {stability_class::non_smooth, "non_smooth"}}};
}

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
  /// A root provably lies within `error_bound` of x (Newton–Kantorovich, `detail::fp_certify`).
  /// False for a point with ‖F‖ < tolerance where the Jacobian is too close to singular for the
  /// proof (a fold, a line attractor): it is reported, as `marginal`, with an estimated bound.
  bool certified = false;
  double error_bound = std::numeric_limits<double>::infinity();  ///< distance to the root (see certified)
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

/// Finds the roots of F from the given starts (N × K, one start per column).
/// `system` is any `FixedPointSystem` (analysis/concepts.hpp): the CTRNN's fixed_point_system<F>
/// or a user's model.
template <FixedPointSystem S, class DX>
fixed_point_result find_fixed_points(const S& system, const Eigen::MatrixBase<DX>& starts,
                                     const fixed_point_params& params = {});

/// Finds the fixed points of `net` under the static input `u` (length n_inputs) from `starts`
/// (N × K). A network with clamped units is solved on its free units (`free_unit_system`); the
/// points (x, slow modes) are returned in the N coordinates with the clamped values (slow-mode
/// rows 0) filled in, the eigenvalues are those of the free units' map (N − #clamped of them).
template <class Scalar, Activation F, class DU, class DX>
fixed_point_result find_fixed_points(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u,
                                     const Eigen::MatrixBase<DX>& starts, const fixed_point_params& params = {});

/// Linearisation of `system` at x: eigenvalues, stability class, slow modes (fills a critical_point).
template <FixedPointSystem S>
critical_point analyse_point(const S& system, const Eigen::Ref<const Eigen::VectorXd>& x,
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

namespace detail {

/// Whether a system can tell which units sit on a kink of a non-smooth activation (optional
/// `FixedPointSystem` members units_at_kink / jacobian_one_sided, fixed_point_system has them).
template <class S>
concept fp_has_kinks = requires(const S& s, const Eigen::VectorXd& x, const std::vector<Index>& u,
                                Eigen::MatrixXd& J) {
  { s.units_at_kink(x, 0.0) } -> std::convertible_to<std::vector<Index>>;
  s.jacobian_one_sided(x, u, std::uint64_t{0}, J);
};

/// Stability at a point where the units `kinks` sit on a kink of f (ReLU at 0), from the one-sided
/// linear pieces of the map: near x* the Euler map is continuous and piecewise linear, piece σ
/// (one side per kink unit) being M_σ = I + J_σ on the cone {x* + v : v_i on side σ_i}.
///   - A real eigenvalue μ > 1 of some M_σ whose eigenvector (or its negative) lies in piece σ's
///     own cone is a ray along which the true map grows by μ per step: not stable. If some piece
///     also has an admissible ray with 0 ≤ μ < 1 (attracting), it is a `saddle`, else `unstable`.
///   - If every piece is a contraction, ‖M_σ‖₂ < 1, the (continuous) map is one near x*: `stable`.
///   - Otherwise the pieces do not decide: `non_smooth` (undetermined), never a confident class.
/// The eigenvalues reported are those of the piece with the growing ray, else of the piece with
/// the largest spectral radius. More than 16 units on kinks: `non_smooth` without enumeration.
template <FixedPointSystem S>
void fp_classify_kinks(const S& sys, critical_point& cp, const fixed_point_params& p, const std::vector<Index>& kinks) {
  const Index N = sys.n_units();
  const double tol = p.marginal_tolerance;
  cp.stability = stability_class::non_smooth;
  if (kinks.size() > 16) return;
  const std::uint64_t n_pieces = std::uint64_t{1} << kinks.size();
  bool all_contract = true, grows = false, decays = false;
  double best_growth = 0.0, worst_radius = -1.0;
  Eigen::VectorXcd report;
  Eigen::MatrixXd M;
  const auto admissible = [&](const Eigen::VectorXd& v, std::uint64_t sides) {
    const double eps = 1e-9 * v.norm();
    for (int sign : {1, -1}) {
      bool ok = true;
      for (std::size_t k = 0; k < kinks.size() && ok; ++k) {
        const double vi = sign * v(kinks[k]);
        ok = ((sides >> k) & 1U) != 0U ? vi >= -eps : vi <= eps;
      }
      if (ok) return true;
    }
    return false;
  };
  for (std::uint64_t sides = 0; sides < n_pieces; ++sides) {
    sys.jacobian_one_sided(cp.x, kinks, sides, M);
    M.diagonal().array() += 1.0;
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(M);
    if (!(svd.singularValues()(0) < 1.0 - tol)) all_contract = false;
    Eigen::EigenSolver<Eigen::MatrixXd> es(M, true);
    if (es.info() != Eigen::Success) continue;
    const Eigen::VectorXcd ev = es.eigenvalues();
    const double rho = ev.cwiseAbs().maxCoeff();
    bool piece_grows = false;
    for (Index i = 0; i < N; ++i) {
      const std::complex<double> mu = ev(i);
      if (std::abs(mu.imag()) > 1e-12 * (1.0 + std::abs(mu)) || mu.real() < 0.0) continue;
      const Eigen::VectorXd v = es.eigenvectors().col(i).real();
      if (!admissible(v, sides)) continue;
      if (mu.real() > 1.0 + tol) {
        grows = true;
        if (mu.real() > best_growth) {
          best_growth = mu.real();
          piece_grows = true;
        }
      } else if (mu.real() < 1.0 - tol) {
        decays = true;
      }
    }
    if (piece_grows || (best_growth == 0.0 && rho > worst_radius)) {
      worst_radius = std::max(worst_radius, rho);
      report = ev;
    }
  }
  if (grows)
    cp.stability = decays ? stability_class::saddle : stability_class::unstable;
  else if (all_contract)
    cp.stability = stability_class::stable;
  if (report.size() == N) {
    std::vector<Index> order(static_cast<std::size_t>(N));
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return std::abs(report(a)) > std::abs(report(b)); });
    cp.eigenvalues.resize(N);
    for (Index i = 0; i < N; ++i) cp.eigenvalues(i) = report(order[static_cast<std::size_t>(i)]);
    cp.n_unstable = cp.n_marginal = 0;
    for (Index i = 0; i < N; ++i) {
      const double m = std::abs(cp.eigenvalues(i));
      if (std::abs(m - 1.0) <= tol)
        ++cp.n_marginal;
      else if (m > 1.0)
        ++cp.n_unstable;
    }
  }
}

/// Eigenvalues (sorted by |μ| descending) and stability of the discrete map at x.
template <FixedPointSystem S>
void fp_classify(const S& sys, critical_point& cp, const fixed_point_params& p) {
  if constexpr (fp_has_kinks<S>) {
    // a unit within the point's position error (at least 1e-12) of a kink has no derivative there
    const double kt = std::max(std::isfinite(cp.error_bound) ? cp.error_bound : 0.0, 1e-12);
    const std::vector<Index> kinks = sys.units_at_kink(cp.x, kt);
    if (!kinks.empty()) {
      fp_classify_kinks(sys, cp, p, kinks);
      return;
    }
  }
  Eigen::MatrixXd M = fp_jacobian(sys, cp.x);  // the map's Jacobian I + J_F
  M.diagonal().array() += 1.0;
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

/// Whether F(x) is zero to the precision its evaluation allows: ‖F‖ ≤ 4× its rounding bound
/// (`fp_residual_rounding`). An
/// uncertified point (Jacobian too close to singular for a proof) is reported as a (marginal) fixed
/// point only then: a fold's double root, or a line attractor, where the residual falls to rounding
/// level; a point where ‖F‖ stalls above it (1e−10 below a fold: no root there) is a slow point.
template <FixedPointSystem S>
bool fp_zero_to_working_precision(const S& sys, const Eigen::VectorXd& x, const Eigen::VectorXd& Fx) {
  return Fx.norm() <= 4.0 * fp_residual_rounding(sys, x);
}

/// A fixed point whose position error could flip its stability is marginal: if the root lies
/// within e = `error_bound` of x, J_F there differs from J_F(x) by at most L·e (L: the system's
/// Lipschitz constant), and so, to first order (exactly for a normal Jacobian), does every μ. A
/// modulus | |μ| − 1 | ≤ marginal_tolerance + L·e could be on either side of 1. An uncertified point
/// (‖F‖ < tolerance where the Jacobian is too close to singular for a proof) is marginal outright.
inline void fp_margin_check(critical_point& cp, double L, const fixed_point_params& p) {
  if (cp.eigenvalues.size() == 0 || !cp.eigenvalues.allFinite()) return;
  if (!std::isfinite(L)) return;  // a non-smooth f: its kinks are judged by fp_classify_kinks
  // an uncertified point is marginal as a whole; its counts stay those of its eigenvalues
  const double slack = cp.certified ? L * cp.error_bound : 0.0;
  Index flips = 0;
  for (Index i = 0; i < cp.eigenvalues.size() && cp.certified; ++i) {
    const double gap = std::abs(std::abs(cp.eigenvalues(i)) - 1.0);
    if (gap > p.marginal_tolerance && gap <= p.marginal_tolerance + slack) ++flips;
  }
  if (!cp.certified || flips > 0) {
    cp.stability = stability_class::marginal;
    if (flips > 0) {
      cp.n_marginal += flips;
      cp.n_unstable = 0;
      for (Index i = 0; i < cp.eigenvalues.size(); ++i)
        if (std::abs(cp.eigenvalues(i)) - 1.0 > p.marginal_tolerance + slack) ++cp.n_unstable;
    }
  }
}

/// Merges fixed points closer than `tol` transitively (single linkage on the final, polished
/// positions): a chain of points each within `tol` of the next is one point. The first-found member
/// keeps its place; it takes the position of the member with the smallest error bound (then
/// residual); n_starts add up; start records are re-pointed.
inline void fp_merge_close_points(fixed_point_result& r, double tol) {
  const std::size_t n = r.fixed_points.size();
  if (n < 2) return;
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  const auto find = [&](std::size_t a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  bool any = false;
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b)
      if ((r.fixed_points[a].x - r.fixed_points[b].x).norm() <= tol) {
        const std::size_t ra = find(a), rb = find(b);
        if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
        any = true;
      }
  if (!any) return;
  std::vector<Index> new_index(n, -1);
  std::vector<critical_point> kept;
  for (std::size_t a = 0; a < n; ++a) {
    const std::size_t root = find(a);
    if (root == a) {
      new_index[a] = static_cast<Index>(kept.size());
      kept.push_back(r.fixed_points[a]);
      continue;
    }
    new_index[a] = new_index[root];
    critical_point& k = kept[static_cast<std::size_t>(new_index[root])];
    const critical_point& c = r.fixed_points[a];
    k.n_starts += c.n_starts;
    k.by_symmetry = k.by_symmetry && c.by_symmetry;
    const bool better = (c.certified && !k.certified) ||
                        (c.certified == k.certified &&
                         (c.error_bound < k.error_bound || (c.error_bound == k.error_bound && c.residual < k.residual)));
    if (better) {
      k.x = c.x;
      k.residual = c.residual;
      k.q = c.q;
      k.certified = c.certified;
      k.error_bound = c.error_bound;
      k.convergence_radius = c.convergence_radius;
    }
  }
  for (auto& rec : r.starts)
    if (rec.point >= 0 && (rec.status == fp_status::converged || rec.status == fp_status::captured))
      rec.point = new_index[static_cast<std::size_t>(rec.point)];
  r.fixed_points = std::move(kept);
}

}  // namespace detail

template <FixedPointSystem S>
critical_point analyse_point(const S& system, const Eigen::Ref<const Eigen::VectorXd>& x,
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

template <FixedPointSystem S, class DX>
fixed_point_result find_fixed_points(const S& sys, const Eigen::MatrixBase<DX>& starts,
                                     const fixed_point_params& p) {
  constexpr std::string_view fn = "rnnlab::find_fixed_points";
  p.validate();
  const Index N = sys.n_units(), K = starts.cols();
  require_shape(starts.rows() == N, fn, "starts", detail::fp_text("(", N, ", K): one start per column"),
                detail::fp_shape(starts.rows(), starts.cols()));
  require_shape(K >= 1, fn, "starts", "at least one column", K);
  require(starts.allFinite(), fn, "starts", "finite values", "NaN or infinity");

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

  thread_team team(p.n_threads);
  const int n_threads = team.size();
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
    const detail::fp_certificate cert = detail::fp_certify(sys, xm, Fm, p.tolerance);
    cp.certified = cert.certified;
    cp.error_bound = cert.error_bound;
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
      const detail::fp_certificate cert = detail::fp_certify(sys, zero, F0, p.tolerance);
      cp.certified = cert.certified;
      cp.error_bound = cert.error_bound;
      cp.by_symmetry = true;
      result.fixed_points.push_back(std::move(cp));
      radius.push_back(p.capture && cert.certified ? detail::fp_convergence_radius(sys, zero) : 0.0);
    }
  }

  // Registers the newly certified starts (in start order, so the result never depends on threads).
  const auto register_roots = [&]() {
    for (Index k = 0; k < K; ++k) {
      auto& it = its[static_cast<std::size_t>(k)];
      auto& rec = result.starts[static_cast<std::size_t>(k)];
      if (registered[static_cast<std::size_t>(k)] || it.status != fp_status::converged || it.active) continue;
      registered[static_cast<std::size_t>(k)] = true;
      // polish first, then compare final positions (two starts stopped 1e-5 apart near a fold
      // may be at one root, or at two)
      detail::fp_polish(sys, it.x, it.Fx, work.front());
      it.q = 0.5 * it.Fx.squaredNorm();
      const detail::fp_certificate cert = detail::fp_certify(sys, it.x, it.Fx, p.tolerance);
      if (!cert.certified && !detail::fp_zero_to_working_precision(sys, it.x, it.Fx)) {
        // no proof and ‖F‖ stuck above rounding level with J near-singular: the ghost of a fold
        // (a minimum of q with q > 0), or a root we cannot tell from one. A slow point, not a root.
        it.status = fp_status::local_minimum;
        rec.point = -1;
        continue;
      }
      Index found = -1;
      for (std::size_t r = 0; r < result.fixed_points.size() && found < 0; ++r) {
        const double d = (result.fixed_points[r].x - it.x).norm();
        // within the uniqueness ball 2/(βL) = 3·radius of a certified root there is only one root
        if (d <= p.dedup_tolerance || (cert.certified && d < 3.0 * radius[r])) found = static_cast<Index>(r);
      }
      if (found < 0) {
        critical_point cp;
        cp.x = it.x;
        cp.residual = std::sqrt(2.0 * it.q);
        cp.q = it.q;
        cp.certified = cert.certified;
        cp.error_bound = cert.error_bound;
        result.fixed_points.push_back(std::move(cp));
        radius.push_back(p.capture && cert.certified ? detail::fp_convergence_radius(sys, it.x) : 0.0);
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
    parallel_dynamic(team, static_cast<Index>(active.size()), 4, [&](int t, Index i) {
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
  detail::fp_merge_close_points(result, p.dedup_tolerance);
  if (p.classify) {
    const Index nf = static_cast<Index>(result.fixed_points.size());
    const Index ns = static_cast<Index>(result.slow_points.size());
    // one dense eigensolve (≈ 1 ms at N = 50) per point: hand them out one by one
    parallel_dynamic(team, nf + ns, 1, [&](int, Index i) {
      auto& cp = i < nf ? result.fixed_points[static_cast<std::size_t>(i)]
                        : result.slow_points[static_cast<std::size_t>(i - nf)];
      detail::fp_classify(sys, cp, p);
      if (i < nf) detail::fp_margin_check(cp, sys.jacobian_lipschitz(), p);
    });
  }
  return result;
}

template <class Scalar, Activation F, class DU, class DX>
fixed_point_result find_fixed_points(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u,
                                     const Eigen::MatrixBase<DX>& starts, const fixed_point_params& params) {
  params.validate();
  net.validate("rnnlab::find_fixed_points");
  if (net.clamped_units().empty()) {
    const fixed_point_system<F> sys(net, u);
    return find_fixed_points(sys, starts, params);
  }
  // Clamped units (Miconi's bias units) have no dynamics: F has no root in their coordinates.
  // Solve on the free units, then give every point in the network's N coordinates.
  const free_unit_reduction red(net);
  require_shape(starts.rows() == net.n_units(), "rnnlab::find_fixed_points", "starts",
                detail::fp_text("N = ", net.n_units(), " rows"), starts.rows());
  const fixed_point_system<F> sys = free_unit_system(net, u);
  fixed_point_result r = find_fixed_points(sys, red.reduce(starts), params);
  for (auto* points : {&r.fixed_points, &r.slow_points})
    for (critical_point& cp : *points) {
      cp.x = red.expand(cp.x);
      if (cp.slow_modes.size() != 0) {
        Eigen::MatrixXcd full = Eigen::MatrixXcd::Zero(net.n_units(), cp.slow_modes.cols());
        for (std::size_t k = 0; k < red.free.size(); ++k) full.row(red.free[k]) = cp.slow_modes.row(static_cast<Index>(k));
        cp.slow_modes = std::move(full);
      }
    }
  return r;
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
