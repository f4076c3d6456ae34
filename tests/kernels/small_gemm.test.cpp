#include <doctest/doctest.h>

#include <rnnlab/kernels/small_gemm.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>

#include <cmath>
#include <limits>
#include <vector>

// small_gemm for every ISA this build can run (kernels/simd.hpp: the portable Eigen kernel always,
// the AVX2 and AVX-512 micro-kernels when the compiler targets them; each instantiated explicitly,
// no macro) against a naive triple loop in long double, for sizes that are not multiples of
// the vector width (m = 1, 7, 50, 53 and a two-panel 61), column counts that leave partial
// micro-tiles and partial chunks (n = 1, 3, 250), with and without the second operand and the
// bias, β = 0 (C must not be read: it starts as NaN) and β ≠ 0, and leading dimensions larger than
// the rows (the padding rows of C must stay untouched: no row padding leaks out of the kernel);
// then the same for the weight-gradient product gemm_nt_accumulate.

using rnnlab::Index;
using rnnlab::simd_isa;

namespace {

template <class Scalar>
struct gemm_case {
  Index m, k1, k2, n;
  bool bias;
  Scalar alpha, beta;
};

template <class Scalar, simd_isa Isa>
void check_case(const gemm_case<Scalar>& c) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  CAPTURE(c.m);
  CAPTURE(c.k1);
  CAPTURE(c.k2);
  CAPTURE(c.n);
  CAPTURE(c.bias);
  CAPTURE(c.beta);
  rnnlab::rng g(static_cast<std::uint64_t>(1000 * c.m + 100 * c.k1 + 10 * c.k2 + c.n));
  const auto draw = [&](Index r, Index cols) {
    matrix M(r, cols);
    for (Index j = 0; j < cols; ++j)
      for (Index i = 0; i < r; ++i) M(i, j) = static_cast<Scalar>(rnnlab::standard_normal(g));
    return M;
  };
  const matrix A1 = draw(c.m, c.k1), A2 = draw(c.m, c.k2), bias = draw(c.m, 1);
  const Index ld1 = c.k1 + 2, ld2 = c.k2 + 1, ldc = c.m + 3;
  const matrix B1 = draw(ld1, c.n), B2 = draw(ld2, c.n);
  const Scalar sentinel = Scalar(12345);
  matrix C = matrix::Constant(ldc, c.n, sentinel);
  const matrix C0 = draw(c.m, c.n);
  if (c.beta != Scalar(0))
    C.topRows(c.m) = C0;
  else
    C.topRows(c.m).setConstant(std::numeric_limits<Scalar>::quiet_NaN());

  rnnlab::detail::packed_lhs<Scalar, Isa> P;
  if (c.bias)
    P.pack(A1, A2, bias);
  else if (c.k2 > 0)
    P.pack(A1, A2);
  else
    P.pack(A1);

  std::vector<Index> seen;
  Index next = 0;
  bool in_order = true;
  rnnlab::detail::small_gemm(P, B1.data(), ld1, c.k2 > 0 ? B2.data() : nullptr, ld2, c.n, C.data(), ldc, c.alpha, c.beta,
         [&](Index c0, Index nc) {
           in_order = in_order && c0 == next && nc > 0;
           next = c0 + nc;
         });
  CHECK(in_order);
  CHECK(next == c.n);

  const long double eps = std::numeric_limits<Scalar>::epsilon();
  long double worst = 0;
  for (Index j = 0; j < c.n; ++j)
    for (Index i = 0; i < c.m; ++i) {
      long double s = c.bias ? static_cast<long double>(bias(i)) : 0.0L, mag = std::abs(s);
      for (Index k = 0; k < c.k1; ++k) {
        const long double t = static_cast<long double>(A1(i, k)) * static_cast<long double>(B1(k, j));
        s += t;
        mag += std::abs(t);
      }
      for (Index k = 0; k < c.k2; ++k) {
        const long double t = static_cast<long double>(A2(i, k)) * static_cast<long double>(B2(k, j));
        s += t;
        mag += std::abs(t);
      }
      long double ref = static_cast<long double>(c.alpha) * s;
      mag = std::abs(static_cast<long double>(c.alpha)) * mag;
      if (c.beta != Scalar(0)) {
        const long double bc = static_cast<long double>(c.beta) * static_cast<long double>(C0(i, j));
        ref += bc;
        mag += std::abs(bc);
      }
      // Error bound of a length-K dot product: K ε Σ|terms| (plus the final scalings).
      const long double bound = static_cast<long double>(c.k1 + c.k2 + 3) * eps * (mag + 1);
      const long double err = std::abs(static_cast<long double>(C(i, j)) - ref);
      worst = std::max(worst, err / bound);
    }
  CHECK(worst <= 1.0L);
  CHECK((C.bottomRows(ldc - c.m).array() == sentinel).all());
}

template <class Scalar, simd_isa Isa>
void check_all() {
  CAPTURE(rnnlab::isa_name(Isa));
  for (Index m : {1, 7, 50, 53, 61})
    for (Index n : {1, 3, 250})
      for (bool second : {false, true})
        for (Scalar beta : {Scalar(0), Scalar(0.7)}) {
          const Index k1 = m == 61 ? 17 : m;  // square (W_rec) and a wide panel with a short k
          check_case<Scalar, Isa>({m, k1, second ? 2 : 0, n, second, Scalar(0.3), beta});
        }
  // α = 1, β = 1 and a long k.
  check_case<Scalar, Isa>({50, 120, 4, 97, true, Scalar(1), Scalar(1)});
}

}  // namespace

TEST_CASE_TEMPLATE("small_gemm matches a naive triple loop", Scalar, float, double) {
  SUBCASE("native") { check_all<Scalar, rnnlab::native_isa>(); }
  SUBCASE("portable") { check_all<Scalar, simd_isa::portable>(); }
  if constexpr (rnnlab::isa_enabled(simd_isa::avx2)) {
    SUBCASE("avx2") { check_all<Scalar, simd_isa::avx2>(); }
  }
}

TEST_CASE("the ISAs differ in layout, not in meaning") {
  // The portable operand keeps no panels; a vector one packs whole vectors (rows rounded up).
  const Eigen::MatrixXf A = Eigen::MatrixXf::Ones(50, 50);
  rnnlab::detail::packed_lhs<float, simd_isa::portable> portable;
  portable.pack(A);
  CHECK(portable.panels().empty());
  CHECK(rnnlab::detail::aligned_leading_dimension<float, simd_isa::portable>(50) == 50);
  CHECK_FALSE(rnnlab::detail::small_gemm_is_simd<simd_isa::portable>());
  if constexpr (rnnlab::native_isa != simd_isa::portable) {
    CHECK(rnnlab::detail::small_gemm_is_simd<rnnlab::native_isa>());
    CHECK(rnnlab::detail::aligned_leading_dimension<float>(50) == 56);  // 8 float lanes
    CHECK(rnnlab::detail::aligned_leading_dimension<double>(50) == 52);  // 4 double lanes
  }
}

TEST_CASE("packed_lhs splits rows into panels of whole vectors") {
  rnnlab::detail::packed_lhs<double> P;
  const Eigen::MatrixXd A = Eigen::MatrixXd::Ones(50, 50);
  P.pack(A);
  if constexpr (rnnlab::native_isa != simd_isa::portable) {  // the portable kernel packs no panels
    constexpr int L = rnnlab::detail::gemm::lanes<double, rnnlab::detail::gemm::kernel_isa(rnnlab::native_isa)>();
    Index covered = 0;
    for (const auto& pn : P.panels()) {
      CHECK(pn.row0 == covered);
      covered += pn.mv * L;
    }
    CHECK(covered >= 50);
    CHECK(covered < 50 + L);
  }
  // Re-packing another matrix of the same shape replaces the values.
  const Eigen::MatrixXd A2 = 2 * A;
  P.pack(A2);
  std::vector<double> C(50, 0), b(50, 1);
  rnnlab::detail::small_gemm(P, b.data(), 50, static_cast<const double*>(nullptr), 0, 1, C.data(), 50, 1.0, 0.0);
  CHECK(C[0] == 100.0);
  CHECK(C[49] == 100.0);
}

// The weight-gradient product C += G Rᵀ against a naive loop: awkward m and n, K across several
// k-slices, G and R stored exactly (ld = rows, so the masked tail of G's last column ends the
// buffer: an unmasked load would show under ASan), padding rows of C untouched.
template <class Scalar, class Kernel>
void check_nt(Index m, Index n, Index K, Kernel&& kernel) {
  using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  CAPTURE(m);
  CAPTURE(n);
  CAPTURE(K);
  rnnlab::rng g(static_cast<std::uint64_t>(7 * m + 31 * n + K));
  const auto draw = [&](Index r, Index c) {
    matrix M(r, c);
    for (Index j = 0; j < c; ++j)
      for (Index i = 0; i < r; ++i) M(i, j) = static_cast<Scalar>(rnnlab::standard_normal(g));
    return M;
  };
  const matrix G = draw(m, K), R = draw(n, K), C0 = draw(m, n);
  const Index ldc = m + 2;
  const Scalar sentinel = Scalar(-777);
  matrix C = matrix::Constant(ldc, n, sentinel);
  C.topRows(m) = C0;
  kernel(m, n, K, G.data(), m, R.data(), n, C.data(), ldc);
  const long double eps = std::numeric_limits<Scalar>::epsilon();
  long double worst = 0;
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < m; ++i) {
      long double s = static_cast<long double>(C0(i, j)), mag = std::abs(s);
      for (Index k = 0; k < K; ++k) {
        const long double t = static_cast<long double>(G(i, k)) * static_cast<long double>(R(j, k));
        s += t;
        mag += std::abs(t);
      }
      worst = std::max(worst, std::abs(static_cast<long double>(C(i, j)) - s) / (static_cast<long double>(K + 1) * eps * (mag + 1)));
    }
  CHECK(worst <= 1.0L);
  CHECK((C.bottomRows(2).array() == sentinel).all());
}

TEST_CASE_TEMPLATE("gemm_nt_accumulate matches a naive loop", Scalar, float, double) {
  for (Index m : {1, 7, 50, 53, 61})
    for (Index n : {1, 3, 50, 53})
      for (Index K : {1, 300, 777}) {
        check_nt<Scalar>(m, n, K, [](auto&&... a) { rnnlab::detail::gemm_nt_accumulate<Scalar>(a...); });
        check_nt<Scalar>(m, n, K,
                         [](auto&&... a) { rnnlab::detail::gemm_nt_accumulate<Scalar, simd_isa::portable>(a...); });
        if constexpr (rnnlab::isa_enabled(simd_isa::avx2))
          check_nt<Scalar>(m, n, K,
                           [](auto&&... a) { rnnlab::detail::gemm_nt_accumulate<Scalar, simd_isa::avx2>(a...); });
      }
}
