#pragma once
/// \file study/detail/rule_genetic_impl.hpp
/// The study's genetic-algorithm entry (study/rules.hpp; study/detail/config.hpp).

#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/study/rules.hpp>

namespace rnnlab::study {

RNNLAB_STUDY_DECL rule_entry genetic_rule() {
  return make_rule_entry(
      "genetic",
      "genetic algorithm as the published code runs it (reference_code_spec §1.5: population 50 for RDM, 20 for "
      "CDI / N-CDI, 5 parents, 1 elite, mutation std 0.005); one update = one generation",
      [](const study_scale& s, const auto& task) {
        auto r = genetic::reference_code(genetic::reference_population(task.n_contexts()));
        r.batch_size = s.batch_size;  // the reference scores on 500 trials = the paper scale's batch
        r.threads = 1;                // networks run in parallel; each one single-threaded
        return r;
      });
}

RNNLAB_STUDY_DECL rule_entry genetic_single_unit_rule() {
  rule_entry e = make_rule_entry("genetic_single_unit",
                                 "genetic algorithm (reference_code_spec §1.5) reading out from unit 0 "
                                 "(set_readout_unit(0), W_out not mutated): the Appendix Fig. 11 control",
                                 [](const study_scale& s, const auto& task) {
                                   auto r = genetic::reference_code(genetic::reference_population(task.n_contexts()));
                                   r.batch_size = s.batch_size;
                                   r.threads = 1;
                                   r.mutation_std.erase("W_out");  // unused by a single-unit readout
                                   return r;
                                 });
  e.in_default = false;
  e.make_network = [](const network_spec& spec, const study_task& task, const ctrnn_config& cfg, rng& g) {
    const Index M = std::visit([](const auto& t) { return t.n_inputs(); }, task);
    const Index O = std::visit([](const auto& t) { return t.n_outputs(); }, task);
    require(O == 1, "rnnlab::study::genetic_single_unit_rule", "task", "a task with one output", O);
    const auto to_unit = [](auto net) {
      net.set_readout_unit(0);
      return study_network(std::move(net));
    };
    return spec.activation == "tanh" ? to_unit(make_ctrnn<float, activations::tanh>(cfg, M, O, g))
                                     : to_unit(make_ctrnn<float, activations::one_plus_tanh>(cfg, M, O, g));
  };
  return e;
}

}  // namespace rnnlab::study
