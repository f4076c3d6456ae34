#pragma once
/// \file study/detail/rule_full_force_impl.hpp
/// The study's full-FORCE entry (study/rules.hpp; study/detail/config.hpp), as the published code
/// trains its networks (reference_code_spec §1.7).

#include <rnnlab/learning/full_force.hpp>
#include <rnnlab/study/rules.hpp>

namespace rnnlab::study {

RNNLAB_STUDY_DECL rule_entry full_force_rule() {
  rule_entry e = make_rule_entry<activations::tanh>(
      "full_force",
      "full-FORCE as the published code runs it (reference_code_spec §1.7: P0 = I/5e4 for RDM, I/1e4 for CDI / "
      "N-CDI; tanh network, alpha 0.1, W_rec = W_out = 0, tanh readout); one update = one trial",
      [](const study_scale& s, const auto& task) {
        auto r = task.n_contexts() <= 1 ? full_force::reference_code_rdm() : full_force::reference_code_ncdi();
        // The reference updates from step 200 of its 750-step trials; shorter trials (size small)
        // keep that fraction of the trial, so that there are steps to learn on.
        r.first_update_step = r.first_update_step * s.n_steps / 750;
        return r;
      });
  e.requires_activation = "tanh";
  e.make_network = [](const network_spec& spec, const study_task& task, const ctrnn_config&, rng& g) {
    return std::visit(
        [&](const auto& t) {
          return study_network(make_full_force_network<float>(spec.n_units, t.n_inputs(), t.n_outputs(), g));
        },
        task);
  };
  e.configure = [](train_options& o, const network_spec&) {
    o.validation_x0_std = 1.0;  // the full-FORCE code validates from x0 ~ N(0, 1)
  };
  return e;
}

RNNLAB_STUDY_DECL rule_entry full_force_single_unit_rule() {
  rule_entry e = full_force_rule();
  e.name = "full_force_single_unit";
  e.description = "full-FORCE (reference_code_spec §1.7) reading out from unit 0 (set_readout_unit(0): RLS trains "
                  "the unit's incoming weights toward the target): the Appendix Fig. 11 control";
  e.in_default = false;
  e.make_network = [](const network_spec& spec, const study_task& task, const ctrnn_config&, rng& g) {
    return std::visit(
        [&](const auto& t) {
          auto net = make_full_force_network<float>(spec.n_units, t.n_inputs(), t.n_outputs(), g);
          require(t.n_outputs() == 1, "rnnlab::study::full_force_single_unit_rule", "task",
                  "a task with one output", t.n_outputs());
          net.set_readout_unit(0);
          return study_network(std::move(net));
        },
        task);
  };
  return e;
}

}  // namespace rnnlab::study
