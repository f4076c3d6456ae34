#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"  // GCC 12 false positive in core headers' messages (PR 105651)
#endif
#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/integration_mechanism.hpp>

#include <cmath>

using namespace rnnlab;

namespace {
/// A 2-unit RDM-like network: unit 0 integrates (self-weight w), unit 1 is a passive copy.
template <class Scalar>
ctrnn<Scalar, activations::tanh> integrator(double w) {
  auto p = ctrnn_parameters<Scalar>::zeros(2, 1, 1);
  p.W_rec(0, 0) = static_cast<Scalar>(w);
  p.W_rec(1, 0) = Scalar(0.5);
  p.W_in(0, 0) = Scalar(1);
  p.W_out(0, 0) = Scalar(1);
  return ctrnn<Scalar, activations::tanh>(p, Scalar(0.1), readout_source::state);
}
}  // namespace

TEST_CASE_TEMPLATE("bistable self-excitation integrates stably; weak self-excitation transiently", Scalar, float,
                   double) {
  integration_params p;
  p.n_starts = 64;
  p.relax_steps = 1500;
  p.coherence = 0.3;
  // w = 2: zero evidence has two attractors (±x*), the pulse's sign is held.
  const auto stable = classify_integration(integrator<Scalar>(2.0), p);
  REQUIRE(stable.contexts.size() == 1);
  const auto& s = stable.contexts[0];
  CHECK(s.n_stable == 2);
  CHECK(s.by_fixed_points == integration_mechanism::stable);
  CHECK(s.by_pulse == integration_mechanism::stable);
  CHECK(s.consistent());
  CHECK(s.output_plus(s.output_plus.rows() - 1, 0) > 1.0);   // held near +x* ≈ 1.915
  CHECK(s.output_minus(s.output_minus.rows() - 1, 0) < -1.0);
  CHECK(s.output_retention > 0.5);  // relaxes from the driven point to x* but keeps its sign
  CHECK(stable.overall == integration_mechanism::stable);
  // w = 0.5: one attractor at 0; the output decays back to 0 after the pulse.
  const auto transient = classify_integration(integrator<Scalar>(0.5), p);
  const auto& t = transient.contexts[0];
  CHECK(t.n_stable == 1);
  CHECK(t.by_fixed_points == integration_mechanism::transient);
  CHECK(t.by_pulse == integration_mechanism::transient);
  CHECK(std::abs(t.output_retention) < 1e-3);
  CHECK(transient.overall == integration_mechanism::transient);
}

TEST_CASE("CDI layout: one verdict per context; wrong layouts are rejected") {
  // 2 contexts: unit 0 integrates stream 0 stably, unit 1 integrates stream 1 leakily.
  auto p = ctrnn_parameters<double>::zeros(2, 4, 1);
  p.W_rec(0, 0) = 2.0;
  p.W_rec(1, 1) = 0.5;
  p.W_in(0, 0) = 1.0;
  p.W_in(1, 1) = 1.0;
  p.W_out(0, 0) = 1.0;
  const ctrnn<double, activations::tanh> net(p, 0.1, readout_source::state);
  integration_params ip;
  ip.n_starts = 64;
  ip.relax_steps = 1000;
  const auto r = classify_integration(net, ip);
  REQUIRE(r.contexts.size() == 2);
  CHECK(r.contexts[0].n_stable == 2);  // unit 0 bistable (unit 1 at 0) in both contexts
  CHECK(r.overall == integration_mechanism::stable);
  const ctrnn<double, activations::tanh> bad(ctrnn_parameters<double>::zeros(2, 3, 1), 0.1);
  CHECK_THROWS_AS(classify_integration(bad, ip), shape_error);
}
