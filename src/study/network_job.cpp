// One network of a study (training excluded: src/study/rules.cpp) and the runner, compiled once
// (study/detail/config.hpp; the rnnlab_study library).
#include <rnnlab/study/detail/network_job_impl.hpp>
#include <rnnlab/study/detail/runner_impl.hpp>
