#pragma once
/// \file learning/rls.hpp
/// Recursive least squares (RLS), the core of FORCE (Sussillo & Abbott 2009, Eq. 4–5) and
/// full-FORCE (DePasquale et al. 2018, Eq. 9–10).
///
/// For readout rows w_i (any number of them sharing the regressor r_t ∈ ℝⁿ), RLS minimises
///
///     Σ_t ‖W r_t − d_t‖² + α ‖W‖_F²
///
/// online. With P₀ = I/α (the inverse of the regularised correlation matrix), at each update
///
///     e_t = W r_t − d_t                            (the a-priori error, before the change)
///     k_t = P r_t / (1 + r_tᵀ P r_t)               (the gain)
///     P  ← P − P r_t r_tᵀ P / (1 + r_tᵀ P r_t)     (= (α I + Σ_s r_s r_sᵀ)⁻¹ after the update)
///     W  ← W − e_t k_tᵀ
///
/// after which W equals the batch solution W = (Σ_s d_s r_sᵀ)(α I + Σ_s r_s r_sᵀ)⁻¹ exactly (in
/// exact arithmetic; tests/learning/rls.test.cpp checks it to 1e-10 in double).
///
/// Numerics: P is held in double whatever the network's scalar type, and only its lower triangle
/// is stored and updated (a symmetric rank-1 update), so P is symmetric by construction. Before P
/// changes, the update checks that 1 + rᵀPr is finite and > 0 and that every diagonal entry of
/// the new P stays > 0 (necessary for positive definiteness); otherwise it returns
/// `rls_status::not_positive_definite` and leaves P (and the gain) as they were, so a caller keeps
/// the last good state instead of propagating NaNs.

#include <Eigen/Core>

#include <cmath>
#include <string_view>

#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// The outcome of one RLS update.
enum class rls_status {
  ok,                     ///< P and the gain were updated
  not_positive_definite,  ///< 1 + rᵀPr ≤ 0 or not finite, or a diagonal entry of P would drop to ≤ 0: nothing changed
};

/// The names of rls_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<rls_status, std::string_view>, 2> enum_names(rls_status) {
  return {{{rls_status::ok, "ok"}, {rls_status::not_positive_definite, "not_positive_definite"}}};
}

/// The inverse correlation matrix P of recursive least squares and its gain (see the file
/// comment). Shared by every row of the weights it trains (full-FORCE trains W_rec and W_out
/// with one P, as DePasquale et al. and the reference code do).
class rls {
public:
  rls() = default;

  /// P = I/α for regressors of length n. Throws argument_error unless n ≥ 1 and α is finite and > 0.
  rls(Index n, double alpha) { reset(n, alpha); }

  /// Restarts from P = I/α.
  void reset(Index n, double alpha) {
    constexpr std::string_view fn = "rnnlab::rls::reset";
    require(n >= 1, fn, "n", ">= 1", n);
    require(std::isfinite(alpha) && alpha > 0, fn, "alpha", "a finite value > 0 (P0 = I / alpha)", alpha);
    m_P = Eigen::MatrixXd::Identity(n, n) / alpha;
    m_Pr.setZero(n);
    m_k.setZero(n);
    m_alpha = alpha;
    m_updates = 0;
  }

  Index size() const noexcept { return m_P.rows(); }
  double alpha() const noexcept { return m_alpha; }
  /// Updates accepted since the last reset.
  long long updates() const noexcept { return m_updates; }

  /// P as a full symmetric matrix (a copy; the class stores the lower triangle only).
  Eigen::MatrixXd covariance() const {
    Eigen::MatrixXd full = m_P.selfadjointView<Eigen::Lower>();
    return full;
  }

  /// The gain k = P_old r / (1 + rᵀ P_old r) of the last accepted update (= P_new r).
  const Eigen::VectorXd& gain() const noexcept { return m_k; }

  /// One update with regressor r (length n, any scalar type): computes the gain and P ← P − P r
  /// rᵀ P / (1 + rᵀ P r). Allocation-free. Returns not_positive_definite (and changes nothing)
  /// on numerical trouble; throws shape_error for a regressor of another length.
  template <class D>
  rls_status update(const Eigen::MatrixBase<D>& r) {
    const Index n = size();
    if (r.size() != n)
      require_shape(false, "rnnlab::rls::update", "r", detail::concat("a vector of length ", n), r.size());
    m_r = r.derived().template cast<double>().reshaped();
    m_Pr.noalias() = m_P.selfadjointView<Eigen::Lower>() * m_r;
    const double denom = 1.0 + m_r.dot(m_Pr);
    if (!(std::isfinite(denom) && denom > 0.0)) return rls_status::not_positive_definite;
    const double c = 1.0 / denom;
    // The new diagonal P_ii − c (P r)_i² must stay > 0.
    if (!((m_P.diagonal().array() - c * m_Pr.array().square()) > 0.0).all()) return rls_status::not_positive_definite;
    m_P.selfadjointView<Eigen::Lower>().rankUpdate(m_Pr, -c);
    m_k = c * m_Pr;
    ++m_updates;
    return rls_status::ok;
  }

  /// W ← W − e kᵀ with the last gain: W is rows × n (any scalar type), e has one entry per row.
  template <class DW, class DE>
  void correct(Eigen::MatrixBase<DW>& W, const Eigen::MatrixBase<DE>& e) const {
    using S = typename DW::Scalar;
    if (W.cols() != size() || e.size() != W.rows())
      require_shape(false, "rnnlab::rls::correct", "W, e", detail::concat("W (rows, ", size(), ") and e of length rows"),
                    detail::concat("W (", W.rows(), ", ", W.cols(), "), e of length ", e.size()));
    // An explicit loop (column by column, W is column-major) rather than the outer-product expression
    // of the cast e and k: allocation-free for any scalar mix, and GCC 12 at -O3 mis-diagnoses that
    // expression's packet loads from a fixed-size e as out of bounds (-Warray-bounds, an error here).
    const auto ev = e.derived().reshaped();
    auto& Wd = W.derived();
    for (Index j = 0; j < Wd.cols(); ++j) {
      const double kj = m_k(j);
      for (Index i = 0; i < Wd.rows(); ++i) Wd(i, j) -= static_cast<S>(static_cast<double>(ev(i)) * kj);
    }
  }
  template <class DW, class DE>
  void correct(Eigen::MatrixBase<DW>&& W, const Eigen::MatrixBase<DE>& e) const {
    correct(W, e);
  }

  /// What a checkpoint stores: P, α and the update count.
  template <class Ar>
  void serialize(Ar& ar) {
    ar(m_P);
    ar(m_alpha);
    ar(m_updates);
  }

private:
  Eigen::MatrixXd m_P;   // lower triangle meaningful
  Eigen::VectorXd m_r, m_Pr, m_k;
  double m_alpha = 1.0;
  long long m_updates = 0;
};

}  // namespace rnnlab
