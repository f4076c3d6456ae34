#pragma once
/// \file analysis/distance_matrix.hpp
/// Population distance matrices: the P × P distances between P networks' activity on the same
/// inputs, for any metric of this module (McMahan et al. 2021 §2.6, Figs. 1a, 2a).
///
/// Pipeline (DESIGN.md "Pairwise similarity over P networks"):
///  1. factor each network once (analysis/pca.hpp: centring, Gram eigen-decomposition, whitening to
///     an orthonormal basis W_i of K_i rows), in parallel over networks;
///  2. form the cross products M_ij = W_i W_jᵀ tile by tile (a tile is one product between two
///     groups of networks of ≈ 448 basis rows each, read in place by the packed kernel of
///     analysis/detail/cross_products.hpp; a diagonal tile only below its diagonal), in parallel
///     over tiles;
///  3. per pair, only K_i × K_j work on M_ij:
///       svcca       1 − summary of svd(D_i M_ij D_j) (analysis/svcca.hpp; PWCCA is symmetrised as
///                   ½(pwcca(i, j) + pwcca(j, i)) so that the matrix is symmetric),
///       cca         1 − mean canonical correlation (all numerically non-zero components),
///       cka         1 − ‖S_i M_ij S_j‖_F² / (‖s_i²‖ ‖s_j²‖)  (debiased: see analysis/cka.hpp),
///       procrustes  arccos(‖S_i M_ij S_j‖_* / (‖s_i‖ ‖s_j‖)), the angular shape metric.
/// CKA and Procrustes are exact with the default full-rank factorisation (variance threshold 1).
///
/// The result is symmetric with an exact zero diagonal, and NaN-free unless `status` reports a
/// failed decomposition (which needs non-finite data, rejected up front). Threads: a small pool of
/// std::thread over networks, then over tiles, with a fixed tiling, so the result is bit-identical
/// whatever the thread count; Eigen's own threading is not used inside (no nesting).

#include <Eigen/Core>
#include <Eigen/SVD>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <exception>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <rnnlab/analysis/cca.hpp>
#include <rnnlab/analysis/cka.hpp>
#include <rnnlab/analysis/detail/cross_products.hpp>
#include <rnnlab/analysis/pca.hpp>
#include <rnnlab/analysis/procrustes.hpp>
#include <rnnlab/analysis/svcca.hpp>
#include <rnnlab/core/detail/large_buffer.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>

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
  unsigned n_threads = 0;     ///< 0 = std::thread::hardware_concurrency()

  void validate(std::string_view fn = "rnnlab::distance_matrix_params::validate") const {
    svcca.validate(fn);
    reduction.validate(fn);
    require(cca_epsilon >= 0.0 && cca_epsilon < 1.0, fn, "cca_epsilon", "a value in [0, 1)", cca_epsilon);
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

// ---------------------------------------------------------------------------------------------

namespace detail {

inline unsigned thread_count(unsigned requested, std::size_t work) {
  unsigned n = requested ? requested : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(n, work)));
}

/// Runs body(k, t) for k in [0, n) on `threads` threads (dynamic scheduling; t < threads is the
/// running thread's number, for per-thread scratch space); rethrows the first exception.
template <class Body>
void parallel_for_indexed(std::size_t n, unsigned threads, Body&& body) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto work = [&](unsigned t) {
    for (std::size_t k; (k = next.fetch_add(1)) < n;) {
      try {
        body(k, t);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = n;
      }
    }
  };
  if (threads <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& t : pool) t.join();
  }
  if (failure) std::rethrow_exception(failure);
}

/// Runs body(k) for k in [0, n) on `threads` threads (dynamic scheduling); rethrows the first exception.
template <class Body>
void parallel_for(std::size_t n, unsigned threads, Body&& body) {
  parallel_for_indexed(n, threads, [&](std::size_t k, unsigned) { body(k); });
}

/// Each network's whitening gains D for the svcca and cca metrics (empty for the others).
inline Eigen::VectorXd pair_gains(const activity_factor& f, const distance_matrix_params& p) {
  switch (p.metric) {
    case similarity_metric::svcca:
      return whitening_gains(f.singular_values, f.singular_values(0) * f.singular_values(0), p.svcca.epsilon);
    case similarity_metric::cca: return whitening_gains(f.singular_values, f.max_unit_variance, p.cca_epsilon, false);
    default: return {};
  }
}

/// The distance of one pair from M = W_i W_jᵀ (K_i × K_j) and the networks' gains (pair_gains).
template <class DM>
double pair_distance(const Eigen::MatrixBase<DM>& M, const activity_factor& fi, const activity_factor& fj,
                     const Eigen::VectorXd& dx, const Eigen::VectorXd& dy, const Eigen::VectorXd* ki,
                     const Eigen::VectorXd* kj, const distance_matrix_params& p) {
  switch (p.metric) {
    case similarity_metric::svcca: {
      const bool pw = p.svcca.summary == svcca_summary::pwcca;
      const auto c = canonical_correlations(M, dx, dy, pw);
      if (!c.ok) return std::nan("");
      switch (p.svcca.summary) {
        case svcca_summary::mean: return 1.0 - c.rho.mean();
        case svcca_summary::max: return 1.0 - c.rho.maxCoeff();
        case svcca_summary::pwcca:  // symmetrised: ½(pwcca(i, j) + pwcca(j, i))
          return 1.0 - 0.5 * (pwcca_weights(fi, c.A).dot(c.rho) + pwcca_weights(fj, c.B).dot(c.rho));
      }
      return std::nan("");
    }
    case similarity_metric::cca: {
      const auto c = canonical_correlations(M, dx, dy, false);
      return c.ok ? 1.0 - c.rho.mean() : std::nan("");
    }
    case similarity_metric::cka: {
      const Eigen::MatrixXd C = fi.singular_values.asDiagonal() * M * fj.singular_values.asDiagonal();
      const double xx2 = fi.singular_values.array().square().square().sum(),
                   yy2 = fj.singular_values.array().square().square().sum();
      const auto r = cka_from_parts(C.squaredNorm(), xx2, yy2, ki, kj, p.cka_debiased,
                                    static_cast<double>(fi.n_samples));
      return r.status == similarity_status::ok ? 1.0 - r.similarity : std::nan("");
    }
    case similarity_metric::procrustes: {
      const Eigen::MatrixXd C = fi.singular_values.asDiagonal() * M * fj.singular_values.asDiagonal();
      Eigen::JacobiSVD<Eigen::MatrixXd> svd(C);
      const auto r = procrustes_from_nuclear(svd.singularValues().sum() /
                                             (fi.singular_values.norm() * fj.singular_values.norm()));
      return r.status == similarity_status::ok ? r.angle : std::nan("");
    }
  }
  return std::nan("");
}

}  // namespace detail

namespace detail {

/// The population matrix from P factors whose bases (K_i × m, column-major, leading dimension K_i)
/// are at bases[i] (the factors' own `basis` members are not read).
inline distance_matrix_result population_matrix(std::span<const activity_factor> factors,
                                                std::span<const double* const> bases,
                                                const distance_matrix_params& params) {
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
  const unsigned threads = thread_count(params.n_threads, G * (G + 1) / 2);
  std::vector<std::vector<row_block>> blocks(G);
  for (std::size_t g = 0; g < G; ++g)
    for (Index i = group_start[g]; i < group_start[g + 1]; ++i) {
      const Index k = factors[static_cast<std::size_t>(i)].n_components();
      blocks[g].push_back({bases[static_cast<std::size_t>(i)], k, k});
    }
  // Debiased CKA needs each sample's squared norm of the (reduced) centred activity.
  std::vector<Eigen::VectorXd> sample_sq;
  if (params.metric == similarity_metric::cka && params.cka_debiased) {
    sample_sq.resize(static_cast<std::size_t>(P));
    parallel_for(static_cast<std::size_t>(P), threads, [&](std::size_t i) {
      const Eigen::Map<const Eigen::MatrixXd> W(bases[i], factors[i].n_components(), m);
      sample_sq[i] = (factors[i].singular_values.asDiagonal() * W).colwise().squaredNorm().transpose();
    });
  }

  std::vector<Eigen::VectorXd> gains(static_cast<std::size_t>(P));
  for (std::size_t i = 0; i < gains.size(); ++i) gains[i] = pair_gains(factors[i], params);

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
  std::vector<large_buffer<double>> tile_buffer(threads);
  for (auto& b : tile_buffer) b.reserve(static_cast<std::size_t>(max_group * max_group));
  std::vector<cross_workspace> packing(threads);
  parallel_for_indexed(tiles.size(), threads, [&](std::size_t t, unsigned thread) {
    const auto [a, b] = tiles[t];
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
        const double d = pair_distance(T.block(offset[uj] - rb, offset[ui] - ra, kj, ki).transpose(), factors[ui],
                                               factors[uj], gains[ui], gains[uj], sample_sq.empty() ? nullptr : &sample_sq[ui],
                                               sample_sq.empty() ? nullptr : &sample_sq[uj], params);
        if (!std::isfinite(d)) ++failed;
        r.distances(i, j) = r.distances(j, i) = d;  // each pair is written by exactly one tile
      }
  });
  r.failed_pairs = failed;
  if (r.failed_pairs > 0) r.status = similarity_status::decomposition_failed;
  return r;
}

}  // namespace detail

inline distance_matrix_result distance_matrix_from_factors(std::span<const activity_factor> factors,
                                                           const distance_matrix_params& params) {
  constexpr std::string_view fn = "rnnlab::distance_matrix";
  params.validate(fn);
  const Index P = static_cast<Index>(factors.size());
  require_shape(P >= 1, fn, "factors", "at least one network", P);
  for (Index i = 0; i < P; ++i) {
    const auto& f = factors[static_cast<std::size_t>(i)];
    require(f.n_components() > 0, fn, detail::concat("factors[", i, "]"), "a factor from factor_activity", "an empty factor");
    require_shape(f.n_samples == factors[0].n_samples, fn, detail::concat("factors[", i, "]"),
                  detail::concat(factors[0].n_samples, " samples (as network 0)"), f.n_samples);
    if (params.metric == similarity_metric::cka && params.cka_debiased)
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
  return detail::population_matrix(factors, bases, params);
}

template <class Matrix>
  requires std::derived_from<Matrix, Eigen::MatrixBase<Matrix>>
distance_matrix_result distance_matrix(std::span<const Matrix> activities, const distance_matrix_params& params) {
  constexpr std::string_view fn = "rnnlab::distance_matrix";
  params.validate(fn);
  const std::size_t P = activities.size();
  require_shape(P >= 1, fn, "activities", "at least one network", P);
  for (std::size_t i = 0; i < P; ++i) {
    const std::string arg = detail::concat("activities[", i, "]");
    require_shape(activities[i].cols() == activities[0].cols(), fn, arg,
                  detail::concat(activities[0].cols(), " samples (as network 0)"), activities[i].cols());
    detail::require_activity_shape(activities[i], fn, arg);
  }
  // The values are checked (finite, not constant) by each network's factorisation as it reads
  // them, not by a separate pass over all P matrices first (at P = 200 × 3 MB that pass alone was
  // ≈ 0.1 s on one thread). A bad network stops the work; the error reported is that of the
  // lowest-numbered bad network, whatever the thread count (networks are taken in increasing
  // order, so every lower-numbered network has been taken, and finishes, before the stop).
  // Two rounds: the factorisations without their bases, which fixes every K_i; then all bases
  // into one allocation (one K_i × m block per network), read in place by the pair stage.
  std::vector<activity_factor> factors(P);
  std::vector<std::exception_ptr> failures(P);
  const pca_params reduction = params.factorisation();
  const unsigned threads = detail::thread_count(params.n_threads, P);
  std::atomic<std::size_t> first_bad{P};  // lowest-numbered network known to be bad
  detail::parallel_for(P, threads, [&](std::size_t i) {
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
  detail::parallel_for(P, threads, [&](std::size_t i) {
    const Eigen::Ref<const Eigen::MatrixXd> X = activities[i].template cast<double>();
    Eigen::Map<Eigen::MatrixXd> W(storage.data() + start[i], factors[i].n_components(), m);
    detail::factor_basis(X, factors[i], W);
    bases[i] = W.data();
  });
  return detail::population_matrix(factors, bases, params);
}

}  // namespace rnnlab
