// The study's cross-network analyses and claims table, compiled once (study/detail/config.hpp;
// the rnnlab_study library).
#include <rnnlab/study/detail/analyses_impl.hpp>
#include <rnnlab/study/detail/claims_impl.hpp>
