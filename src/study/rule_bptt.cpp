// The study's bptt entry, compiled once (study/detail/config.hpp; the rnnlab_study library).
#include <rnnlab/study/detail/rule_bptt_impl.hpp>
