#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/probe_sets.hpp>

#include <cmath>

using namespace rnnlab;

TEST_CASE("RDM probe sets: the reference's values and order") {
  const auto large = rdm_probe_large();
  REQUIRE(large.size() == 5);
  CHECK(large.matrix()(0, 0) == 0.5);
  CHECK(large.matrix()(4, 0) == -0.5);
  const auto small = rdm_probe_small();
  REQUIRE(small.size() == 21);
  CHECK(small.inputs[0].value == 0.0);
  CHECK(small.inputs[1].value == doctest::Approx(0.003));
  CHECK(small.inputs[2].value == doctest::Approx(-0.003));
  CHECK(small.inputs[20].value == doctest::Approx(-0.03));
  const auto sparse = rdm_probe_sparse();
  REQUIRE(sparse.size() == 11);
  CHECK(sparse.inputs[1].value == doctest::Approx(0.006));
  for (const auto& p : small.inputs) {
    CHECK(p.u.size() == 1);
    CHECK(p.u(0) == p.value);
    CHECK(p.context == 0);
  }
}

TEST_CASE("CDI small set: 42 inputs, contexts interleaved, sorted by |v|") {
  const auto s = context_probe_small(2);
  REQUIRE(s.size() == 42);
  CHECK(s.n_inputs == 4);
  const Eigen::MatrixXd U = s.matrix();
  // even rows (v, 0, 1, 0), odd rows (0, v, 0, 1)
  for (Index r = 0; r < 42; ++r) {
    const bool even = r % 2 == 0;
    CHECK(U(r, even ? 1 : 0) == 0.0);
    CHECK(U(r, 2) == (even ? 1.0 : 0.0));
    CHECK(U(r, 3) == (even ? 0.0 : 1.0));
    CHECK(s.inputs[static_cast<std::size_t>(r)].context == (even ? 0 : 1));
  }
  CHECK(U(0, 0) == 0.0);
  CHECK(U(2, 0) == doctest::Approx(-0.002));  // ties: −v before +v
  CHECK(U(4, 0) == doctest::Approx(0.002));
  CHECK(std::abs(U(40, 0)) == doctest::Approx(0.02));
  for (Index r = 2; r < 42; r += 2) CHECK(std::abs(U(r, 0)) >= std::abs(U(r - 2, 0)) - 1e-15);
}

TEST_CASE("N-CDI small set: row k·N + c has evidence c and context N + c") {
  const int N = 3;
  const auto s = context_probe_small(N);
  REQUIRE(s.size() == 21 * N);
  for (Index k = 0; k < 21; ++k)
    for (int c = 0; c < N; ++c) {
      const auto& p = s.inputs[static_cast<std::size_t>(k * N + c)];
      CHECK(p.u.size() == 2 * N);
      CHECK(p.u(c) == p.value);
      CHECK(p.u(N + c) == 1.0);
      CHECK(p.u.sum() == doctest::Approx(1.0 + p.value));
    }
}

TEST_CASE("probe sets by name follow the input layout; unknown names and layouts are errors") {
  CHECK(probe_set_by_name("small", 1).size() == 21);
  CHECK(probe_set_by_name("small", 4).size() == 42);
  CHECK(probe_set_by_name("large", 6).size() == 15);
  CHECK(probe_set_by_name("zero", 4).size() == 2);
  CHECK(probe_set_by_name("zero", 1).matrix()(0, 0) == 0.0);
  CHECK_THROWS_AS(probe_set_by_name("sparse", 4), argument_error);
  CHECK_THROWS_AS(probe_set_by_name("nope", 1), argument_error);
  CHECK_THROWS_AS(probe_set_by_name("small", 3), shape_error);
}
