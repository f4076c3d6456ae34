#pragma once
/// \file concepts.hpp
/// Every module's concepts in one include (see docs/concepts.md).

#include <rnnlab/analysis/concepts.hpp>
#include <rnnlab/core/concepts.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/tasks/concepts.hpp>
