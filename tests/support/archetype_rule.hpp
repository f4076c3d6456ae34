#pragma once
// Archetype of the `LearningRule` concept (learning/concepts.hpp) for a rule that updates during a
// trial, as Hebbian and FORCE rules do: one `update` runs ONE trial step by step with its own
// loop over the CTRNN equations
//
//     x_{t+1} = (1 − α) x_t + α (W_rec f(x_t) + W_in u_t + b),   y_t = W_out s_{t+1} + b_out
//
// (s = f(x) or x, the network's readout) and, at every step where the mask m_t is non-zero,
// changes the readout online by the least-mean-squares rule (Widrow–Hoff)
//
//     W_out ← W_out − η m_t (y_t − y*_t) s_{t+1}ᵀ,    b_out ← b_out − η m_t (y_t − y*_t).
//
// It reports 1 trial consumed and the trial's summed squared error (before each step's change).
// Its state counts the trials it has seen (to show a state a checkpoint can archive).
// The LearningRule contract says a non-finite loss leaves the network unchanged: a rule that changes
// the network during the trial cannot know the loss in advance, so it keeps what it changes (here the
// readout, O × N + O numbers) and restores it when the trial's loss or a changed weight is not finite.

#include <cmath>
#include <limits>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>

namespace rnnlab::archetypes {

struct online_readout_state {
  long long trials_seen = 0;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(trials_seen);
  }
};

struct online_readout_rule {
  double learning_rate = 0.05;

  void validate() const {
    require(std::isfinite(learning_rate) && learning_rate > 0, "archetypes::online_readout_rule::validate",
            "learning_rate", "a finite value > 0", learning_rate);
  }

  template <Network Net>
  online_readout_state make_state(const Net&) const {
    validate();
    return {};
  }

  template <class Scalar, Activation F, class T, class G>
    requires TaskFor<T, ctrnn<Scalar, F>>
  update_result update(ctrnn<Scalar, F>& net, online_readout_state& state, const T& task, G& g) const {
    using vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    const auto trial = task.template sample<Scalar>(1, g);
    auto& p = net.parameters();
    const Index T_ = trial.n_steps(), M = trial.n_inputs(), O = trial.n_outputs();
    const auto alpha = net.alpha();
    const auto W_out_before = p.W_out;
    const auto b_out_before = p.b_out;
    vec x = p.x0, u(M), s, y, e;
    double loss = 0;
    for (Index t = 0; t < T_; ++t) {
      for (Index m = 0; m < M; ++m) u(m) = trial.inputs(t, 0, m);
      const vec r = x.unaryExpr([](Scalar v) { return F::value(v); });
      x = (Scalar(1) - alpha) * x + alpha * (p.W_rec * r + p.W_in * u + p.b);
      s = net.readout() == readout_source::rates ? vec(x.unaryExpr([](Scalar v) { return F::value(v); })) : x;
      y = p.W_out * s + p.b_out;
      const auto m_t = trial.mask(t, 0);
      if (m_t == Scalar(0)) continue;
      e.resize(O);
      for (Index o = 0; o < O; ++o) e(o) = y(o) - trial.targets(t, 0, o);
      loss += static_cast<double>(m_t) * static_cast<double>(e.squaredNorm());
      const auto step = static_cast<Scalar>(learning_rate) * m_t;
      p.W_out.noalias() -= step * e * s.transpose();
      p.b_out -= step * e;
    }
    if (!std::isfinite(loss) || !p.W_out.allFinite() || !p.b_out.allFinite()) {
      p.W_out = W_out_before;  // the contract: a non-finite trial leaves the network as it was
      p.b_out = b_out_before;
      if (std::isfinite(loss)) loss = std::numeric_limits<double>::infinity();
    }
    ++state.trials_seen;
    return {1, loss};
  }
};

}  // namespace rnnlab::archetypes
