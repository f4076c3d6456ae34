#pragma once
/// \file analysis/dynamics/fixed_point_system.hpp
/// The CTRNN as a `FixedPointSystem` (analysis/concepts.hpp): for a static input u the Euler map
/// x ↦ x + F(x) of the network has the increment
///
///     F(x) = α (−x + W_rec f(x) + W_in u + b),     J_F(x) = α (W_rec diag f′(x) − I)
///
/// (McMahan et al. 2021, Sec. 2.4, Eq. 5). `fixed_point_system<F>` holds W_rec, c = W_in u + b and α
/// in double, the Gram matrix WᵀW for the Levenberg–Marquardt normal equations in O(N²), and the
/// Lipschitz constant L = α‖W_rec‖₂ sup|f″| of J_F that sizes the certified Newton balls. The
/// solver (fixed_point_solver.hpp) and the driver (fixed_points.hpp) take any `FixedPointSystem`;
/// this is the one the library ships.

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include <rnnlab/analysis/concepts.hpp>
#include <rnnlab/analysis/dynamics/detail/fp_system.hpp>
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/fast_math.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

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
  /// no allocation). `FixedPointSystem`: the cache is the rates f(x).
  void evaluate(const Eigen::VectorXd& x, Eigen::VectorXd& fx, Eigen::VectorXd& out) const;
  /// `FixedPointSystem`: J_F(x) from the cache f(x) of `evaluate` (= jacobian_from_rates).
  void jacobian_from_cache(const Eigen::VectorXd& x, const Eigen::VectorXd& fx, Eigen::Ref<Eigen::MatrixXd> J) const {
    jacobian_from_rates(x, fx.array(), J);
  }
  /// `FixedPointSystem` (optional): JᵀJ and JᵀF from the cache f(x) (= normal_equations_from_rates).
  void normal_equations_from_cache(const Eigen::VectorXd& x, const Eigen::VectorXd& fx, const Eigen::VectorXd& Fx,
                                   Eigen::MatrixXd& JtJ, Eigen::VectorXd& JtF, Eigen::VectorXd& d) const {
    normal_equations_from_rates(x, fx.array(), Fx, JtJ, JtF, d);
  }
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
  /// `FixedPointSystem` (optional): a bound on the rounding error of `evaluate` at x, ‖fl(F(x)) −
  /// F(x)‖₂ (standard dot-product error analysis: α u ((N + 3)(|W| |f(x)|)ᵢ + |xᵢ| + |cᵢ|) per
  /// component, u the unit roundoff, with the activation's own error folded into the factor).
  /// The certificate adds it to ‖F‖, so that a residual rounded to 0 proves nothing on its own.
  double residual_rounding(const Eigen::VectorXd& x) const;
  /// `FixedPointSystem` (optional, non-smooth activations): the units whose state x_i lies within
  /// `tol` of a kink of f (`F::kinks`), where f′ exists only one-sided. Empty for a smooth f.
  std::vector<Index> units_at_kink(const Eigen::VectorXd& x, double tol) const;
  /// J_F(x) with, for each unit `units[k]` (on a kink), f′ taken from the right of the kink if bit
  /// k of `sides` is set and from the left otherwise: the Jacobian of one linear piece at x.
  void jacobian_one_sided(const Eigen::VectorXd& x, const std::vector<Index>& units, std::uint64_t sides,
                          Eigen::MatrixXd& J) const;
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

/// The free (not clamped) units of a network with clamped units, and the maps between the network's
/// N coordinates and the free ones: `reduce` keeps the free rows, `expand` fills the clamped
/// coordinates with their values.
struct free_unit_reduction {
  std::vector<Index> free;     ///< the free units, ascending
  Eigen::VectorXd full;        ///< length N: the clamped values at the clamped units, 0 elsewhere

  template <class Scalar, Activation F>
  explicit free_unit_reduction(const ctrnn<Scalar, F>& net) : full(Eigen::VectorXd::Zero(net.n_units())) {
    std::vector<bool> clamped(static_cast<std::size_t>(net.n_units()), false);
    for (const clamped_unit& c : net.clamped_units()) {
      clamped[static_cast<std::size_t>(c.unit)] = true;
      full(c.unit) = c.value;
    }
    for (Index i = 0; i < net.n_units(); ++i)
      if (!clamped[static_cast<std::size_t>(i)]) free.push_back(i);
  }
  /// The free rows of X (N × K).
  template <class D>
  Eigen::MatrixXd reduce(const Eigen::MatrixBase<D>& X) const {
    Eigen::MatrixXd out(static_cast<Index>(free.size()), X.cols());
    for (std::size_t k = 0; k < free.size(); ++k) out.row(static_cast<Index>(k)) = X.row(free[k]).template cast<double>();
    return out;
  }
  /// A state of the free units as an N-vector with the clamped values.
  Eigen::VectorXd expand(const Eigen::Ref<const Eigen::VectorXd>& x) const {
    Eigen::VectorXd out = full;
    for (std::size_t k = 0; k < free.size(); ++k) out(free[k]) = x(static_cast<Index>(k));
    return out;
  }
};

/// The increment F restricted to the free units of a network with clamped units (Miconi's bias
/// units): with Φ the free units and C the clamped ones held at v,
///     F_Φ(x_Φ) = α (−x_Φ + W_ΦΦ f(x_Φ) + W_ΦC f(v) + W_in,Φ u + b_Φ),
/// the standard system of `fixed_point_system` on N − |C| units (the clamped units' contribution is
/// a constant drive). Identical to `fixed_point_system(net, u)` when nothing is clamped. Throws
/// argument_error for a network with output feedback, shape_error for a u of the wrong length.
template <class Scalar, Activation F, class DU>
fixed_point_system<F> free_unit_system(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u) {
  constexpr std::string_view fn = "rnnlab::free_unit_system";
  require(!net.has_feedback(), fn, "net", "a network without output feedback", "one with W_fb");
  require_shape(u.size() == net.n_inputs() && (u.cols() == 1 || u.rows() == 1), fn, "u",
                detail::fp_text("a vector of length n_inputs = ", net.n_inputs()), detail::fp_shape(u.rows(), u.cols()));
  const free_unit_reduction red(net);
  require(!red.free.empty(), fn, "net", "at least one unit that is not clamped", "every unit clamped");
  const auto& p = net.parameters();
  const Eigen::MatrixXd W = p.W_rec.template cast<double>();
  const Eigen::VectorXd ud = u.derived().template cast<double>().reshaped();
  require(ud.allFinite(), fn, "u", "finite values", "NaN or infinity");
  Eigen::VectorXd c_full = p.W_in.template cast<double>() * ud + p.b.template cast<double>();
  Eigen::VectorXd f_clamped = Eigen::VectorXd::Zero(net.n_units());
  for (const clamped_unit& c : net.clamped_units()) f_clamped(c.unit) = F::value(c.value);
  c_full.noalias() += W * f_clamped;
  const auto n = static_cast<Index>(red.free.size());
  Eigen::MatrixXd Wf(n, n);
  Eigen::VectorXd cf(n);
  for (Index a = 0; a < n; ++a) {
    cf(a) = c_full(red.free[static_cast<std::size_t>(a)]);
    for (Index b2 = 0; b2 < n; ++b2) Wf(a, b2) = W(red.free[static_cast<std::size_t>(a)], red.free[static_cast<std::size_t>(b2)]);
  }
  return fixed_point_system<F>(std::move(Wf), std::move(cf), static_cast<double>(net.alpha()));
}

// ---------------------------------------------------------------------------------------------
// Definitions

template <Activation F>
template <class Scalar, class DU>
fixed_point_system<F>::fixed_point_system(const ctrnn<Scalar, F>& net, const Eigen::MatrixBase<DU>& u) {
  constexpr std::string_view fn = "rnnlab::fixed_point_system";
  require(!net.has_feedback() && net.clamped_units().empty(), fn, "net",
          "a network without output feedback or clamped units (for clamped units: free_unit_system)", "one with them");
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

template <Activation F>
double fixed_point_system<F>::residual_rounding(const Eigen::VectorXd& x) const {
  Eigen::VectorXd fx(x.size());
  detail::apply_activation<F>(x.data(), fx.data(), x.size());
  const double u = std::numeric_limits<double>::epsilon();
  const double n = static_cast<double>(x.size()) + 3.0;
  const Eigen::VectorXd e = m_alpha * u * (n * (m_W.cwiseAbs() * fx.cwiseAbs()) + x.cwiseAbs() + m_c.cwiseAbs());
  return e.norm();
}

template <Activation F>
std::vector<Index> fixed_point_system<F>::units_at_kink(const Eigen::VectorXd& x, double tol) const {
  std::vector<Index> out;
  if constexpr (!F::is_smooth) {
    for (Index i = 0; i < x.size(); ++i)
      for (const double k : F::kinks)
        if (std::abs(x(i) - k) <= tol) {
          out.push_back(i);
          break;
        }
  }
  return out;
}

template <Activation F>
void fixed_point_system<F>::jacobian_one_sided(const Eigen::VectorXd& x, const std::vector<Index>& units,
                                               std::uint64_t sides, Eigen::MatrixXd& J) const {
  J.resize(n_units(), n_units());
  Eigen::ArrayXd d(x.size());
  for (Index i = 0; i < x.size(); ++i) d(i) = F::derivative(x(i));
  for (std::size_t k = 0; k < units.size(); ++k) {
    const Index i = units[k];
    // one-sided slope: f′ a little to the chosen side of the kink (f is linear on each side
    // near the kink for the piecewise-linear activations; a relative step of 1e-9 otherwise)
    const double h = 1e-9 * (1.0 + std::abs(x(i)));
    d(i) = F::derivative(((sides >> k) & 1U) != 0U ? x(i) + h : x(i) - h);
  }
  J.array() = m_W.array().rowwise() * (m_alpha * d).transpose();
  J.diagonal().array() -= m_alpha;
}

static_assert(FixedPointSystem<fixed_point_system<activations::tanh>>);
static_assert(FixedPointSystem<fixed_point_system<activations::one_plus_tanh>>);
static_assert(FixedPointSystem<fixed_point_system<activations::relu>>);
static_assert(FixedPointSystem<fixed_point_system<activations::softplus>>);

}  // namespace rnnlab
