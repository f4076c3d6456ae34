// The study's hebbian entry, compiled once (study/detail/config.hpp; the rnnlab_study library).
#include <rnnlab/study/detail/rule_hebbian_impl.hpp>
