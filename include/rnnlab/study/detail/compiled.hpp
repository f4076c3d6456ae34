#pragma once
/// \file study/detail/compiled.hpp
/// Every definition of the study's heavy functions, for the one translation unit of a program
/// built with RNNLAB_STUDY_SEPARATE_COMPILATION (see study/detail/config.hpp). This project
/// splits them over src/study/*.cpp instead, so that they compile in parallel.

#if !defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#error "study/detail/compiled.hpp is for a program built with RNNLAB_STUDY_SEPARATE_COMPILATION"
#endif

#include <rnnlab/study/detail/analyses_impl.hpp>
#include <rnnlab/study/detail/claims_impl.hpp>
#include <rnnlab/study/detail/network_job_impl.hpp>
#include <rnnlab/study/detail/rule_bptt_impl.hpp>
#include <rnnlab/study/detail/rule_full_force_impl.hpp>
#include <rnnlab/study/detail/rule_genetic_impl.hpp>
#include <rnnlab/study/detail/rule_hebbian_impl.hpp>
#include <rnnlab/study/detail/rules_impl.hpp>
#include <rnnlab/study/detail/runner_impl.hpp>
