#pragma once
/// \file study/detail/config.hpp
/// Header-only or compiled once: the study's heavy functions (training a network of the plan,
/// its analyses, the cross-network analyses, the claims, the runner, the built-in rules) are
/// declared in the public headers study/{rules,network_job,runner,analyses,claims}.hpp with
/// `RNNLAB_STUDY_DECL` and defined in study/detail/*_impl.hpp.
///
///  - By default (header-only) every public header includes its implementation and the functions
///    are `inline`: `#include <rnnlab/study.hpp>` is all a program needs. Each translation unit
///    that includes them then compiles the whole study (training, fixed points, SVCCA, ...):
///    about two CPU-minutes of front end with GCC 12 (docs/performance.md "Build and CI time").
///  - With `RNNLAB_STUDY_SEPARATE_COMPILATION` defined, the public headers only declare them; one
///    program file defines them, e.g. a `study_impl.cpp` holding
///
///        #include <rnnlab/study/detail/compiled.hpp>
///
///    compiled once with the same macro, and linked into every program that uses the study. This
///    project's own examples, CLI and tests do so (the `rnnlab_study` library, src/study/).

#if defined(RNNLAB_STUDY_SEPARATE_COMPILATION)
#define RNNLAB_STUDY_DECL
#else
#define RNNLAB_STUDY_DECL inline
#endif
