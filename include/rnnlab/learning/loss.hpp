#pragma once
/// \file learning/loss.hpp
/// The losses of a network's outputs on a trial batch, shared by the gradient (learning/bptt.hpp),
/// the trainer's loss-based stopping rules and any rule that scores a batch (a GA):
///
///     MSE:            L = c Σ_{t,b} m_{t,b} ‖y_{t,b} − y*_{t,b}‖²
///     cross-entropy:  L = −c Σ_{t,b} m_{t,b} Σ_o y*_{t,b,o} log softmax(y_{t,b})_o
///
/// with mask weights m_{t,b} ≥ 0 and the normalisation c of `loss_normalization` (the reference
/// code's batch sum c = 1; its GA's c = 1/B; the paper's "mean squared error" c = 1/(O Σ m)).

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include <rnnlab/names.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// The per-entry loss.
enum class loss_kind {
  mse,            ///< squared error Σ_o (y_o − y*_o)²
  cross_entropy,  ///< softmax cross-entropy against target probabilities y* (needs O ≥ 2)
};

/// The names of loss_kind (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<loss_kind, std::string_view>, 2> enum_names(loss_kind) {
  return {{{loss_kind::mse, "mse"},
           {loss_kind::cross_entropy, "cross_entropy"}}};
}

/// How the masked sum is normalised: the factor c in L = c Σ m · (per-entry loss).
enum class loss_normalization {
  sum,          ///< c = 1: the reference code's batch sum
  per_trial,    ///< c = 1/B: the batch sum divided by the batch size (the reference GA's)
  per_element,  ///< c = 1/(O Σ_{t,b} m_{t,b}): the mean over the masked entries (the "mean squared error")
};

/// The names of loss_normalization (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<loss_normalization, std::string_view>, 3> enum_names(loss_normalization) {
  return {{{loss_normalization::sum, "sum"},
           {loss_normalization::per_trial, "per_trial"},
           {loss_normalization::per_element, "per_element"}}};
}

/// A loss: kind and normalisation.
struct loss_spec {
  loss_kind kind = loss_kind::mse;
  loss_normalization normalization = loss_normalization::per_element;

  /// The reference code's: squared errors summed over the batch (the mask selects the steps).
  static constexpr loss_spec reference_code() { return {loss_kind::mse, loss_normalization::sum}; }
  /// The paper's text: "mean-squared error", read as the mean over the masked entries.
  static constexpr loss_spec paper_text() { return {loss_kind::mse, loss_normalization::per_element}; }
};

namespace detail {

template <class Scalar>
double loss_scale(const trial_batch<Scalar>& batch, const loss_spec& loss) {
  switch (loss.normalization) {
    case loss_normalization::sum: return 1.0;
    case loss_normalization::per_trial: return 1.0 / static_cast<double>(batch.n_trials());
    case loss_normalization::per_element: {
      const double total = batch.mask.flat().template cast<double>().sum() * static_cast<double>(batch.n_outputs());
      return total > 0 ? 1.0 / total : 0.0;
    }
  }
  return 1.0;
}

}  // namespace detail

/// The loss of outputs (T, B, O) on `batch`, accumulated in double. Throws shape_error if the
/// outputs' shape differs from the targets'; a NaN or infinite result is returned as it is.
template <class Scalar>
double masked_loss(const sequence<Scalar>& out, const trial_batch<Scalar>& batch, const loss_spec& loss) {
  require_shape(out.shape(0) == batch.n_steps() && out.shape(1) == batch.n_trials() &&
                    out.shape(2) == batch.n_outputs(),
                "rnnlab::masked_loss", "outputs", "the targets' shape " + shape_string(batch.targets.shape()),
                shape_string(out.shape()));
  const Index T = batch.n_steps(), B = batch.n_trials(), O = batch.n_outputs();
  double total = 0;
  for (Index t = 0; t < T; ++t)
    for (Index b = 0; b < B; ++b) {
      const double m = static_cast<double>(batch.mask(t, b));
      if (m == 0) continue;
      if (loss.kind == loss_kind::mse) {
        for (Index o = 0; o < O; ++o) {
          const double e = static_cast<double>(out(t, b, o)) - static_cast<double>(batch.targets(t, b, o));
          total += m * e * e;
        }
      } else {
        double ymax = -std::numeric_limits<double>::infinity();
        for (Index o = 0; o < O; ++o) ymax = std::max(ymax, static_cast<double>(out(t, b, o)));
        double z = 0;
        for (Index o = 0; o < O; ++o) z += std::exp(static_cast<double>(out(t, b, o)) - ymax);
        const double lse = ymax + std::log(z);
        for (Index o = 0; o < O; ++o)
          total -= m * static_cast<double>(batch.targets(t, b, o)) * (static_cast<double>(out(t, b, o)) - lse);
      }
    }
  return detail::loss_scale(batch, loss) * total;
}

}  // namespace rnnlab
