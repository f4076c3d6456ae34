// The study's full_force entry, compiled once (study/detail/config.hpp; the rnnlab_study library).
#include <rnnlab/study/detail/rule_full_force_impl.hpp>
