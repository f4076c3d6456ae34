#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"  // GCC 12 false positive in core headers' messages (PR 105651)
#endif
#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/topology.hpp>

#include <algorithm>
#include <numeric>

using namespace rnnlab;

namespace {

double brute_force_assignment(const Eigen::MatrixXd& C) {
  // rows ≤ cols: try every injective map by permuting the columns
  std::vector<Index> cols(static_cast<std::size_t>(C.cols()));
  std::iota(cols.begin(), cols.end(), Index{0});
  double best = 1e300;
  do {
    double s = 0.0;
    for (Index i = 0; i < C.rows(); ++i) s += C(i, cols[static_cast<std::size_t>(i)]);
    best = std::min(best, s);
  } while (std::next_permutation(cols.begin(), cols.end()));
  return best;
}

/// A toy "network": roots on a line, labelled by value, one context.
labelled_points line_roots(const std::vector<double>& values, const std::vector<stability_class>& stab) {
  labelled_points lp;
  lp.points.resize(3, static_cast<Index>(values.size()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    lp.points.col(static_cast<Index>(i)) << 10.0 * values[i], 1.0, -2.0;
    lp.labels.push_back(make_probe(1, false, 0, values[i]));
  }
  lp.stability = stab;
  return lp;
}

}  // namespace

TEST_CASE("Hungarian assignment equals brute force on random square and rectangular matrices") {
  auto g = make_stream(3, {1});
  for (int trial = 0; trial < 30; ++trial) {
    const Index n = 2 + trial % 5, m = n + trial % 3;
    Eigen::MatrixXd C(n, m);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < m; ++j) C(i, j) = std::floor(10.0 * uniform01(g));  // ties on purpose
    const auto a = solve_assignment(C);
    CHECK(a.cost == doctest::Approx(brute_force_assignment(C)));
    std::vector<Index> used = a.row_to_col;
    std::sort(used.begin(), used.end());
    CHECK(std::adjacent_find(used.begin(), used.end()) == used.end());  // distinct columns
    // transposed (more rows than columns): same optimum, one row per column
    const auto t = solve_assignment(C.transpose());
    CHECK(t.cost == doctest::Approx(a.cost));
    CHECK(std::count(t.row_to_col.begin(), t.row_to_col.end(), Index{-1}) == m - n);
  }
}

TEST_CASE("signature: the reference's kNN labels; channel-0 labels lose the second context") {
  // Two contexts, roots at the same places, values ±0.01 per context.
  labelled_points lp;
  lp.n_contexts = 2;
  lp.points.resize(2, 4);
  lp.points << 0.0, 0.1, 5.0, 5.1,  //
      0.0, 0.0, 0.0, 0.0;
  lp.labels = {make_probe(2, true, 0, 0.01), make_probe(2, true, 0, -0.01), make_probe(2, true, 1, 0.01),
               make_probe(2, true, 1, -0.01)};
  topology_signature_params p;
  p.n_roots = 4;
  p.n_neighbours = 2;
  const auto sig = attractor_topology_signature(lp, p);
  REQUIRE(sig.status == topology_status::ok);
  REQUIRE(sig.neighbours.size() == 8);
  // root 0's nearest other root is root 1; root 2's is root 3
  CHECK(sig.neighbours[1].value == -0.01);
  CHECK(sig.neighbours[1].context == 0);
  CHECK(sig.neighbours[5].context == 1);
  CHECK(sig.vector.size() == 4 * 2 * 3);
  CHECK(sig.vector(5 * 3 + 1 + 1) == 1.0);  // context-1 one-hot
  p.label = topology_label::channel0;
  const auto ref = attractor_topology_signature(lp, p);
  CHECK(ref.vector.size() == 8);
  CHECK(ref.vector(4) == 0.0);  // the quirk: a context-1 root gets label 0
  CHECK(ref.vector(0) == 0.01);
  p.n_roots = 10;
  CHECK(attractor_topology_signature(lp, p).status == topology_status::too_few_roots);
}

TEST_CASE("distance: zero for the same topology in any order and any basis; counts extra attractors") {
  const std::vector<double> v{0.0, 0.01, -0.01, 0.02, -0.02};
  const std::vector<stability_class> s(5, stability_class::stable);
  const auto a = line_roots(v, s);
  // the same roots found in another order, in a rotated and scaled state space
  labelled_points b = a;
  const std::vector<Index> perm{3, 0, 4, 2, 1};
  for (Index i = 0; i < 5; ++i) {
    b.points.col(i) = a.points.col(perm[static_cast<std::size_t>(i)]);
    b.labels[static_cast<std::size_t>(i)] = a.labels[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])];
  }
  Eigen::MatrixXd Q = Eigen::MatrixXd::Random(3, 3);
  Q = Eigen::HouseholderQR<Eigen::MatrixXd>(Q).householderQ();
  b.points = 3.0 * Q * b.points;
  CHECK(topology_distance(a, b) == doctest::Approx(0.0).epsilon(1e-14));
  // an extra attractor at zero input (stable integration) costs one unmatched root
  auto c = line_roots({0.0, 0.0, 0.01, -0.01, 0.02, -0.02}, std::vector<stability_class>(6, stability_class::stable));
  c.points.col(1) << 0.0, 5.0, -2.0;
  const double d = topology_distance(a, c);
  CHECK(d > 2.0 / 6.0 - 1e-12);
  CHECK(topology_distance(c, a) == doctest::Approx(d));
  // a different stability class costs stability_cost for that root
  auto e = a;
  e.stability[0] = stability_class::saddle;
  CHECK(topology_distance(a, e) == doctest::Approx(1.0 / 5.0));
  const auto D = topology_distance_matrix({a, b, c, e});
  CHECK(D(0, 1) == doctest::Approx(0.0).epsilon(1e-14));
  CHECK(D(2, 0) == doctest::Approx(d));
  CHECK(D.isApprox(D.transpose()));
}

TEST_CASE("end to end: the same network from different starts has distance 0; stable vs transient differ") {
  const auto unit = [](double w) {
    auto p = ctrnn_parameters<double>::zeros(1, 1, 1);
    p.W_rec(0, 0) = w;
    p.W_in(0, 0) = 1.0;
    return ctrnn<double, activations::tanh>(p, 0.1);
  };
  const auto probes = rdm_probe_small();
  const auto roots_of = [&](const ctrnn<double, activations::tanh>& net, std::uint64_t seed) {
    std::vector<fixed_point_result> results;
    for (const auto& probe : probes.inputs) {
      auto g = make_stream(seed, {1});
      results.push_back(find_fixed_points(net, probe.u, box_starts(1, 40, 4.0, g)));
    }
    return collect_fixed_points(results, probes);
  };
  const auto bistable_a = roots_of(unit(2.0), 1), bistable_b = roots_of(unit(2.0), 2);
  const auto monostable = roots_of(unit(0.5), 1);
  REQUIRE(bistable_a.size() == 63);  // three roots at each of the 21 small inputs
  REQUIRE(monostable.size() == 21);
  // discovery order differs with the starts, the topology does not
  bool order_differs = false;
  for (Index i = 0; i < bistable_a.size(); ++i)
    order_differs = order_differs || std::abs(bistable_a.points(0, i) - bistable_b.points(0, i)) > 1e-6;
  CHECK(order_differs);
  CHECK(topology_distance(bistable_a, bistable_b) == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(topology_distance(bistable_a, monostable) > 0.5);
  CHECK(attractor_topology_signature(bistable_a).status == topology_status::ok);
}
