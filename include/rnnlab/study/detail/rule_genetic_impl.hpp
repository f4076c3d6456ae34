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

}  // namespace rnnlab::study
