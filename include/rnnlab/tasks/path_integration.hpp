#pragma once
/// \file tasks/path_integration.hpp
/// 2-D path integration (the degeneracy study's "path integration"; Cueva & Wei 2018): an agent
/// moves in a square arena [−L/2, L/2]²; the network receives its velocity (v_x, v_y) at every step
/// and must output its position (x, y).
///
/// The agent starts at the centre (0, 0). Its heading θ starts uniform on [0, 2π) and turns by
/// N(0, turn_std²) radians per step; its speed is uniform on [0, speed_max] (arena units per
/// step), redrawn every step. A step that would leave the arena is reflected at the wall (the
/// position mirrored back in, the heading mirrored), and the input is the displacement actually
/// made, so the target at step t is exactly the sum of the inputs at steps 0 … t and stays inside
/// the arena. No input noise by default. Mask 1 on every step. Trial length: T, fixed.
///
/// Score: fraction of masked (step, trial, coordinate) entries within `tolerance` · L of the target.

#include <cmath>
#include <numbers>
#include <string_view>

#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tasks/scores.hpp>

namespace rnnlab {

struct path_integration_params {
  double arena_size = 2.0;   ///< L: the arena is [−L/2, L/2]²
  Index n_steps = 100;       ///< T
  double speed_max = 0.05;   ///< largest displacement per step (arena units)
  double turn_std = 0.3;     ///< radians per step
  double noise_std = 0.0;    ///< σ of the velocity-input noise (a standard deviation)
  double tolerance = 0.05;   ///< score: |error| ≤ tolerance · L
  Index validation_trials = 500;

  void validate(std::string_view caller) const {
    require(arena_size > 0 && std::isfinite(arena_size), caller, "arena_size", "a finite size > 0", arena_size);
    detail::require_positive_steps(n_steps, caller, "n_steps");
    require(speed_max >= 0 && speed_max < arena_size / 2, caller, "speed_max",
            detail::concat("in [0, arena_size / 2 = ", arena_size / 2, ")"), speed_max);
    require(turn_std >= 0 && std::isfinite(turn_std), caller, "turn_std", "a finite value >= 0", turn_std);
    require(noise_std >= 0 && std::isfinite(noise_std), caller, "noise_std", "a finite value >= 0", noise_std);
    require(tolerance > 0 && std::isfinite(tolerance), caller, "tolerance", "a finite value > 0", tolerance);
    require(validation_trials > 0, caller, "validation_trials", "> 0", validation_trials);
  }
};

/// The 2-D path-integration sampler: 2 inputs (v_x, v_y), 2 outputs (x, y).
class path_integration {
public:
  explicit path_integration(path_integration_params params = {}) : m_params(params) {
    m_params.validate("rnnlab::path_integration::path_integration");
  }

  const path_integration_params& params() const noexcept { return m_params; }
  static constexpr Index n_inputs() noexcept { return 2; }
  static constexpr Index n_outputs() noexcept { return 2; }
  Index n_steps() const noexcept { return m_params.n_steps; }

  template <class Scalar = float, class G>
  trial_batch<Scalar> sample(Index batch, G& g) const {
    require_shape(batch > 0, "rnnlab::path_integration::sample", "batch", "> 0", batch);
    const auto& p = m_params;
    const Index T = p.n_steps;
    const double h = p.arena_size / 2;
    auto out = detail::make_task_batch<trial_batch<Scalar>>(T, batch, 2, 2);
    out.mask.fill(Scalar(1));
    for (Index b = 0; b < batch; ++b) {
      double x = 0, y = 0, theta = 2 * std::numbers::pi * uniform01(g);
      for (Index t = 0; t < T; ++t) {
        if (t > 0) theta += p.turn_std * standard_normal(g);
        const double speed = p.speed_max * uniform01(g);
        double nx = x + speed * std::cos(theta), ny = y + speed * std::sin(theta);
        if (nx > h || nx < -h) {  // mirror back in and turn the heading's x component
          nx = nx > h ? 2 * h - nx : -2 * h - nx;
          theta = std::numbers::pi - theta;
        }
        if (ny > h || ny < -h) {
          ny = ny > h ? 2 * h - ny : -2 * h - ny;
          theta = -theta;
        }
        out.inputs(t, b, 0) = static_cast<Scalar>(nx - x);
        out.inputs(t, b, 1) = static_cast<Scalar>(ny - y);
        x = nx;
        y = ny;
        out.targets(t, b, 0) = static_cast<Scalar>(x);
        out.targets(t, b, 1) = static_cast<Scalar>(y);
      }
    }
    detail::add_input_noise(out.inputs, p.noise_std, g);
    return out;
  }

  template <class Scalar = float, class G>
  trial_batch<Scalar> validation_set(G& g) const {
    return sample<Scalar>(m_params.validation_trials, g);
  }

  template <class Scalar>
  double score(const sequence<Scalar>& outputs, const trial_batch<Scalar>& batch) const {
    return fraction_within_tolerance(outputs, batch, m_params.tolerance * m_params.arena_size);
  }
  static constexpr std::string_view score_name() noexcept { return "fraction within tolerance"; }

private:
  path_integration_params m_params;
};

static_assert(ScoredTask<path_integration, float> && ScoredTask<path_integration, double>);

}  // namespace rnnlab
