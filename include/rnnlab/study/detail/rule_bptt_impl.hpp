#pragma once
/// \file study/detail/rule_bptt_impl.hpp
/// The study's BPTT entry (study/rules.hpp; study/detail/config.hpp).

#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/study/rules.hpp>

namespace rnnlab::study {

RNNLAB_STUDY_DECL rule_entry bptt_rule() {
  return make_rule_entry("bptt", "BPTT + Adam as the published code trains (reference_code_spec §1.4)",
                         [](const study_scale& s) {
                           auto r = bptt<adam>::reference_code();
                           r.batch_size = s.batch_size;
                           r.threads = 1;  // networks run in parallel; each one single-threaded
                           return r;
                         });
}

RNNLAB_STUDY_DECL rule_entry bptt_single_unit_rule() {
  rule_entry e = make_rule_entry("bptt_single_unit",
                                 "BPTT + Adam (reference_code_spec §1.4) reading out from unit 0 (W_out = e_0, b_out = 0, "
                                 "W_rec trained): the Appendix Fig. 11 control",
                                 [](const study_scale& s) {
                                   auto r = bptt<adam>::reference_code();
                                   r.batch_size = s.batch_size;
                                   r.params = param_set{param::W_rec};  // W_out stays e_0
                                   r.threads = 1;
                                   return r;
                                 });
  e.in_default = false;
  e.make_network = [](const network_spec& spec, const study_task& task, const ctrnn_config& cfg, rng& g) {
    const Index M = std::visit([](const auto& t) { return t.n_inputs(); }, task);
    const Index O = std::visit([](const auto& t) { return t.n_outputs(); }, task);
    require(O == 1, "rnnlab::study::bptt_single_unit_rule", "task", "a task with one output", O);
    const auto to_unit = [](auto net) {
      auto& p = net.parameters();
      p.W_out.setZero();
      p.W_out(0, 0) = 1;  // y = s_0: the readout unit is unit 0
      p.b_out.setZero();
      return study_network(std::move(net));
    };
    return spec.activation == "tanh" ? to_unit(make_ctrnn<float, activations::tanh>(cfg, M, O, g))
                                     : to_unit(make_ctrnn<float, activations::one_plus_tanh>(cfg, M, O, g));
  };
  return e;
}

}  // namespace rnnlab::study
