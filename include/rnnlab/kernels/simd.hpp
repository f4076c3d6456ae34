#pragma once
/// \file kernels/simd.hpp
/// The one SIMD switch of the library's kernels.
///
/// Every kernel with a vector path takes the instruction set as a template parameter defaulted to
/// `native_isa` (`template <simd_isa Isa = native_isa> ...`), so that the portable and the vector
/// variants are different types/functions and can live in one program (a test instantiates
/// `<simd_isa::portable>` explicitly). `native_isa` is `avx512` when the compiler targets
/// AVX-512F and the program has not defined `RNNLAB_PORTABLE_KERNELS` (for the whole program, on
/// the command line); otherwise `portable`. No macro changes the layout or meaning of a type or
/// an inline function depending on which translation unit includes it.

namespace rnnlab {

/// The instruction set a kernel is instantiated for.
enum class simd_isa { portable, avx512 };

/// The instruction set the kernels use by default in this program.
#if defined(__AVX512F__) && !defined(RNNLAB_PORTABLE_KERNELS)
inline constexpr simd_isa native_isa = simd_isa::avx512;
#else
inline constexpr simd_isa native_isa = simd_isa::portable;
#endif

}  // namespace rnnlab
