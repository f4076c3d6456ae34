#pragma once
/// \file ibl/representation.hpp
/// How a trained IBL network represents its two latent variables (Schaeffer et al. 2020, Sec. 3.2,
/// Fig. 4; reference_code_spec 2.4):
///
/// - a recording of a session (hidden states h_t, inputs, action probabilities, per-step block and
///   stimulus sides) — `ibl_record`;
/// - PCA of the hidden states with 2 components (the paper: 88.7 % of the variance);
/// - the stimulus ("trial") readout = the right-action row of W_out, normalised (reference 2.4: not
///   right − left), its fraction in the PCA plane ‖C₂ᵀ v‖² / ‖v‖² (C₂ = the two PCA axes, N × 2);
///   PC1's sign is flipped when the readout's projection on it is negative (reference 2.4);
/// - block-side logistic classifiers (analysis/logistic.hpp) on the N-D states and on the 2-D PCA
///   states, seeded held-out split (the paper: 82.6 % and 82.5 %);
/// - the block readout = the plane classifier's normalised coefficients, and in unit space C₂ v
///   normalised (the reference's `inverse_transform` also adds the PCA mean — a quirk not reproduced);
/// - angles between the readouts in unit space and in the plane (the paper: 73° and 68°);
/// - task-aligned coordinates z_t = [v̂_trial; v_block] · pc_t (2 × T, a non-orthogonal basis of the
///   plane; v̂_trial = the trial readout's plane projection, normalised).
///
/// Layout: states are N × T (units × steps). Sides are ±1 (−1 left, +1 right); classifier labels
/// 1 = right block.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <rnnlab/analysis/logistic.hpp>
#include <rnnlab/analysis/radd.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/ibl/network.hpp>
#include <rnnlab/tasks/ibl.hpp>

namespace rnnlab {

/// A session played by an IBL network, every step recorded (column t = step t, 0-based).
struct ibl_recording {
  Eigen::MatrixXd hidden;                ///< h_t after step t, N × T
  Eigen::MatrixXd inputs;                ///< (o_L, o_R, r) at step t, 3 × T
  Eigen::MatrixXd action_probabilities;  ///< (p_left, p_right) at step t, 2 × T
  std::vector<int> block_side;           ///< b of step t's trial (±1)
  std::vector<int> stimulus_side;        ///< s of step t's trial (±1)
  std::vector<int> trial;                ///< trial index of step t
  std::vector<char> blank;               ///< 1 on blank steps (o = (0, 0))
  std::vector<char> trial_end;           ///< 1 on the step that ended its trial
  ibl_session session;
  std::vector<ibl_trial_outcome> trials;
  Index n_steps() const noexcept { return hidden.cols(); }
};

/// Plays `session` in `env` with a step function `step(h, x) → h'` from state h0 and readout
/// `probabilities(h') → (p_left, p_right)`, recording every step (the loop of ibl_run_network).
template <class Step, class Readout>
ibl_recording ibl_record_agent(Step&& step, Readout&& probabilities, const Eigen::VectorXd& h0, ibl_environment& env,
                               ibl_session session) {
  std::vector<Eigen::VectorXd> hs;
  std::vector<std::array<double, 3>> xs;
  std::vector<std::array<double, 2>> ps;
  ibl_recording r;
  Eigen::VectorXd h = h0, x(3);
  auto obs = env.reset(std::move(session));
  for (;;) {
    const std::size_t n = env.trial_index();
    const auto& trial = env.session().trials[n];
    xs.push_back(obs);
    r.block_side.push_back(trial.block_side);
    r.stimulus_side.push_back(trial.stimulus_side);
    r.trial.push_back(static_cast<int>(n));
    r.blank.push_back(env.blank_step() ? 1 : 0);
    x << obs[0], obs[1], obs[2];
    h = step(h, x);
    hs.push_back(h);
    const std::array<double, 2> a = probabilities(h);
    ps.push_back(a);
    const auto s = env.step(a);
    r.trial_end.push_back(env.trial_index() != n ? 1 : 0);
    if (s.done) break;
    obs = s.observation;
  }
  const auto T = static_cast<Index>(hs.size());
  r.hidden.resize(h0.size(), T);
  r.inputs.resize(3, T);
  r.action_probabilities.resize(2, T);
  for (Index t = 0; t < T; ++t) {
    const auto k = static_cast<std::size_t>(t);
    r.hidden.col(t) = hs[k];
    r.inputs.col(t) << xs[k][0], xs[k][1], xs[k][2];
    r.action_probabilities.col(t) << ps[k][0], ps[k][1];
  }
  r.session = env.session();
  r.trials = env.trials();
  return r;
}

/// Plays `session` with the vanilla IBL network `p` (ibl/network.hpp; h = 0 at the start), recording
/// every step. Throws shape_error if `p` is not a 3 → 2 network.
inline ibl_recording ibl_record(const ctrnn_parameters<double>& p, ibl_environment& env, ibl_session session) {
  detail::ibl_check_network(p, "rnnlab::ibl_record");
  return ibl_record_agent(
      [&](const Eigen::VectorXd& h, const Eigen::VectorXd& x) -> Eigen::VectorXd {
        return (p.W_rec * h + p.W_in * x + p.b).array().tanh().matrix();
      },
      [&](const Eigen::VectorXd& h) { return detail::ibl_softmax2(p, h); }, Eigen::VectorXd::Zero(p.n_units()), env,
      std::move(session));
}

/// The readout scale of a RADD model as an IBL agent in the reference (2.5): s = √N ‖W_out‖_F / √2
/// of the N-unit network it was distilled from (the paper calls it a free parameter).
inline double ibl_radd_readout_scale(const ctrnn_parameters<double>& p) {
  return std::sqrt(static_cast<double>(p.n_units())) * p.W_out.norm() / std::sqrt(2.0);
}

/// Plays `session` with a 2-unit RADD model (analysis/radd.hpp, inputs (o_L, o_R, r)) as the agent
/// (Sec. 3.3.3, Fig. 8b; reference 2.5): ẑ_t = tanh(A ẑ_{t−1} + B x_t + c) from ẑ = 0, action
/// logits s·(−ẑ_1, ẑ_1) (readout s[[−1, 0], [1, 0]], bias 0: the first unit is the stimulus
/// coordinate). The recording's `hidden` holds ẑ (2 × T). Throws for a model that is not 2 units
/// with 3 inputs, or a readout scale that is not finite and > 0.
inline ibl_recording ibl_record_radd(const radd_model& m, double readout_scale, ibl_environment& env,
                                     ibl_session session) {
  constexpr std::string_view fn = "rnnlab::ibl_record_radd";
  require_shape(m.n_units() == 2 && m.n_inputs() == 3 && m.A.cols() == 2 && m.c.size() == 2, fn, "model",
                "a 2-unit model with 3 inputs", detail::concat(m.n_units(), " units, ", m.n_inputs(), " inputs"));
  require(std::isfinite(readout_scale) && readout_scale > 0, fn, "readout_scale", "a finite value > 0", readout_scale);
  return ibl_record_agent(
      [&](const Eigen::VectorXd& z, const Eigen::VectorXd& x) -> Eigen::VectorXd {
        return (m.A * z + m.B * x + m.c).array().tanh().matrix();
      },
      [&](const Eigen::VectorXd& z) {
        const double l = -readout_scale * z(0), r = readout_scale * z(0), mx = std::max(l, r);
        const double el = std::exp(l - mx), er = std::exp(r - mx);
        return std::array<double, 2>{el / (el + er), er / (el + er)};
      },
      Eigen::VectorXd::Zero(2), env, std::move(session));
}

/// Fraction of correct actions among a recording's trials that ended by an action.
inline double ibl_fraction_correct(const ibl_recording& r) {
  std::size_t actions = 0, correct = 0;
  for (const auto& t : r.trials) {
    actions += t.action != 0;
    correct += t.action != 0 && t.correct;
  }
  return actions ? static_cast<double>(correct) / static_cast<double>(actions) : 0.0;
}

/// The angle between two vectors in degrees, in [0, 180]. Throws argument_error for a zero or
/// non-finite vector, shape_error for different sizes.
inline double angle_degrees(const Eigen::Ref<const Eigen::VectorXd>& u, const Eigen::Ref<const Eigen::VectorXd>& v) {
  constexpr std::string_view fn = "rnnlab::angle_degrees";
  require_shape(u.size() == v.size() && u.size() > 0, fn, "v", detail::concat(u.size(), " values (as u)"), v.size());
  require(u.allFinite() && v.allFinite(), fn, "u, v", "finite values", "NaN or infinity");
  const double nu = u.norm(), nv = v.norm();
  require(nu > 0 && nv > 0, fn, "u, v", "non-zero vectors", detail::concat("norms ", nu, ", ", nv));
  const double c = std::clamp(u.dot(v) / (nu * nv), -1.0, 1.0);
  return std::acos(c) * 180.0 / std::numbers::pi;
}

/// The fraction of v's squared length inside the span of the orthonormal columns of C (N × k):
/// ‖Cᵀ v‖² / ‖v‖². Throws for mismatched sizes or a zero v.
inline double fraction_in_subspace(const Eigen::Ref<const Eigen::MatrixXd>& C, const Eigen::Ref<const Eigen::VectorXd>& v) {
  constexpr std::string_view fn = "rnnlab::fraction_in_subspace";
  require_shape(C.rows() == v.size(), fn, "v", detail::concat(C.rows(), " values (rows of C)"), v.size());
  require(v.allFinite() && C.allFinite(), fn, "C, v", "finite values", "NaN or infinity");
  const double n2 = v.squaredNorm();
  require(n2 > 0, fn, "v", "a non-zero vector", "zero");
  return (C.transpose() * v).squaredNorm() / n2;
}

/// Parameters of `ibl_representation_analysis`.
struct ibl_representation_params {
  logistic_params classifier{};  ///< the reference: no intercept, no penalty
  double test_fraction = 0.33;   ///< held out (reference 67/33)
  std::uint64_t seed = 1;        ///< the split (make_stream(seed, 0, analysis))
};

/// What `ibl_representation_analysis` finds (file comment).
struct ibl_representation {
  Eigen::VectorXd mean;                  ///< PCA mean of h (N)
  Eigen::MatrixXd axes;                  ///< C₂: PCA axes (N × 2, PC1 sign as in the file comment)
  Eigen::VectorXd explained_variance_ratio;  ///< per PC (2)
  double explained_variance_2 = 0;       ///< sum of the two
  Eigen::MatrixXd pcs;                   ///< C₂ᵀ (h_t − mean), 2 × T
  Eigen::VectorXd trial_readout;         ///< unit-space stimulus readout, unit length (N)
  Eigen::VectorXd trial_readout_plane;   ///< C₂ᵀ trial_readout normalised (2)
  double trial_readout_fraction_in_plane = 0;
  logistic_holdout_result block_classifier_full;   ///< on h_t (N-D)
  logistic_holdout_result block_classifier_plane;  ///< on pc_t (2-D)
  Eigen::VectorXd block_readout_plane;   ///< plane classifier's w, normalised (2)
  Eigen::VectorXd block_readout;         ///< C₂ block_readout_plane, normalised (N)
  double angle_full_degrees = 0;         ///< ∠(trial_readout, block_readout)
  double angle_plane_degrees = 0;        ///< ∠(trial_readout_plane, block_readout_plane)
  Eigen::MatrixXd task_aligned;          ///< z_t = [trial_readout_planeᵀ; block_readout_planeᵀ] pc_t, 2 × T
};

/// The representation analysis of hidden states H (N × T) with the stimulus readout `readout_right`
/// (N; the right-action row of W_out) and each step's block side (±1). Throws shape_error /
/// argument_error for mismatched sizes, non-finite values, sides other than ±1, a zero readout,
/// fewer than 2 units, or a PCA that fails.
template <class DH, class DR>
ibl_representation ibl_representation_analysis(const Eigen::MatrixBase<DH>& H_in, const Eigen::MatrixBase<DR>& readout_in,
                                               const std::vector<int>& block_side,
                                               const ibl_representation_params& params = {}) {
  const Eigen::MatrixXd H = H_in.template cast<double>();
  const Eigen::VectorXd readout_right = readout_in.template cast<double>();
  constexpr std::string_view fn = "rnnlab::ibl_representation_analysis";
  params.classifier.validate(fn);
  require_shape(H.rows() >= 2 && H.cols() >= 3, fn, "H", "N >= 2 units × T >= 3 steps",
                detail::concat(H.rows(), " × ", H.cols()));
  require_shape(readout_right.size() == H.rows(), fn, "readout_right", detail::concat(H.rows(), " values"),
                readout_right.size());
  require_shape(static_cast<Index>(block_side.size()) == H.cols(), fn, "block_side",
                detail::concat(H.cols(), " sides"), block_side.size());
  require(H.allFinite() && readout_right.allFinite(), fn, "H, readout_right", "finite values", "NaN or infinity");
  require(readout_right.norm() > 0, fn, "readout_right", "a non-zero vector", "zero");
  std::vector<int> labels(block_side.size());
  for (std::size_t i = 0; i < block_side.size(); ++i) {
    require(block_side[i] == 1 || block_side[i] == -1, fn, "block_side", "sides ±1", block_side[i]);
    labels[i] = block_side[i] > 0 ? 1 : 0;
  }

  // The two leading principal axes from the N × N scatter matrix (N ≪ T); eigen-decomposed here
  // rather than by analysis/similarity/pca.hpp, whose header costs every includer several seconds.
  ibl_representation r;
  r.mean = H.rowwise().mean();
  const Eigen::MatrixXd Hc = H.colwise() - r.mean;
  const Eigen::MatrixXd S = Hc * Hc.transpose();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(S);
  const double total = S.trace();
  require(eig.info() == Eigen::Success && total > 0, fn, "H", "non-constant activity with a scatter decomposition",
          "constant activity or a failed decomposition");
  const Index N = H.rows();
  r.axes.resize(N, 2);
  r.axes.col(0) = eig.eigenvectors().col(N - 1);  // ascending eigenvalues: the last two are the largest
  r.axes.col(1) = eig.eigenvectors().col(N - 2);
  r.explained_variance_ratio.resize(2);
  r.explained_variance_ratio << eig.eigenvalues()(N - 1) / total, eig.eigenvalues()(N - 2) / total;
  r.pcs = r.axes.transpose() * Hc;
  r.trial_readout = readout_right.normalized();
  if (r.axes.col(0).dot(r.trial_readout) < 0) {
    r.axes.col(0) *= -1;
    r.pcs.row(0) *= -1;
  }
  r.explained_variance_2 = r.explained_variance_ratio.sum();
  r.trial_readout_fraction_in_plane = fraction_in_subspace(r.axes, r.trial_readout);
  const Eigen::VectorXd tp = r.axes.transpose() * r.trial_readout;
  require(tp.norm() > 0, fn, "readout_right", "a readout not orthogonal to the PCA plane", "orthogonal");
  r.trial_readout_plane = tp.normalized();

  r.block_classifier_full = logistic_holdout(H, labels, params.classifier, params.test_fraction, params.seed);
  r.block_classifier_plane = logistic_holdout(r.pcs, labels, params.classifier, params.test_fraction, params.seed);
  const Eigen::VectorXd& w = r.block_classifier_plane.model.w;
  require(w.norm() > 0, fn, "block_side", "labels the plane classifier can separate at all", "w = 0");
  r.block_readout_plane = w.normalized();
  r.block_readout = (r.axes * r.block_readout_plane).normalized();
  r.angle_full_degrees = angle_degrees(r.trial_readout, r.block_readout);
  r.angle_plane_degrees = angle_degrees(r.trial_readout_plane, r.block_readout_plane);
  Eigen::MatrixXd basis(2, 2);
  basis.row(0) = r.trial_readout_plane.transpose();
  basis.row(1) = r.block_readout_plane.transpose();
  r.task_aligned = basis * r.pcs;
  return r;
}

}  // namespace rnnlab
