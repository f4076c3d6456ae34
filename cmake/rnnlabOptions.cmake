# Compile settings for rnnlab's own targets: warnings (as errors), -march=native, sanitizers.
add_library(rnnlab_project_options INTERFACE)
target_compile_options(rnnlab_project_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion)
# GCC 12 reports false "may be used uninitialized" warnings inside its own AVX-512 intrinsics
# headers when Eigen is compiled with -march=native (GCC PR 105593); they are not our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(rnnlab_project_options INTERFACE -Wno-maybe-uninitialized)
endif()
if(RNNLAB_WARNINGS_AS_ERRORS)
  target_compile_options(rnnlab_project_options INTERFACE -Werror)
endif()
if(RNNLAB_NATIVE)
  target_compile_options(rnnlab_project_options INTERFACE -march=native)
endif()
if(RNNLAB_SANITIZE)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # The same GCC 12 false positive as above, reported as -Wuninitialized once sanitizers change
    # inlining; the non-sanitized build keeps the warning.
    target_compile_options(rnnlab_project_options INTERFACE -Wno-uninitialized)
  endif()
  target_compile_options(rnnlab_project_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(rnnlab_project_options INTERFACE -fsanitize=address,undefined)
endif()
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

find_package(Threads REQUIRED)
target_link_libraries(rnnlab_project_options INTERFACE Threads::Threads)
