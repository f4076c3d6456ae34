// The study's built-in rules, compiled once (study/detail/config.hpp; the rnnlab_study library).
#include <rnnlab/study/detail/rules_impl.hpp>
