#pragma once
/// \file study/detail/rule_hebbian_impl.hpp
/// The study's Hebbian entry (study/rules.hpp; study/detail/config.hpp): Miconi's rule on
/// Miconi's network, as the paper's Hebbian networks were trained (reference_code_spec §1.6).

#include <rnnlab/learning/hebbian.hpp>
#include <rnnlab/study/rules.hpp>

namespace rnnlab::study {

RNNLAB_STUDY_DECL rule_entry hebbian_rule() {
  rule_entry e = make_rule_entry<activations::tanh>(
      "hebbian",
      "Miconi's reward-modulated Hebbian rule (reference_code_spec §1.6) on Miconi's network (tanh, alpha 1/30, "
      "units 1, 10, 11 clamped, output from unit 0); one update = one trial",
      [](const study_scale& s) {
        auto r = hebbian::reference_code();
        // Miconi's error window, the last 200 steps, as a fraction of the paper's T = 750 for
        // shorter trials (size small).
        r.error_steps = std::max<Index>(1, r.error_steps * s.n_steps / 750);
        return r;
      });
  e.requires_activation = "tanh";
  e.min_units = 12;  // Miconi's bias units 1, 10 and 11 are clamped
  e.activity = activity_params::reference_hebbian();  // the reference drops the clamped units 1, 10, 11
  e.make_network = [](const network_spec& spec, const study_task& task, const ctrnn_config&, rng& g) {
    miconi_network_config cfg;
    cfg.n_units = spec.n_units;
    const Index M = std::visit([](const auto& t) { return t.n_inputs(); }, task);
    return study_network(make_miconi_network<float>(cfg, M, g));
  };
  e.configure = [](train_options& o, const network_spec&) {
    o.validate_every = 10;  // one update is one trial: validate every 10 (as `rnnlab train --rule hebbian`)
  };
  return e;
}

}  // namespace rnnlab::study
