// Compile-only checks of the analysis module's generic interfaces: the metrics take any Eigen
// expression (double or float), the probe inputs need an evidence-integration task, and the wrong
// argument types are rejected at the call site.
#include <rnnlab/analysis/similarity/activity.hpp>
#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/cka.hpp>
#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/analysis/similarity/procrustes.hpp>
#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <concepts>
#include <span>
#include <vector>

namespace {
using namespace rnnlab;

template <class X, class Y>
concept SvccaComparable = requires(const X& x, const Y& y) {
  { svcca(x, y) } -> std::convertible_to<svcca_result>;
};
template <class X, class Y>
concept CkaComparable = requires(const X& x, const Y& y) {
  { cka(x, y) } -> std::convertible_to<cka_result>;
};
template <class T>
concept Probeable = requires(const T& t) { svcca_probe_inputs<double>(t); };
template <class M>
concept PopulationInput = requires(std::span<const M> s) { distance_matrix(s); };

static_assert(SvccaComparable<Eigen::MatrixXd, Eigen::MatrixXd>);
static_assert(SvccaComparable<Eigen::MatrixXf, Eigen::MatrixXd>);
static_assert(SvccaComparable<decltype(Eigen::MatrixXd() * 2.0), Eigen::MatrixXd>);
static_assert(SvccaComparable<activity_factor, activity_factor>);
static_assert(!SvccaComparable<std::vector<double>, Eigen::MatrixXd>);
static_assert(!SvccaComparable<activity_factor, Eigen::MatrixXd>);
static_assert(CkaComparable<Eigen::MatrixXf, Eigen::MatrixXf>);
static_assert(!CkaComparable<double, double>);
static_assert(Probeable<random_dots>);
static_assert(Probeable<context_integration>);
static_assert(!Probeable<int>);
// Any SimilarityMetric policy feeds distance_matrix; a non-metric does not.
template <class M>
concept PopulationMetric = requires(std::span<const Eigen::MatrixXd> s, const M& m) {
  { distance_matrix(s, m) } -> std::same_as<distance_matrix_result>;
};
static_assert(SimilarityMetric<svcca_metric> && PopulationMetric<svcca_metric>);
static_assert(SimilarityMetric<cca_metric> && PopulationMetric<cca_metric>);
static_assert(SimilarityMetric<cka_metric> && PopulationMetric<cka_metric>);
static_assert(SimilarityMetric<procrustes_metric> && PopulationMetric<procrustes_metric>);
static_assert(!SimilarityMetric<similarity_metric>);
static_assert(!PopulationMetric<int>);
static_assert(PopulationInput<Eigen::MatrixXd>);
static_assert(!PopulationInput<std::vector<double>>);
}  // namespace
