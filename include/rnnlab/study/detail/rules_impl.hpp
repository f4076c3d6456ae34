#pragma once
/// \file study/detail/rules_impl.hpp
/// Definitions of study/rules.hpp (see study/detail/config.hpp): the built-in rules' registry.
/// Each rule's entry is defined in its own study/detail/rule_<name>_impl.hpp (one translation
/// unit each in the compiled library: each instantiates its rule's training loop).

#include <rnnlab/study/rules.hpp>

#if !defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#include <rnnlab/study/detail/rule_bptt_impl.hpp>
#include <rnnlab/study/detail/rule_full_force_impl.hpp>
#include <rnnlab/study/detail/rule_genetic_impl.hpp>
#include <rnnlab/study/detail/rule_hebbian_impl.hpp>
#endif

namespace rnnlab::study {

// The rules this build ships. Add a rule here (one line; see study/rules.hpp).
RNNLAB_STUDY_DECL rule_registry builtin_rules() {
  rule_registry reg;
  reg.add(bptt_rule());
  reg.add(genetic_rule());
  reg.add(hebbian_rule());
  reg.add(full_force_rule());
  reg.add(bptt_single_unit_rule());  // the Appendix Fig. 11 single-unit readout controls (not in `default`)
  reg.add(genetic_single_unit_rule());
  reg.add(full_force_single_unit_rule());
  return reg;
}

}  // namespace rnnlab::study
