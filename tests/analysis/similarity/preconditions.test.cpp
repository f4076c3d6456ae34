// Per-metric preconditions (issue 16, kind 4): CKA and the Procrustes angle are defined with more
// units than samples (trial-averaged activity: 60 units × 24 conditions); only CCA and SVCCA need
// more samples than units. The right values come from the samples' kernels (24 × 24 Gram
// matrices), not from the units' cross products the library uses.
#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <span>
#include <vector>

#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/cka.hpp>
#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/analysis/similarity/procrustes.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/random.hpp>

#include "../../support/random_matrices.hpp"

using namespace rnnlab;

namespace {

/// Units × samples activity sharing a 6-dimensional latent over 24 conditions.
Eigen::MatrixXd pc_activity(Index units, const Eigen::MatrixXd& latent, std::uint64_t seed) {
  rng g(seed);
  const Eigen::MatrixXd mix = rnnlab::test::gaussian(units, latent.rows(), g);
  const Eigen::MatrixXd noise = rnnlab::test::gaussian(units, latent.cols(), g);
  return (mix * latent + 0.5 * noise).array().tanh().matrix();
}

/// Linear CKA from the samples' Gram matrices K = X̃ᵀX̃, L = ỸᵀỸ: ⟨K, L⟩ / (‖K‖ ‖L‖).
double pc_cka_kernels(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  const Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean(), Yc = Y.colwise() - Y.rowwise().mean();
  const Eigen::MatrixXd K = Xc.transpose() * Xc, L = Yc.transpose() * Yc;
  return (K.cwiseProduct(L)).sum() / (K.norm() * L.norm());
}

/// The Procrustes angle arccos ‖X̃Ỹᵀ‖_* (X̃, Ỹ centred, unit Frobenius norm), the nuclear norm as
/// the sum of the square roots of the eigenvalues of (X̃Ỹᵀ)ᵀ(X̃Ỹᵀ) (a symmetric eigensolver, not
/// the SVD the library uses).
double pc_procrustes_angle(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  Eigen::MatrixXd Xc = X.colwise() - X.rowwise().mean(), Yc = Y.colwise() - Y.rowwise().mean();
  Xc /= Xc.norm();
  Yc /= Yc.norm();
  const Eigen::MatrixXd C = Yc * Xc.transpose() * Xc * Yc.transpose();  // (X̃Ỹᵀ)ᵀ(X̃Ỹᵀ), symmetric PSD
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(C);
  double nuclear = 0.0;
  // C has rank ≤ samples − 1; its zero eigenvalues come out as ±1e-17 residue whose square roots
  // (≈ 3e-9 each) would bias the sum: only eigenvalues above rounding level count
  const double top = es.eigenvalues().maxCoeff();
  for (Index i = 0; i < es.eigenvalues().size(); ++i)
    if (es.eigenvalues()(i) > 1e-13 * top) nuclear += std::sqrt(es.eigenvalues()(i));
  return std::acos(std::min(nuclear, 1.0));
}

}  // namespace

TEST_CASE("CKA and Procrustes accept more units than samples; CCA and SVCCA refuse, naming samples") {
  rng g(4);
  const Eigen::MatrixXd S = rnnlab::test::gaussian(6, 24, g);
  const Eigen::MatrixXd X = pc_activity(60, S, 5), Y = pc_activity(45, S, 6);
  const auto c = cka(X, Y);
  REQUIRE(c.status == similarity_status::ok);
  CHECK(c.similarity == doctest::Approx(pc_cka_kernels(X, Y)).epsilon(1e-10));
  const auto pr = procrustes(X, Y);
  REQUIRE(pr.status == similarity_status::ok);
  CHECK(pr.angle == doctest::Approx(pc_procrustes_angle(X, Y)).epsilon(1e-9));
  CHECK_THROWS_WITH_AS(cca(X, Y), doctest::Contains("more samples"), shape_error);
  CHECK_THROWS_WITH_AS(svcca(X, Y), doctest::Contains("more samples"), shape_error);
}

TEST_CASE("distance_matrix: the same preconditions per metric as the pairwise functions") {
  rng g(7);
  const Eigen::MatrixXd S = rnnlab::test::gaussian(6, 24, g);
  const std::vector<Eigen::MatrixXd> acts{pc_activity(60, S, 8), pc_activity(45, S, 9), pc_activity(30, S, 10)};
  const std::span<const Eigen::MatrixXd> a(acts);
  distance_matrix_params p;
  p.metric = similarity_metric::cka;
  const auto dk = distance_matrix(a, p);
  REQUIRE(dk.status == similarity_status::ok);
  p.metric = similarity_metric::procrustes;
  const auto dp = distance_matrix(a, p);
  REQUIRE(dp.status == similarity_status::ok);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      if (i == j) continue;
      const auto I = static_cast<Index>(i), J = static_cast<Index>(j);
      CHECK(dk.distances(I, J) == doctest::Approx(1.0 - pc_cka_kernels(acts[i], acts[j])).epsilon(1e-9));
      CHECK(dp.distances(I, J) == doctest::Approx(pc_procrustes_angle(acts[i], acts[j])).epsilon(1e-8));
    }
  p.metric = similarity_metric::cca;
  CHECK_THROWS_WITH_AS(distance_matrix(a, p), doctest::Contains("more samples"), shape_error);
  p.metric = similarity_metric::svcca;
  CHECK_THROWS_WITH_AS(distance_matrix(a, p), doctest::Contains("more samples"), shape_error);
  // a single sample is refused by every metric (centring leaves nothing)
  const std::vector<Eigen::MatrixXd> one{Eigen::MatrixXd::Ones(3, 1), Eigen::MatrixXd::Ones(3, 1)};
  CHECK_THROWS_AS(cka(one[0], one[1]), shape_error);
  CHECK_THROWS_AS(procrustes(one[0], one[1]), shape_error);
}

TEST_CASE("debiased CKA of one unit per sample: the self-HSIC cancels to 0, reported undefined with a reason") {
  // X = I (8 units, 8 samples): the centred kernel has equal diagonal and equal off-diagonal entries,
  // for which the debiased HSIC is exactly 0 (each term cancels); computed, it is rounding residue.
  const Eigen::MatrixXd X = Eigen::MatrixXd::Identity(8, 8);
  rng g(11);
  const Eigen::MatrixXd Y = rnnlab::test::gaussian(3, 8, g);
  const auto r = cka(X, Y, cka_params{true});
  CHECK(r.status == similarity_status::undefined);
  CHECK(std::isnan(r.similarity));
  CHECK(r.reason.find("self-HSIC of X") != std::string::npos);
  // the plain (biased) CKA is defined for the same data: ⟨K, L⟩ / (‖K‖ ‖L‖) from the kernels
  const auto plain = cka(X, Y, cka_params{false});
  CHECK(plain.status == similarity_status::ok);
  CHECK(plain.similarity == doctest::Approx(pc_cka_kernels(X, Y)).epsilon(1e-12));
  // a well-conditioned pair stays ok
  const Eigen::MatrixXd Z = rnnlab::test::gaussian(5, 30, g), V = rnnlab::test::gaussian(4, 30, g);
  CHECK(cka(Z, V, cka_params{true}).status == similarity_status::ok);
}
