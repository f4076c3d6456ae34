#pragma once
/// \file study/detail/rules_impl.hpp
/// Definitions of study/rules.hpp (see study/detail/config.hpp): the built-in rules.

#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/study/rules.hpp>

namespace rnnlab::study {

// The rules this build ships. Add a rule here (one line; see study/rules.hpp).
RNNLAB_STUDY_DECL rule_registry builtin_rules() {
  rule_registry reg;
  reg.add(make_rule_entry("bptt", "BPTT + Adam as the published code trains (reference_code_spec §1.4)",
                          [](const study_scale& s) {
                            auto r = bptt<adam>::reference_code();
                            r.batch_size = s.batch_size;
                            r.threads = 1;  // networks run in parallel; each one single-threaded
                            return r;
                          }));
  return reg;
}

}  // namespace rnnlab::study
