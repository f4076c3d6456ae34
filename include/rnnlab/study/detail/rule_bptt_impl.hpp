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

}  // namespace rnnlab::study
