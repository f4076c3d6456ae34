// The study's rule registry (builtin_rules), compiled once (study/detail/config.hpp; rnnlab_study).
#include <rnnlab/study/detail/rules_impl.hpp>
