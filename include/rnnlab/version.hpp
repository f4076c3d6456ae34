#pragma once
/// \file version.hpp
/// The library version, as configured by CMake (RNNLAB_VERSION_STRING "major.minor.patch").

#include <string_view>

#if __has_include(<rnnlab/version_number.hpp>)
#include <rnnlab/version_number.hpp>
#else
#define RNNLAB_VERSION_MAJOR 0
#define RNNLAB_VERSION_MINOR 1
#define RNNLAB_VERSION_PATCH 0
#define RNNLAB_VERSION_STRING "0.1.0"
#endif

namespace rnnlab {
inline constexpr std::string_view version = RNNLAB_VERSION_STRING;
}  // namespace rnnlab
