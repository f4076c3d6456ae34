#pragma once
/// \file analysis/dynamics/probe_sets.hpp
/// The static inputs at which the papers' code solves for fixed points (reference_code_spec §1.8;
/// McMahan et al. 2021, Sec. 3.1 and Fig. 1c), as ready-made sets. Each probe carries its label
/// (context, evidence value), which the topology signature uses (analysis/dynamics/topology.hpp).
///
///   - RDM (1 input): "large" {0.5, 0.2, 0, −0.2, −0.5} (Fig. 1c/d); "small" 0.03·{0, ±0.1, …, ±1}
///     ordered 0, +0.003, −0.003, +0.006, … (21 values, used for topology); "sparse"
///     0.03·{0, ±0.2, …, ±1} in the same order (11 values).
///   - CDI / N-CDI (2N inputs: evidence channels 0 … N−1, context channels N … 2N−1): "small" takes
///     v = linspace(−0.02, 0.02, 21) sorted by |v| (ties: −v before +v, what numpy's argsort does
///     for 21 values) and row k·N + c has evidence channel c = v_k and context channel N + c = 1
///     (for N = 2 the reference's interleaving: even rows (v, 0, 1, 0), odd rows (0, v, 0, 1));
///     "large" is linspace(−0.4, 0.4, 5) likewise.
///   - "zero": zero evidence under each context (the reference's slow-point inputs).

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// One static input and its label.
struct probe_input {
  Eigen::VectorXd u;   ///< the static input, length M
  int context = 0;     ///< the attended stream (0 for RDM)
  double value = 0.0;  ///< the evidence value on the attended stream
};

/// An ordered set of static inputs for one network's input layout.
struct probe_set {
  std::string name;
  Index n_inputs = 0;  ///< M
  int n_contexts = 1;  ///< 1 for RDM (M = 1), N for N-CDI (M = 2N)
  std::vector<probe_input> inputs;

  Index size() const noexcept { return static_cast<Index>(inputs.size()); }
  /// The inputs as a P × M matrix (one probe per row, the CLI's and numpy's layout).
  Eigen::MatrixXd matrix() const {
    Eigen::MatrixXd U(size(), n_inputs);
    for (Index i = 0; i < size(); ++i) U.row(i) = inputs[static_cast<std::size_t>(i)].u.transpose();
    return U;
  }
};

/// The static input of `value` on stream `context` for a task with `n_contexts` streams:
/// RDM (n_contexts = 1, contextual = false) → (value); N-CDI → evidence c = value, context N + c = 1.
inline probe_input make_probe(int n_contexts, bool contextual, int context, double value) {
  constexpr std::string_view fn = "rnnlab::make_probe";
  require(n_contexts >= 1, fn, "n_contexts", ">= 1", n_contexts);
  require(context >= 0 && context < n_contexts, fn, "context", "an index in [0, n_contexts)", context);
  require(std::isfinite(value), fn, "value", "a finite value", value);
  probe_input p;
  p.context = context;
  p.value = value;
  p.u = Eigen::VectorXd::Zero(contextual ? 2 * n_contexts : n_contexts);
  p.u(context) = value;
  if (contextual) p.u(n_contexts + context) = 1.0;
  return p;
}

namespace detail {

/// 0, +s·1, −s·1, +s·2, −s·2, … (the reference's RDM order).
inline std::vector<double> fp_signed_ladder(double step, int n, int stride = 1) {
  std::vector<double> v{0.0};
  for (int k = stride; k <= n; k += stride) {
    v.push_back(step * k);
    v.push_back(-step * k);
  }
  return v;
}

/// linspace(lo, hi, n) sorted by |v|, ties keeping their linspace order (−v before +v).
inline std::vector<double> fp_linspace_by_magnitude(double lo, double hi, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / (n - 1);
  // exact zero and exact ± pairs, as numpy's linspace gives for these symmetric ranges
  for (int i = 0; i < n / 2; ++i) v[static_cast<std::size_t>(n - 1 - i)] = -v[static_cast<std::size_t>(i)];
  if (n % 2 == 1) v[static_cast<std::size_t>(n / 2)] = 0.0;
  std::stable_sort(v.begin(), v.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
  return v;
}

inline probe_set fp_rdm_set(std::string name, const std::vector<double>& values) {
  probe_set s{std::move(name), 1, 1, {}};
  for (double v : values) s.inputs.push_back(make_probe(1, false, 0, v));
  return s;
}

inline probe_set fp_context_set(std::string name, int n_contexts, const std::vector<double>& values) {
  require(n_contexts >= 1 && n_contexts <= 8, "rnnlab::probe_set", "n_contexts", "an integer in [1, 8]", n_contexts);
  probe_set s{std::move(name), 2 * n_contexts, n_contexts, {}};
  for (double v : values)
    for (int c = 0; c < n_contexts; ++c) s.inputs.push_back(make_probe(n_contexts, true, c, v));
  return s;
}

}  // namespace detail

/// RDM {0.5, 0.2, 0, −0.2, −0.5} (paper Fig. 1c/d).
inline probe_set rdm_probe_large() { return detail::fp_rdm_set("rdm-large", {0.5, 0.2, 0.0, -0.2, -0.5}); }
/// RDM 0.03·{0, ±0.1, …, ±1.0}, ordered 0, +, −, … (21 values; the topology probe set).
inline probe_set rdm_probe_small() { return detail::fp_rdm_set("rdm-small", detail::fp_signed_ladder(0.003, 10)); }
/// RDM 0.03·{0, ±0.2, …, ±1.0} (11 values).
inline probe_set rdm_probe_sparse() { return detail::fp_rdm_set("rdm-sparse", detail::fp_signed_ladder(0.003, 10, 2)); }
/// CDI / N-CDI: v = linspace(−0.02, 0.02, 21) by |v|, contexts interleaved (21·N inputs).
inline probe_set context_probe_small(int n_contexts = 2) {
  return detail::fp_context_set("context-small", n_contexts, detail::fp_linspace_by_magnitude(-0.02, 0.02, 21));
}
/// CDI / N-CDI: linspace(−0.4, 0.4, 5) by |v|, contexts interleaved (5·N inputs).
inline probe_set context_probe_large(int n_contexts = 2) {
  return detail::fp_context_set("context-large", n_contexts, detail::fp_linspace_by_magnitude(-0.4, 0.4, 5));
}
/// Zero evidence: (0) for RDM (n_contexts = 0), else zero evidence under each context.
inline probe_set zero_evidence_probe(int n_contexts) {
  if (n_contexts == 0) return detail::fp_rdm_set("zero", {0.0});
  auto s = detail::fp_context_set("zero", n_contexts, {0.0});
  return s;
}

/// A probe set by name for a network with `n_inputs` inputs: "large", "small", "sparse" (RDM
/// only) or "zero"; M = 1 selects the RDM sets, M = 2N the N-context sets.
inline probe_set probe_set_by_name(std::string_view name, Index n_inputs) {
  constexpr std::string_view fn = "rnnlab::probe_set_by_name";
  require_shape(n_inputs == 1 || (n_inputs >= 2 && n_inputs % 2 == 0 && n_inputs <= 16), fn, "n_inputs",
                "1 (RDM) or 2N with N in [1, 8] (CDI / N-CDI)", n_inputs);
  const bool rdm = n_inputs == 1;
  const int n_ctx = static_cast<int>(n_inputs / 2);
  if (name == "large") return rdm ? rdm_probe_large() : context_probe_large(n_ctx);
  if (name == "small") return rdm ? rdm_probe_small() : context_probe_small(n_ctx);
  if (name == "sparse" && rdm) return rdm_probe_sparse();
  if (name == "zero") return zero_evidence_probe(rdm ? 0 : n_ctx);
  throw argument_error(detail::argument_message(fn, "name", rdm ? "large, small, sparse or zero" : "large, small or zero",
                                                "'" + std::string(name) + "'"));
}

}  // namespace rnnlab
