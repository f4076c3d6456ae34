#pragma once
/// \file kernels/simd.hpp
/// The one SIMD switch of rnnlab's kernels.
///
/// Every kernel with a vector path takes the instruction set as a template parameter defaulted to
/// `native_isa`:
///
///     template <simd_isa Isa = native_isa> ...
///
/// so that the portable and the vector variants are different functions or types and can live in
/// one program (a test instantiates `<simd_isa::portable>` next to the native variant; nothing is
/// selected by a macro defined before an include, which would make two translation units see two
/// different definitions of one inline function or type: an ODR violation).
///
/// `native_isa` is the best ISA the compiler targets for the whole program:
///   - `avx512` when it targets AVX-512F (e.g. -march=native on Zen 4, Ice Lake, Sapphire Rapids),
///   - `avx2` when it targets AVX2 and FMA but not AVX-512F (most laptops),
///   - `portable` otherwise, or when `RNNLAB_PORTABLE_KERNELS` is defined for the whole program
///     (on the compiler's command line, never before one include: it must be the same in every
///     translation unit).
/// The enumerators are ordered: a kernel without a path for some ISA runs its best path at or
/// below it, tested with `Isa >= simd_isa::avx512` or `Isa == simd_isa::avx512` (the dense LU and
/// the cross products have an AVX-512 path only; the small GEMM has AVX2 and AVX-512 ones).
/// Requesting an ISA the compiler does not target is a compile-time error (`isa_enabled`).

#include <string_view>

namespace rnnlab {

/// Instruction sets a kernel may be compiled for, from the least to the most capable.
enum class simd_isa { portable, avx2, avx512 };

/// Whether the compiler targets `isa` in this build (portable: always).
constexpr bool isa_enabled(simd_isa isa) noexcept {
  switch (isa) {
    case simd_isa::portable: return true;
    case simd_isa::avx2:
#if defined(__AVX2__) && defined(__FMA__)
      return true;
#else
      return false;
#endif
    case simd_isa::avx512:
#if defined(__AVX512F__)
      return true;
#else
      return false;
#endif
  }
  return false;
}

/// The ISA kernels use by default (see the file comment).
inline constexpr simd_isa native_isa =
#if defined(RNNLAB_PORTABLE_KERNELS)
    simd_isa::portable;
#elif defined(__AVX512F__)
    simd_isa::avx512;
#elif defined(__AVX2__) && defined(__FMA__)
    simd_isa::avx2;
#else
    simd_isa::portable;
#endif

/// "portable", "avx2" or "avx512".
constexpr std::string_view isa_name(simd_isa isa) noexcept {
  switch (isa) {
    case simd_isa::portable: return "portable";
    case simd_isa::avx2: return "avx2";
    case simd_isa::avx512: return "avx512";
  }
  return "?";
}

}  // namespace rnnlab
