#pragma once
/// \file ibl/fixed_points.hpp
/// Fixed points of the vanilla IBL network (ibl/network.hpp) under a static input u, found and
/// certified by the library's solver (analysis/dynamics/fixed_points.hpp; Schaeffer et al. 2020,
/// Sec. 3.3 / Fig. 7; reference_code_spec 2.4, which minimises ‖RNN(h) − h‖ by SGD instead).
///
/// The network's map h ↦ tanh(W_rec h + c), c = W_in u + b, is written in its pre-activation
/// x = W_rec h + c: then x ↦ W_rec tanh(x) + c, whose fixed points are the roots of
///
///     F(x) = −x + W_rec tanh(x) + c          (the CTRNN increment of fixed_point_system with α = 1)
///
/// and h* = tanh(x*) is a fixed point of the network (h* = tanh(W h* + c) ⇔ x* = W tanh(x*) + c).
/// The Jacobians of the two maps, W diag f′(x*) and diag f′(x*) W, have the same eigenvalues μ, so the
/// solver's discrete-map stability (|μ| < 1 stable) is the network's. A start h₀ is mapped to
/// x₀ = W_rec h₀ + c (the pre-activation of one network step from h₀).

#include <Eigen/Core>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/ibl/network.hpp>

namespace rnnlab {

/// Fixed points of an IBL network: the solver's result in pre-activation coordinates and the
/// network states h* = tanh(x*) of its certified fixed points (N × P, in the result's order).
struct ibl_fixed_point_result {
  fixed_point_result result;
  Eigen::MatrixXd states;
};

/// The IBL network `p` as a `FixedPointSystem` in pre-activation coordinates under input u (3).
inline fixed_point_system<activations::tanh> ibl_fixed_point_system(const ctrnn_parameters<double>& p,
                                                                    const Eigen::VectorXd& u) {
  constexpr const char* fn = "rnnlab::ibl_fixed_point_system";
  detail::ibl_check_network(p, fn);
  require_shape(u.size() == 3, fn, "u", "3 inputs (o_L, o_R, r)", u.size());
  require(u.allFinite(), fn, "u", "finite values", "NaN or infinity");
  return fixed_point_system<activations::tanh>(p.W_rec, p.W_in * u + p.b, 1.0);
}

/// Finds the fixed points of `p` under u from network states `starts_h` (N × K; e.g.
/// ibl_plane_grid_starts). Throws shape_error / argument_error for mismatched or non-finite input;
/// non-convergence is in the result's per-start statuses.
template <class DX>
ibl_fixed_point_result ibl_find_fixed_points(const ctrnn_parameters<double>& p, const Eigen::VectorXd& u,
                                             const Eigen::MatrixBase<DX>& starts_h,
                                             const fixed_point_params& params = {}) {
  constexpr const char* fn = "rnnlab::ibl_find_fixed_points";
  const auto sys = ibl_fixed_point_system(p, u);
  require_shape(starts_h.rows() == p.n_units() && starts_h.cols() > 0, fn, "starts_h",
                detail::concat(p.n_units(), " × K (K > 0)"), detail::concat(starts_h.rows(), " × ", starts_h.cols()));
  const Eigen::MatrixXd H0 = starts_h.template cast<double>();
  require(H0.allFinite(), fn, "starts_h", "finite values", "NaN or infinity");
  const Eigen::MatrixXd X0 = (p.W_rec * H0).colwise() + sys.drive();
  ibl_fixed_point_result r{find_fixed_points(sys, X0, params), {}};
  r.states.resize(p.n_units(), static_cast<Index>(r.result.fixed_points.size()));
  for (std::size_t k = 0; k < r.result.fixed_points.size(); ++k)
    r.states.col(static_cast<Index>(k)) = r.result.fixed_points[k].x.array().tanh().matrix();
  return r;
}

}  // namespace rnnlab
