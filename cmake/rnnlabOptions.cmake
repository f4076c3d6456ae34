# Compile settings for rnnlab's own targets: warnings (as errors), -march=native, sanitizers.
add_library(rnnlab_project_options INTERFACE)
target_compile_options(rnnlab_project_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion)
# GCC 12 false positives, silenced for GCC only (they are not in our code):
#  - "may be used uninitialized" / "is used uninitialized" inside GCC's own AVX-512 intrinsics
#    headers when Eigen's packet math (exp, GEMM kernels) is compiled with -march=native
#    (GCC PR 105593);
#  - -Wrestrict on inlined std::string concatenations such as "(" + std::to_string(n)
#    (GCC PR 105651).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(rnnlab_project_options INTERFACE
    -Wno-maybe-uninitialized -Wno-uninitialized -Wno-restrict)
endif()
if(RNNLAB_WARNINGS_AS_ERRORS)
  target_compile_options(rnnlab_project_options INTERFACE -Werror)
endif()
if(RNNLAB_NATIVE)
  target_compile_options(rnnlab_project_options INTERFACE -march=native)
endif()
# AddressSanitizer + UndefinedBehaviorSanitizer. Four UBSan check groups are left out because they
# instrument every Eigen expression and cost more compile time than the rest together, while what they
# would find here is found otherwise: `null` and `alignment` (a null or misaligned access through a
# pointer faults or is reported by ASan; Eigen's aligned packet loads on misaligned data fault),
# `pointer-overflow` (pointer arithmetic wrapping the address space) and `vptr` (the library has no
# polymorphic class hierarchy to misuse). Measured on tests/kernels' unity translation unit at
# -O1 -g1 (GCC 12, CPU seconds): ASan + all of UBSan 169 s, ASan + UBSan without these 81 s, ASan
# alone 75 s (docs/performance.md, "Build and CI time"). Kept: signed overflow, shifts, division by
# zero, float-to-int overflow, array bounds, bool/enum loads, missing returns, unreachable, VLA bounds,
# nonnull attributes, builtins.
if(RNNLAB_SANITIZE)
  target_compile_options(rnnlab_project_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize=null,alignment,pointer-overflow,vptr
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(rnnlab_project_options INTERFACE -fsanitize=address,undefined)
endif()
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

find_package(Threads REQUIRED)
target_link_libraries(rnnlab_project_options INTERFACE Threads::Threads)
