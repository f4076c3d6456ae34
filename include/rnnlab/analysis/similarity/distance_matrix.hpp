#pragma once
/// \file analysis/similarity/distance_matrix.hpp
/// Population distance matrices: the P × P distances between P networks' activity on the same
/// inputs, for any metric of this module (McMahan et al. 2021 §2.6, Figs. 1a, 2a).
///
/// Pipeline (DESIGN.md "Pairwise similarity over P networks"):
///  1. factor each network once (analysis/similarity/pca.hpp: centring, Gram eigen-decomposition, whitening to
///     an orthonormal basis W_i of K_i rows), in parallel over networks;
///  2. form the cross products M_ij = W_i W_jᵀ tile by tile (a tile is one product between two
///     groups of networks of ≈ 448 basis rows each, read in place by the packed kernel of
///     kernels/cross_products.hpp; a diagonal tile only below its diagonal), in parallel
///     over tiles;
///  3. per pair, only K_i × K_j work on M_ij:
///       svcca       1 − summary of svd(D_i M_ij D_j) (analysis/similarity/svcca.hpp; PWCCA is symmetrised as
///                   ½(pwcca(i, j) + pwcca(j, i)) so that the matrix is symmetric),
///       cca         1 − mean canonical correlation (all numerically non-zero components),
///       cka         1 − ‖S_i M_ij S_j‖_F² / (‖s_i²‖ ‖s_j²‖)  (debiased: see analysis/similarity/cka.hpp),
///       procrustes  arccos(‖S_i M_ij S_j‖_* / (‖s_i‖ ‖s_j‖)), the angular shape metric.
/// CKA and Procrustes are exact with the default full-rank factorisation (variance threshold 1).
///
/// The result is symmetric with an exact zero diagonal, and NaN-free unless `status` reports a
/// failed decomposition (which needs non-finite data, rejected up front). Threads: the dynamic loop
/// of kernels/parallel.hpp over networks, then over tiles, with a fixed tiling, so the result is
/// bit-identical whatever the thread count; Eigen's own threading is not used inside (no nesting).

#include <Eigen/Core>
#include <Eigen/SVD>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rnnlab/names.hpp>
#include <rnnlab/analysis/concepts.hpp>
#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/cka.hpp>
#include <rnnlab/kernels/cross_products.hpp>
#include <rnnlab/analysis/similarity/pca.hpp>
#include <rnnlab/analysis/similarity/procrustes.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/kernels/large_buffer.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/error.hpp>

namespace rnnlab {

/// The metric of a population distance matrix.
enum class similarity_metric { svcca, cca, cka, procrustes };

/// The names of similarity_metric (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<similarity_metric, std::string_view>, 4> enum_names(similarity_metric) {
  return {{{similarity_metric::svcca, "svcca"},
           {similarity_metric::cca, "cca"},
           {similarity_metric::cka, "cka"},
           {similarity_metric::procrustes, "procrustes"}}};
}

/// Parameters of `distance_matrix`.
struct distance_matrix_params {
  similarity_metric metric = similarity_metric::svcca;
  svcca_params svcca{};  ///< for metric svcca (reference conventions by default)
  /// For cca, cka, procrustes: the factorisation (default: every numerically non-zero component,
  /// which makes them exact; a threshold < 1 trades exactness for speed).
  pca_params reduction{1.0, 1e-6, 0};
  double cca_epsilon = 0.0;   ///< for metric cca (see cca_params)
  bool cka_debiased = false;  ///< for metric cka
  thread_count n_threads = 0;  ///< 0 = automatic (kernels/parallel.hpp); never changes the result

  void validate(std::string_view fn = "rnnlab::distance_matrix_params::validate") const {
    svcca.validate(fn);
    reduction.validate(fn);
    require(cca_epsilon >= 0.0 && cca_epsilon < 1.0, fn, "cca_epsilon", "a value in [0, 1)", cca_epsilon);
    require(n_threads >= 0, fn, "n_threads", ">= 0 (0 = automatic)", n_threads);
  }
  pca_params factorisation() const { return metric == similarity_metric::svcca ? svcca.reduction() : reduction; }
};

/// Result of `distance_matrix`.
struct distance_matrix_result {
  similarity_status status = similarity_status::ok;
  Eigen::MatrixXd distances;        ///< P × P, symmetric, zero diagonal
  std::vector<Index> components;    ///< K_i kept per network
  Index failed_pairs = 0;           ///< pairs whose entry is NaN (0 unless status is not ok)
};

/// Distances between all pairs of P activity matrices (each units × samples, the same samples for
/// all; unit counts may differ). Throws before any work if any matrix fails the checks of `cca`,
/// naming its index.
template <class Matrix>
  requires std::derived_from<Matrix, Eigen::MatrixBase<Matrix>>
distance_matrix_result distance_matrix(std::span<const Matrix> activities, const distance_matrix_params& params = {});

/// The same from factors made with `factor_activity(X_i, params.factorisation())`.
distance_matrix_result distance_matrix_from_factors(std::span<const activity_factor> factors,
                                                    const distance_matrix_params& params = {});

/// Distances between all pairs of P activity matrices under any `SimilarityMetric` policy
/// (analysis/concepts.hpp): each network factored once by `metric.factor`, each pair compared by
/// `metric.distance`. The built-in policies (svcca_metric, cca_metric, cka_metric,
/// procrustes_metric) run the tiled fast path and give the same matrix as the enum entry point;
/// for another metric `components` is left empty. `n_threads` 0: all cores.
template <class Matrix, SimilarityMetric Metric>
  requires std::derived_from<Matrix, Eigen::MatrixBase<Matrix>>
distance_matrix_result distance_matrix(std::span<const Matrix> activities, const Metric& metric,
                                       thread_count n_threads = 0);

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The metrics as policies (`SimilarityMetric`, analysis/concepts.hpp)
//
// Each built-in metric is factored by `factor_activity` (centring, Gram eigen-decomposition,
// orthonormal basis W of K rows) and compared from the cross product M = W_i W_jᵀ (K_i × K_j).
// Beyond the concept they offer the basis fast path that `distance_matrix` detects
// (`detail::basis_metric`): `factorisation()` (the pca_params of the factor), `gains(f)` (per-network
// whitening gains, empty if unused), `needs_sample_norms()` (debiased CKA) and
// `from_cross(M, fi, fj, gi, gj, ki, kj)` — so that all pairs' M come from one tiled product
// (kernels/cross_products.hpp) instead of one product per pair.

/// SVCCA (analysis/svcca.hpp) as a distance 1 − summary of the canonical correlations (PWCCA
/// symmetrised as ½(pwcca(i, j) + pwcca(j, i))).
struct svcca_metric {
  using factor_type = activity_factor;
  /// The metric's own precondition (CCA / SVCCA: more samples than units; CKA, Procrustes: none).
  static constexpr bool needs_more_samples_than_units() noexcept { return true; }
  svcca_params params{};  ///< reference conventions by default

  void validate(std::string_view fn = "rnnlab::svcca_metric::validate") const { params.validate(fn); }
  pca_params factorisation() const { return params.reduction(); }
  activity_factor factor(const Eigen::Ref<const Eigen::MatrixXd>& X) const { return factor_activity(X, factorisation()); }
  Eigen::VectorXd gains(const activity_factor& f) const {
    return detail::whitening_gains(f.singular_values, f.singular_values(0) * f.singular_values(0), params.epsilon);
  }
  static constexpr bool needs_sample_norms() noexcept { return false; }
  template <class DM>
  double from_cross(const Eigen::MatrixBase<DM>& M, const activity_factor& fi, const activity_factor& fj,
                    const Eigen::VectorXd& dx, const Eigen::VectorXd& dy, const Eigen::VectorXd*,
                    const Eigen::VectorXd*) const {
    const bool pw = params.summary == svcca_summary::pwcca;
    const auto c = detail::canonical_correlations(M, dx, dy, pw);
    if (!c.ok) return std::nan("");
    switch (params.summary) {
      case svcca_summary::mean: return 1.0 - c.rho.mean();
      case svcca_summary::max: return 1.0 - c.rho.maxCoeff();
      case svcca_summary::pwcca:  // symmetrised: ½(pwcca(i, j) + pwcca(j, i))
        return 1.0 - 0.5 * (detail::pwcca_weights(fi, c.A).dot(c.rho) + detail::pwcca_weights(fj, c.B).dot(c.rho));
    }
    return std::nan("");
  }
  double distance(const activity_factor& a, const activity_factor& b) const;
};

/// CCA as a distance: 1 − mean canonical correlation (all numerically non-zero components).
struct cca_metric {
  using factor_type = activity_factor;
  /// The metric's own precondition (CCA / SVCCA: more samples than units; CKA, Procrustes: none).
  static constexpr bool needs_more_samples_than_units() noexcept { return true; }
  pca_params reduction{1.0, 1e-6, 0};  ///< every numerically non-zero component (exact)
  double epsilon = 0.0;                ///< see cca_params

  void validate(std::string_view fn = "rnnlab::cca_metric::validate") const {
    reduction.validate(fn);
    require(epsilon >= 0.0 && epsilon < 1.0, fn, "cca_epsilon", "a value in [0, 1)", epsilon);
  }
  pca_params factorisation() const { return reduction; }
  activity_factor factor(const Eigen::Ref<const Eigen::MatrixXd>& X) const { return factor_activity(X, reduction); }
  Eigen::VectorXd gains(const activity_factor& f) const {
    return detail::whitening_gains(f.singular_values, f.max_unit_variance, epsilon, false);
  }
  static constexpr bool needs_sample_norms() noexcept { return false; }
  template <class DM>
  double from_cross(const Eigen::MatrixBase<DM>& M, const activity_factor&, const activity_factor&,
                    const Eigen::VectorXd& dx, const Eigen::VectorXd& dy, const Eigen::VectorXd*,
                    const Eigen::VectorXd*) const {
    const auto c = detail::canonical_correlations(M, dx, dy, false);
    return c.ok ? 1.0 - c.rho.mean() : std::nan("");
  }
  double distance(const activity_factor& a, const activity_factor& b) const;
};

/// CKA as a distance: 1 − CKA (linear; debiased on request, analysis/cka.hpp).
struct cka_metric {
  using factor_type = activity_factor;
  /// The metric's own precondition (CCA / SVCCA: more samples than units; CKA, Procrustes: none).
  static constexpr bool needs_more_samples_than_units() noexcept { return false; }
  pca_params reduction{1.0, 1e-6, 0};  ///< every numerically non-zero component (exact)
  bool debiased = false;

  void validate(std::string_view fn = "rnnlab::cka_metric::validate") const { reduction.validate(fn); }
  pca_params factorisation() const { return reduction; }
  activity_factor factor(const Eigen::Ref<const Eigen::MatrixXd>& X) const { return factor_activity(X, reduction); }
  Eigen::VectorXd gains(const activity_factor&) const { return {}; }
  bool needs_sample_norms() const noexcept { return debiased; }
  template <class DM>
  double from_cross(const Eigen::MatrixBase<DM>& M, const activity_factor& fi, const activity_factor& fj,
                    const Eigen::VectorXd&, const Eigen::VectorXd&, const Eigen::VectorXd* ki,
                    const Eigen::VectorXd* kj) const {
    const Eigen::MatrixXd C = fi.singular_values.asDiagonal() * M * fj.singular_values.asDiagonal();
    const double xx2 = fi.singular_values.array().square().square().sum(),
                 yy2 = fj.singular_values.array().square().square().sum();
    const auto r = detail::cka_from_parts(C.squaredNorm(), xx2, yy2, ki, kj, debiased, static_cast<double>(fi.n_samples));
    return r.status == similarity_status::ok ? 1.0 - r.similarity : std::nan("");
  }
  double distance(const activity_factor& a, const activity_factor& b) const;
};

/// The angular Procrustes shape metric arccos(‖X_cᵀY_c‖_* / (‖X_c‖_F ‖Y_c‖_F)) (analysis/procrustes.hpp).
struct procrustes_metric {
  using factor_type = activity_factor;
  /// The metric's own precondition (CCA / SVCCA: more samples than units; CKA, Procrustes: none).
  static constexpr bool needs_more_samples_than_units() noexcept { return false; }
  pca_params reduction{1.0, 1e-6, 0};  ///< every numerically non-zero component (exact)

  void validate(std::string_view fn = "rnnlab::procrustes_metric::validate") const { reduction.validate(fn); }
  pca_params factorisation() const { return reduction; }
  activity_factor factor(const Eigen::Ref<const Eigen::MatrixXd>& X) const { return factor_activity(X, reduction); }
  Eigen::VectorXd gains(const activity_factor&) const { return {}; }
  static constexpr bool needs_sample_norms() noexcept { return false; }
  template <class DM>
  double from_cross(const Eigen::MatrixBase<DM>& M, const activity_factor& fi, const activity_factor& fj,
                    const Eigen::VectorXd&, const Eigen::VectorXd&, const Eigen::VectorXd*,
                    const Eigen::VectorXd*) const {
    const Eigen::MatrixXd C = fi.singular_values.asDiagonal() * M * fj.singular_values.asDiagonal();
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(C);
    const auto r =
        detail::procrustes_from_nuclear(svd.singularValues().sum() / (fi.singular_values.norm() * fj.singular_values.norm()));
    return r.status == similarity_status::ok ? r.angle : std::nan("");
  }
  /// Near 0 (1 − cos θ < 10⁻⁴) the angle again, from the alignment residual of the reduced
  /// representations diag(s)W/‖s‖ (W_i: K_i × m, the factors' bases), as the pairwise function does:
  /// arccos of the ν above loses half the digits there (procrustes.hpp). Rare pairs, O(K·m) each.
  double refine(double angle, const activity_factor& fi, const activity_factor& fj,
                const Eigen::Ref<const Eigen::MatrixXd>& Wi, const Eigen::Ref<const Eigen::MatrixXd>& Wj) const {
    if (!std::isfinite(angle) || 1.0 - std::cos(angle) >= detail::procrustes_residual_below) return angle;
    const auto r = detail::procrustes_from_residual((fi.singular_values / fi.singular_values.norm()).asDiagonal() * Wi,
                                                    (fj.singular_values / fj.singular_values.norm()).asDiagonal() * Wj);
    return r.status == similarity_status::ok ? r.angle : std::nan("");
  }
  double distance(const activity_factor& a, const activity_factor& b) const;
};

namespace detail {

/// The basis fast path of the built-in metrics (see above): detected, not required.
template <class M>
concept basis_metric = SimilarityMetric<M> && std::same_as<typename M::factor_type, activity_factor> &&
                       requires(const M& m, const activity_factor& f, const Eigen::MatrixXd& C,
                                const Eigen::VectorXd& g, std::string_view fn) {
                         m.validate(fn);
                         { m.factorisation() } -> std::convertible_to<pca_params>;
                         { m.gains(f) } -> std::convertible_to<Eigen::VectorXd>;
                         { m.needs_sample_norms() } -> std::convertible_to<bool>;
                         { m.from_cross(C, f, f, g, g, &g, &g) } -> std::convertible_to<double>;
                       };

/// Each sample's squared norm of the reduced centred activity diag(s) W (debiased CKA).
inline Eigen::VectorXd sample_norms(const activity_factor& f, const Eigen::Ref<const Eigen::MatrixXd>& W) {
  return (f.singular_values.asDiagonal() * W).colwise().squaredNorm().transpose();
}

/// One pair through a basis metric's fast-path pieces, with M formed by Eigen.
template <basis_metric M>
double basis_distance(const M& m, const activity_factor& a, const activity_factor& b) {
  const Eigen::MatrixXd C = a.basis * b.basis.transpose();
  Eigen::VectorXd ka, kb;
  if (m.needs_sample_norms()) {
    ka = sample_norms(a, a.basis);
    kb = sample_norms(b, b.basis);
  }
  const double d = m.from_cross(C, a, b, m.gains(a), m.gains(b), m.needs_sample_norms() ? &ka : nullptr,
                                m.needs_sample_norms() ? &kb : nullptr);
  if constexpr (requires { m.refine(d, a, b, a.basis, b.basis); })
    return m.refine(d, a, b, a.basis, b.basis);
  else
    return d;
}

}  // namespace detail

inline double svcca_metric::distance(const activity_factor& a, const activity_factor& b) const {
  return detail::basis_distance(*this, a, b);
}
inline double cca_metric::distance(const activity_factor& a, const activity_factor& b) const {
  return detail::basis_distance(*this, a, b);
}
inline double cka_metric::distance(const activity_factor& a, const activity_factor& b) const {
  return detail::basis_distance(*this, a, b);
}
inline double procrustes_metric::distance(const activity_factor& a, const activity_factor& b) const {
  return detail::basis_distance(*this, a, b);
}

static_assert(SimilarityMetric<svcca_metric> && detail::basis_metric<svcca_metric>);
static_assert(SimilarityMetric<cca_metric> && detail::basis_metric<cca_metric>);
static_assert(SimilarityMetric<cka_metric> && detail::basis_metric<cka_metric>);
static_assert(SimilarityMetric<procrustes_metric> && detail::basis_metric<procrustes_metric>);

namespace detail {

/// Calls fn(policy) with the metric policy that `params` names (the enum entry points' mapping).
template <class Fn>
decltype(auto) visit_metric(const distance_matrix_params& p, Fn&& fn) {
  switch (p.metric) {
    case similarity_metric::cca: return fn(cca_metric{p.reduction, p.cca_epsilon});
    case similarity_metric::cka: return fn(cka_metric{p.reduction, p.cka_debiased});
    case similarity_metric::procrustes: return fn(procrustes_metric{p.reduction});
    case similarity_metric::svcca: break;
  }
  return fn(svcca_metric{p.svcca});
}


/// The population matrix from P factors whose bases (K_i × m, column-major, leading dimension K_i)
/// are at bases[i] (the factors' own `basis` members are not read).
template <basis_metric Metric>
distance_matrix_result population_matrix(std::span<const activity_factor> factors, std::span<const double* const> bases,
                                         const Metric& metric, thread_count n_threads) {
  const Index P = static_cast<Index>(factors.size());
  const Index m = factors[0].n_samples;

  // Offsets of each network's rows in the (virtual) stack of bases; groups of consecutive networks.
  std::vector<Index> offset(static_cast<std::size_t>(P) + 1, 0);
  for (Index i = 0; i < P; ++i)
    offset[static_cast<std::size_t>(i) + 1] = offset[static_cast<std::size_t>(i)] + factors[static_cast<std::size_t>(i)].n_components();
  // ≈ 448 rows a side: a B panel of 448 rows × 128 samples (460 KB) stays in L2; fewer, larger
  // tiles also pack less per flop (measured: 10–15 % faster than 256 × 256 at P = 200, K ≈ 9).
  constexpr Index group_rows = 448;
  std::vector<Index> group_start{0};
  for (Index i = 1; i < P; ++i)
    if (offset[static_cast<std::size_t>(i)] - offset[static_cast<std::size_t>(group_start.back())] +
            factors[static_cast<std::size_t>(i)].n_components() > group_rows)
      group_start.push_back(i);
  group_start.push_back(P);
  const std::size_t G = group_start.size() - 1;

  // Each group's bases as row blocks, read in place by the kernel (no stacked copy).
  const int threads = resolve_threads(n_threads, static_cast<Index>(G * (G + 1) / 2));
  std::vector<std::vector<row_block>> blocks(G);
  for (std::size_t g = 0; g < G; ++g)
    for (Index i = group_start[g]; i < group_start[g + 1]; ++i) {
      const Index k = factors[static_cast<std::size_t>(i)].n_components();
      blocks[g].push_back({bases[static_cast<std::size_t>(i)], k, k});
    }
  // Debiased CKA needs each sample's squared norm of the (reduced) centred activity.
  std::vector<Eigen::VectorXd> sample_sq;
  if (metric.needs_sample_norms()) {
    sample_sq.resize(static_cast<std::size_t>(P));
    parallel_dynamic(P, threads, 1, [&](int, Index k) {
      const auto i = static_cast<std::size_t>(k);
      const Eigen::Map<const Eigen::MatrixXd> W(bases[i], factors[i].n_components(), m);
      sample_sq[i] = sample_norms(factors[i], W);
    });
  }

  std::vector<Eigen::VectorXd> gains(static_cast<std::size_t>(P));
  for (std::size_t i = 0; i < gains.size(); ++i) gains[i] = metric.gains(factors[i]);

  distance_matrix_result r;
  r.distances = Eigen::MatrixXd::Zero(P, P);
  r.components.resize(static_cast<std::size_t>(P));
  for (Index i = 0; i < P; ++i) r.components[static_cast<std::size_t>(i)] = factors[static_cast<std::size_t>(i)].n_components();
  std::vector<std::pair<std::size_t, std::size_t>> tiles;
  for (std::size_t a = 0; a < G; ++a)
    for (std::size_t b = a; b < G; ++b) tiles.emplace_back(a, b);
  std::atomic<Index> failed{0};
  // Scratch space per thread, allocated once: the tile and the kernel's packing buffers (large
  // short-lived allocations are costly on virtual machines that shadow the page tables).
  Index max_group = 0;
  for (std::size_t g = 0; g < G; ++g)
    max_group = std::max(max_group, offset[static_cast<std::size_t>(group_start[g + 1])] - offset[static_cast<std::size_t>(group_start[g])]);
  std::vector<large_buffer<double>> tile_buffer(static_cast<std::size_t>(threads));
  for (auto& b : tile_buffer) b.reserve(static_cast<std::size_t>(max_group * max_group));
  std::vector<cross_workspace> packing(static_cast<std::size_t>(threads));
  parallel_dynamic(static_cast<Index>(tiles.size()), threads, 1, [&](int worker, Index t) {
    const auto thread = static_cast<std::size_t>(worker);
    const auto [a, b] = tiles[static_cast<std::size_t>(t)];
    const Index ia0 = group_start[a], ia1 = group_start[a + 1], ib0 = group_start[b], ib1 = group_start[b + 1];
    const Index ra = offset[static_cast<std::size_t>(ia0)], rb = offset[static_cast<std::size_t>(ib0)];
    // T(row of group b, row of group a) = ⟨basis row, basis row⟩; a diagonal tile only below its diagonal.
    Eigen::Map<Eigen::MatrixXd> T(tile_buffer[thread].data(), offset[static_cast<std::size_t>(ib1)] - rb,
                                  offset[static_cast<std::size_t>(ia1)] - ra);
    cross_products(std::span<const row_block>(blocks[a]), std::span<const row_block>(blocks[b]), m, T.data(),
                   T.outerStride(), a == b, packing[thread]);
    for (Index i = ia0; i < ia1; ++i)
      for (Index j = std::max(ib0, i + 1); j < ib1; ++j) {
        const auto ui = static_cast<std::size_t>(i), uj = static_cast<std::size_t>(j);
        const Index ki = factors[ui].n_components(), kj = factors[uj].n_components();
        double d = metric.from_cross(T.block(offset[uj] - rb, offset[ui] - ra, kj, ki).transpose(), factors[ui],
                                     factors[uj], gains[ui], gains[uj],
                                     sample_sq.empty() ? nullptr : &sample_sq[ui],
                                     sample_sq.empty() ? nullptr : &sample_sq[uj]);
        // A metric may look again at pairs its cross-product formula cannot resolve (Procrustes near 0).
        if constexpr (requires(const Eigen::MatrixXd& W) { metric.refine(d, factors[ui], factors[uj], W, W); }) {
          const Eigen::Map<const Eigen::MatrixXd> Wi(bases[ui], ki, m), Wj(bases[uj], kj, m);
          d = metric.refine(d, factors[ui], factors[uj], Wi, Wj);
        }
        if (!std::isfinite(d)) ++failed;
        r.distances(i, j) = r.distances(j, i) = d;  // each pair is written by exactly one tile
      }
  });
  r.failed_pairs = failed;
  if (r.failed_pairs > 0) r.status = similarity_status::decomposition_failed;
  return r;
}

}  // namespace detail

template <SimilarityMetric Metric>
  requires detail::basis_metric<Metric>
distance_matrix_result distance_matrix_from_factors(std::span<const activity_factor> factors, const Metric& metric,
                                                    thread_count n_threads) {
  constexpr std::string_view fn = "rnnlab::distance_matrix";
  metric.validate(fn);
  require(n_threads >= 0, fn, "n_threads", ">= 0 (0 = automatic)", n_threads);
  const Index P = static_cast<Index>(factors.size());
  require_shape(P >= 1, fn, "factors", "at least one network", P);
  for (Index i = 0; i < P; ++i) {
    const auto& f = factors[static_cast<std::size_t>(i)];
    require(f.n_components() > 0, fn, detail::concat("factors[", i, "]"), "a factor from factor_activity", "an empty factor");
    require_shape(f.n_samples == factors[0].n_samples, fn, detail::concat("factors[", i, "]"),
                  detail::concat(factors[0].n_samples, " samples (as network 0)"), f.n_samples);
    if (metric.needs_sample_norms())
      require_shape(f.n_samples >= 4, fn, "factors", "at least 4 samples for debiased CKA", f.n_samples);
  }
  for (Index i = 0; i < P; ++i) {
    const auto& f = factors[static_cast<std::size_t>(i)];
    require_shape(f.basis.rows() == f.n_components() && f.basis.cols() == f.n_samples, fn,
                  detail::concat("factors[", i, "].basis"),
                  detail::concat("K × m = (", f.n_components(), ", ", f.n_samples, ")"),
                  detail::concat("(", f.basis.rows(), ", ", f.basis.cols(), ")"));
  }
  std::vector<const double*> bases(static_cast<std::size_t>(P));
  for (std::size_t i = 0; i < bases.size(); ++i) bases[i] = factors[i].basis.data();
  return detail::population_matrix(factors, bases, metric, n_threads);
}

inline distance_matrix_result distance_matrix_from_factors(std::span<const activity_factor> factors,
                                                           const distance_matrix_params& params) {
  params.validate("rnnlab::distance_matrix");
  return detail::visit_metric(
      params, [&](const auto& metric) { return distance_matrix_from_factors(factors, metric, params.n_threads); });
}

namespace detail {

/// The population matrix of a metric without the basis fast path: each network factored once (in
/// parallel over networks), then every pair i < j compared (in parallel over pairs). Errors from
/// `factor` are re-thrown for the lowest-numbered network that failed.
template <class Matrix, SimilarityMetric Metric>
distance_matrix_result generic_population_matrix(std::span<const Matrix> activities, const Metric& metric,
                                                 thread_count n_threads) {
  const std::size_t P = activities.size();
  std::vector<typename Metric::factor_type> factors(P);
  std::vector<std::exception_ptr> failures(P);
  parallel_dynamic(static_cast<Index>(P), n_threads, 1, [&](int, Index k) {
    const auto i = static_cast<std::size_t>(k);
    try {
      const Eigen::Ref<const Eigen::MatrixXd> X = activities[i].template cast<double>();
      factors[i] = metric.factor(X);
    } catch (...) {
      failures[i] = std::current_exception();
    }
  });
  for (const auto& f : failures)
    if (f) std::rethrow_exception(f);
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  pairs.reserve(P * (P - 1) / 2);
  for (std::size_t i = 0; i < P; ++i)
    for (std::size_t j = i + 1; j < P; ++j) pairs.emplace_back(i, j);
  distance_matrix_result r;
  r.distances = Eigen::MatrixXd::Zero(static_cast<Index>(P), static_cast<Index>(P));
  std::atomic<Index> failed{0};
  parallel_dynamic(static_cast<Index>(pairs.size()), n_threads, 1, [&](int, Index k) {
    const auto [i, j] = pairs[static_cast<std::size_t>(k)];
    const double d = static_cast<double>(metric.distance(factors[i], factors[j]));
    if (!std::isfinite(d)) ++failed;
    r.distances(static_cast<Index>(i), static_cast<Index>(j)) = r.distances(static_cast<Index>(j), static_cast<Index>(i)) = d;
  });
  r.failed_pairs = failed;
  if (r.failed_pairs > 0) r.status = similarity_status::decomposition_failed;
  return r;
}

}  // namespace detail

template <class Matrix, SimilarityMetric Metric>
  requires std::derived_from<Matrix, Eigen::MatrixBase<Matrix>>
distance_matrix_result distance_matrix(std::span<const Matrix> activities, const Metric& metric, thread_count n_threads) {
  constexpr std::string_view fn = "rnnlab::distance_matrix";
  if constexpr (requires(std::string_view f) { metric.validate(f); }) metric.validate(fn);
  require(n_threads >= 0, fn, "n_threads", ">= 0 (0 = automatic)", n_threads);
  const std::size_t P = activities.size();
  require_shape(P >= 1, fn, "activities", "at least one network", P);
  for (std::size_t i = 0; i < P; ++i) {
    const std::string arg = detail::concat("activities[", i, "]");
    require_shape(activities[i].cols() == activities[0].cols(), fn, arg,
                  detail::concat(activities[0].cols(), " samples (as network 0)"), activities[i].cols());
    if constexpr (detail::basis_metric<Metric>) {
      detail::require_activity_shape(activities[i], fn, arg);
      if (metric.needs_more_samples_than_units()) detail::require_more_samples_than_units(activities[i], fn, arg);
    }
  }
  if constexpr (!detail::basis_metric<Metric>) {
    return detail::generic_population_matrix(activities, metric, n_threads);
  } else {
  // The values are checked (finite, not constant) by each network's factorisation as it reads
  // them, not by a separate pass over all P matrices first (at P = 200 × 3 MB that pass alone was
  // ≈ 0.1 s on one thread). A bad network stops the work; the error reported is that of the
  // lowest-numbered bad network, whatever the thread count (networks are taken in increasing
  // order, so every lower-numbered network has been taken, and finishes, before the stop).
  // Two rounds: the factorisations without their bases, which fixes every K_i; then all bases
  // into one allocation (one K_i × m block per network), read in place by the pair stage.
  std::vector<activity_factor> factors(P);
  std::vector<std::exception_ptr> failures(P);
  const pca_params reduction = metric.factorisation();
  const int threads = resolve_threads(n_threads, static_cast<Index>(P));
  std::atomic<std::size_t> first_bad{P};  // lowest-numbered network known to be bad
  parallel_dynamic(static_cast<Index>(P), threads, 1, [&](int, Index k) {
    const auto i = static_cast<std::size_t>(k);
    if (i > first_bad.load()) return;  // the outcome is decided; lower-numbered networks still run
    try {
      const Eigen::Ref<const Eigen::MatrixXd> X = activities[i].template cast<double>();
      factors[i] = detail::factor_head(X, reduction, fn, detail::concat("activities[", i, "] (network ", i, ")"));
    } catch (...) {
      failures[i] = std::current_exception();
      for (std::size_t b = first_bad.load(); i < b && !first_bad.compare_exchange_weak(b, i);) {
      }
    }
  });
  for (const auto& f : failures)
    if (f) std::rethrow_exception(f);
  const Index m = activities[0].cols();
  std::vector<std::size_t> start(P + 1, 0);
  for (std::size_t i = 0; i < P; ++i)
    start[i + 1] = start[i] + static_cast<std::size_t>(factors[i].n_components() * m);
  // Uninitialised: every element is written by its network's projection (in parallel, which also
  // spreads the first touch of the pages over the threads).
  detail::large_buffer<double> storage(start[P]);
  std::vector<const double*> bases(P);
  parallel_dynamic(static_cast<Index>(P), threads, 1, [&](int, Index k) {
    const auto i = static_cast<std::size_t>(k);
    const Eigen::Ref<const Eigen::MatrixXd> X = activities[i].template cast<double>();
    Eigen::Map<Eigen::MatrixXd> W(storage.data() + start[i], factors[i].n_components(), m);
    detail::factor_basis(X, factors[i], W);
    bases[i] = W.data();
  });
  return detail::population_matrix(std::span<const activity_factor>(factors), bases, metric, n_threads);
  }
}

template <class Matrix>
  requires std::derived_from<Matrix, Eigen::MatrixBase<Matrix>>
distance_matrix_result distance_matrix(std::span<const Matrix> activities, const distance_matrix_params& params) {
  params.validate("rnnlab::distance_matrix");
  return detail::visit_metric(params,
                              [&](const auto& metric) { return distance_matrix(activities, metric, params.n_threads); });
}

}  // namespace rnnlab
