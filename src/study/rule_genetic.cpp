// The study's genetic entry, compiled once (study/detail/config.hpp; the rnnlab_study library).
#include <rnnlab/study/detail/rule_genetic_impl.hpp>
