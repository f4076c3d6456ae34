#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/io/json.hpp>
#include <rnnlab/io/npy.hpp>

using namespace rnnlab;

namespace {
// Five points on a line, clusters {0, 1, 2} and {10, 11}.
Eigen::MatrixXd line_distances() {
  const double x[5] = {0, 1, 2, 10, 11};
  Eigen::MatrixXd D(5, 5);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) D(i, j) = std::abs(x[i] - x[j]);
  return D;
}
const std::vector<int> line_labels{7, 7, 7, 3, 3};

struct block {
  std::string rule;
  int contexts;
  Index start, count;
};
std::vector<block> fixture_blocks() {
  const auto j = io::read_json(std::filesystem::path(RNNLAB_DATA_DIR) / "fixtures/svcca_distances_bptt_ga_ncdi.json");
  std::vector<block> out;
  Index start = 0;
  for (const auto& b : j.at("blocks")) {
    out.push_back({b.at("rule").get<std::string>(), b.at("contexts").get<int>(), start, b.at("count").get<Index>()});
    start += out.back().count;
  }
  return out;
}
}  // namespace

TEST_CASE("silhouette: a hand-computed five-point example") {
  const auto r = silhouette(line_distances(), line_labels);
  // a, b by hand: x=0: 1.5, 10.5; x=1: 1, 9.5; x=2: 1.5, 8.5; x=10: 1, 9; x=11: 1, 10.
  const double s[5] = {9.0 / 10.5, 8.5 / 9.5, 7.0 / 8.5, 8.0 / 9.0, 9.0 / 10.0};
  for (Index i = 0; i < 5; ++i) CHECK(r.samples(i) == doctest::Approx(s[i]).epsilon(1e-14));
  CHECK(r.score == doctest::Approx((s[0] + s[1] + s[2] + s[3] + s[4]) / 5.0).epsilon(1e-14));
  REQUIRE(r.clusters == std::vector<int>{3, 7});
  CHECK(r.cluster_scores[0] == doctest::Approx((s[3] + s[4]) / 2.0));
  // The diagonal is ignored in the precomputed convention.
  Eigen::MatrixXd D = line_distances();
  D.diagonal().setConstant(0.5);
  CHECK(silhouette(D, line_labels).score == doctest::Approx(r.score).epsilon(1e-14));
}

TEST_CASE("silhouette: rows as Euclidean features equals the precomputed score of the row distances") {
  const Eigen::MatrixXd D = line_distances();
  Eigen::MatrixXd R(5, 5);
  for (Index i = 0; i < 5; ++i)
    for (Index j = 0; j < 5; ++j) R(i, j) = (D.row(i) - D.row(j)).norm();
  CHECK((row_distances(D) - R).cwiseAbs().maxCoeff() < 1e-12);
  const auto rows = silhouette(D, line_labels, {silhouette_metric::rows_as_features});
  CHECK(rows.score == doctest::Approx(silhouette(R, line_labels).score).epsilon(1e-14));
  // x=0 by hand: its row (0,1,2,10,11) is at distances √6 and √3·... from cluster-mates; just check it differs.
  CHECK(rows.score != doctest::Approx(silhouette(D, line_labels).score));
}

TEST_CASE("silhouette: singleton clusters score 0 and bad input is a clear error") {
  const std::vector<int> labels{0, 0, 0, 0, 1};
  CHECK(silhouette(line_distances(), labels).samples(4) == 0.0);
  CHECK_THROWS_AS(silhouette(line_distances(), std::vector<int>{0, 0, 0, 0, 0}), argument_error);
  CHECK_THROWS_AS(silhouette(line_distances(), std::vector<int>{0, 1, 2, 3, 4}), argument_error);
  CHECK_THROWS_AS(silhouette(line_distances(), std::vector<int>{0, 1}), shape_error);
  Eigen::MatrixXd D = line_distances();
  D(0, 1) = 5.0;
  CHECK_THROWS_WITH_AS(silhouette(D, line_labels), doctest::Contains("symmetric"), argument_error);
  D(0, 1) = D(1, 0) = std::nan("");
  CHECK_THROWS_AS(silhouette(D, line_labels), argument_error);
  CHECK_THROWS_AS(silhouette(Eigen::MatrixXd::Zero(3, 4), std::vector<int>{0, 1, 1}), shape_error);
}

TEST_CASE("silhouette permutation test: well separated clusters are significant, random labels are not") {
  rng g(5);
  const auto sep = silhouette_permutation_test(line_distances(), line_labels, {silhouette_metric::precomputed, 200}, g);
  // Only 10 distinct labelings of 5 points into 3 + 2 exist; the true one is the best, so about 1/10 of
  // shuffles reproduce it.
  CHECK(sep.p_value == doctest::Approx((1.0 + static_cast<double>(sep.n_at_least)) / 201.0));
  CHECK(sep.n_at_least > 5);
  CHECK(sep.n_at_least < 45);
  CHECK(sep.null_mean < sep.observed);
  // 40 points in two well separated groups: p = 1/(1+n).
  Eigen::MatrixXd D(40, 40);
  std::vector<int> labels(40);
  for (Index i = 0; i < 40; ++i) {
    labels[static_cast<std::size_t>(i)] = i < 20 ? 0 : 1;
    for (Index j = 0; j < 40; ++j) D(i, j) = std::abs(static_cast<double>((i < 20 ? i : i + 100) - (j < 20 ? j : j + 100)));
  }
  const auto big = silhouette_permutation_test(D, labels, {silhouette_metric::rows_as_features, 99}, g);
  CHECK(big.p_value == doctest::Approx(0.01));
  // Same generator state → same result.
  rng g1(9), g2(9);
  CHECK(silhouette_permutation_test(D, labels, {silhouette_metric::precomputed, 50}, g1).null_mean ==
        silhouette_permutation_test(D, labels, {silhouette_metric::precomputed, 50}, g2).null_mean);
  CHECK_THROWS_AS(silhouette_permutation_test(D, labels, {silhouette_metric::precomputed, 0}, g), argument_error);
}

TEST_CASE("silhouette: the authors' SVCCA distance matrix gives the published per-N scores in both conventions") {
  const auto D = io::read_npy_matrix<double>(std::filesystem::path(RNNLAB_DATA_DIR) /
                                             "fixtures/svcca_distances_bptt_ga_ncdi.npy");
  REQUIRE(D.rows() == 561);
  REQUIRE(D.cols() == 561);
  const auto blocks = fixture_blocks();
  REQUIRE(blocks.size() == 12);
  // reference_code_spec §1.12 (three decimals). 34 of the 36 published figures are the rounded values
  // of what is computed here; two are one unit off in the last digit (N = 3 precomputed: 0.243469 is
  // published as 0.244; N = 1 GA–GA mean: 0.006482 as .007), so the tolerance is 6e-4, not 5e-4.
  constexpr double tol = 6e-4;
  const double precomputed[6] = {0.291, 0.176, 0.244, 0.151, 0.158, 0.163};
  const double rows[6] = {0.354, 0.164, 0.201, 0.084, 0.113, 0.147};
  const double means[6][3] = {{.011, .007, .013}, {.027, .055, .049}, {.265, .156, .284},
                              {.370, .356, .431}, {.409, .459, .518}, {.433, .523, .574}};
  for (int N = 1; N <= 6; ++N) {
    CAPTURE(N);
    const block& b = blocks[static_cast<std::size_t>(2 * (N - 1))];
    const block& a = blocks[static_cast<std::size_t>(2 * (N - 1) + 1)];
    REQUIRE(b.rule == "BPTT");
    REQUIRE(a.rule == "GA");
    REQUIRE(b.contexts == N);
    const Index n = b.count + a.count;
    const Eigen::MatrixXd sub = D.block(b.start, b.start, n, n);
    std::vector<int> labels(static_cast<std::size_t>(n), 1);
    std::fill(labels.begin(), labels.begin() + b.count, 0);
    CHECK(std::abs(silhouette(sub, labels).score - precomputed[N - 1]) <= tol);
    CHECK(std::abs(silhouette(sub, labels, {silhouette_metric::rows_as_features}).score - rows[N - 1]) <= tol);
    const auto off_mean = [](const Eigen::MatrixXd& M) { return (M.sum() - M.diagonal().sum()) / static_cast<double>(M.size() - M.rows()); };
    CHECK(std::abs(off_mean(sub.topLeftCorner(b.count, b.count)) - means[N - 1][0]) <= tol);
    CHECK(std::abs(off_mean(sub.bottomRightCorner(a.count, a.count)) - means[N - 1][1]) <= tol);
    CHECK(std::abs(sub.topRightCorner(b.count, a.count).mean() - means[N - 1][2]) <= tol);
  }
}
