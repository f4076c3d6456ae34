// The topology distance's two review fixes (issue 12, item 7): the value scale comes from the
// probe set, not from the two networks compared; equidistant neighbours are ranked by a rule that
// does not depend on the order in which the roots were found.
#include <doctest/doctest.h>

#include <rnnlab/analysis/dynamics/topology.hpp>

#include <vector>

using namespace rnnlab;

namespace {

/// Roots in the plane with the given coordinates and RDM labels; the probe set's scale s.
labelled_points topofix_roots(const std::vector<std::pair<double, double>>& xy, const std::vector<double>& values,
                              double s) {
  labelled_points lp;
  lp.points.resize(2, static_cast<Index>(xy.size()));
  for (std::size_t i = 0; i < xy.size(); ++i) {
    lp.points.col(static_cast<Index>(i)) << xy[i].first, xy[i].second;
    lp.labels.push_back(make_probe(1, false, 0, values[i]));
    lp.stability.push_back(stability_class::stable);
  }
  lp.value_scale = s;
  return lp;
}

}  // namespace

TEST_CASE("topology distance: the value scale is the probe set's, the same for every pair of a matrix") {
  // Two networks whose roots reach only |value| 0.01 on a probe set reaching 0.03: one root of b
  // has another label (0.01 instead of -0.01), nothing else differs.
  const auto a = topofix_roots({{0, 0}, {1, 0}, {-1, 0}}, {0.0, 0.01, -0.01}, 0.03);
  auto b = a;
  b.labels[2] = make_probe(1, false, 0, 0.01);
  topology_distance_params p;
  p.n_neighbours = 1;  // label costs only: hand-computable
  // Matching: roots 0 and 1 at cost 0, root 2 at |−0.01 − 0.01| / 0.03 = 2/3; divided by 3 roots.
  CHECK(topology_distance(a, b, p) == doctest::Approx((0.02 / 0.03) / 3.0).epsilon(1e-12));
  // A third network with larger values does not change the (a, b) entry of the matrix.
  const auto c = topofix_roots({{0, 0}, {1, 0}, {-1, 0}}, {0.0, 0.03, -0.03}, 0.03);
  const auto D = topology_distance_matrix({a, b, c}, p);
  CHECK(D(0, 1) == doctest::Approx((0.02 / 0.03) / 3.0).epsilon(1e-12));
  CHECK(D(0, 2) == doctest::Approx((0.02 / 0.03 * 2) / 3.0).epsilon(1e-12));
  // collect_fixed_points records the probe set's scale.
  const auto probes = rdm_probe_small();
  std::vector<fixed_point_result> none(static_cast<std::size_t>(probes.size()));
  CHECK(collect_fixed_points(none, probes).value_scale == doctest::Approx(0.03));
  // Roots of different probe sets are not comparable.
  auto other = a;
  other.value_scale = 0.5;
  CHECK_THROWS_AS(topology_distance(a, other, p), argument_error);
}

TEST_CASE("topology distance: equidistant neighbours do not depend on discovery order") {
  // Root 0 at the origin has two neighbours at exactly distance 1 (labels +0.01 and -0.01) and a far
  // one; with one neighbour in the descriptor the tie must be broken by label, not by index.
  const auto a = topofix_roots({{0, 0}, {1, 0}, {-1, 0}, {0, 7}}, {0.0, 0.01, -0.01, 0.02}, 0.03);
  auto b = topofix_roots({{0, 0}, {-1, 0}, {1, 0}, {0, 7}}, {0.0, -0.01, 0.01, 0.02}, 0.03);  // found in another order
  topology_distance_params p;
  p.n_neighbours = 2;
  CHECK(topology_distance(a, b, p) == doctest::Approx(0.0).epsilon(1e-15));
  // The same with the tie only up to rounding (a mirror image computed in floating point).
  b.points.col(1) << -1.0 * (1 + 1e-13), 0.0;
  CHECK(topology_distance(a, b, p) == doctest::Approx(0.0).epsilon(1e-15));
  // A real difference is still seen: move root -0.01 farther away in b, so root 0's nearest is +0.01
  // in b but -0.01 would be picked by label in a tie; the distances now differ.
  auto c = a;
  c.points.col(1) << 0.5, 0.0;  // +0.01 strictly nearest in c
  auto d = a;
  d.points.col(2) << -0.5, 0.0;  // -0.01 strictly nearest in d
  CHECK(topology_distance(c, d, p) > 0.0);
}
