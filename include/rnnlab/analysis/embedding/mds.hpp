#pragma once
/// \file analysis/embedding/mds.hpp
/// Multidimensional scaling of a distance matrix Δ (n × n) into d dimensions, for displaying a
/// population of networks (McMahan et al. 2021 §2.6, Figs. 1b, 2b; for display only — scores are
/// computed on the full distances, analysis/embedding/silhouette.hpp).
///
/// Classical (Torgerson 1952, Gower 1966): B = −½ J Δ⊙Δ J with J = I − 11ᵀ/n; coordinates
/// X = V_d Λ_d^{1/2} from the d largest eigenpairs. Exact (up to rotation/reflection) when Δ is
/// Euclidean; otherwise B has negative eigenvalues, reported as `negative_fraction` = Σ|λ<0| / Σ|λ|.
///
/// Metric SMACOF (de Leeuw 1977; Borg & Groenen, Modern MDS, 2005, ch. 8) minimises the raw stress
///
///     σ(X) = Σ_{i<j} (d_ij(X) − δ_ij)²,     d_ij(X) = ‖x_i − x_j‖
///
/// by the Guttman transform X ← n⁻¹ B(X) X, B_ij = −δ_ij / d_ij(X) (0 where d_ij = 0), B_ii = −Σ_{j≠i} B_ij,
/// which never increases σ. Iterations stop when the relative decrease of σ falls below `tolerance`.
/// `n_init` starts (the first from classical MDS if `classical_start`, the rest random normal scaled
/// to Δ, from the caller's generator) and the lowest stress wins. Reported: σ and Kruskal's
/// stress-1 = √(σ / Σ_{i<j} δ_ij²). (The reference code used sklearn's unseeded MDS on the *rows*
/// of the distance matrix; pass `row_distances(D)` from silhouette.hpp to reproduce that.)
/// The diagonal of Δ is ignored (treated as 0).

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <cmath>
#include <limits>
#include <string_view>

#include <rnnlab/analysis/embedding/detail/distance_checks.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// Parameters of `classical_mds`.
struct classical_mds_params {
  Index dimensions = 2;

  void validate(std::string_view fn = "rnnlab::classical_mds_params::validate") const {
    require(dimensions >= 1, fn, "dimensions", ">= 1", dimensions);
  }
};

enum class mds_status { ok, decomposition_failed, max_iterations };

/// The names of mds_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<mds_status, std::string_view>, 3> enum_names(mds_status) {
  return {{{mds_status::ok, "ok"},
           {mds_status::decomposition_failed, "decomposition_failed"},
           {mds_status::max_iterations, "max_iterations"}}};
}

/// Result of `classical_mds`.
struct classical_mds_result {
  mds_status status = mds_status::ok;
  Eigen::MatrixXd coordinates;  ///< n × d
  Eigen::VectorXd eigenvalues;  ///< all n eigenvalues of B, descending
  double negative_fraction = 0.0;  ///< Σ|λ<0| / Σ|λ|: 0 for a Euclidean Δ
};

/// Parameters of `smacof_mds`.
struct smacof_params {
  Index dimensions = 2;
  Index n_init = 4;             ///< number of starts; the lowest final stress wins
  Index max_iterations = 300;   ///< per start
  double tolerance = 1e-6;      ///< stop when (σ_prev − σ) / σ_prev < tolerance
  bool classical_start = true;  ///< first start from classical MDS (the others random)

  void validate(std::string_view fn = "rnnlab::smacof_params::validate") const {
    require(dimensions >= 1, fn, "dimensions", ">= 1", dimensions);
    require(n_init >= 1, fn, "n_init", ">= 1", n_init);
    require(max_iterations >= 1, fn, "max_iterations", ">= 1", max_iterations);
    require(tolerance >= 0.0 && std::isfinite(tolerance), fn, "tolerance", "a finite value >= 0", tolerance);
  }
};

/// Result of `smacof_mds`.
struct smacof_result {
  mds_status status = mds_status::ok;  ///< max_iterations if the best start did not meet the tolerance
  Eigen::MatrixXd coordinates;         ///< n × d
  double stress = 0.0;                 ///< raw stress σ
  double stress1 = 0.0;                ///< Kruskal's stress-1
  Index iterations = 0;                ///< of the best start
};

/// Classical (Torgerson) MDS. Throws on a non-square, non-symmetric, negative or non-finite Δ, or
/// dimensions ≥ n.
template <class D>
classical_mds_result classical_mds(const Eigen::MatrixBase<D>& distances, const classical_mds_params& params = {});

/// Metric SMACOF MDS, seeded by the caller's generator.
template <class D, class G>
smacof_result smacof_mds(const Eigen::MatrixBase<D>& distances, const smacof_params& params, G& g);

// ---------------------------------------------------------------------------------------------

template <class D>
classical_mds_result classical_mds(const Eigen::MatrixBase<D>& distances_in, const classical_mds_params& params) {
  constexpr std::string_view fn = "rnnlab::classical_mds";
  const Eigen::Ref<const Eigen::MatrixXd> distances = distances_in.template cast<double>();
  params.validate(fn);
  detail::require_distance_matrix(distances, fn, "distances",
                                  std::numeric_limits<typename D::Scalar>::epsilon());
  const Index n = distances.rows(), d = params.dimensions;
  require_shape(d < n, fn, "dimensions", detail::concat("fewer than the ", n, " points"), d);
  Eigen::MatrixXd B = distances.template cast<double>().array().square().matrix();
  B.diagonal().setZero();
  // Double centring, −½ J Δ² J.
  const Eigen::VectorXd rmean = B.rowwise().mean();
  const double gmean = rmean.mean();
  B = (-0.5 * ((B.colwise() - rmean).rowwise() - rmean.transpose()).array() - 0.5 * gmean).matrix();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(B);
  classical_mds_result r;
  r.coordinates = Eigen::MatrixXd::Zero(n, d);
  if (eig.info() != Eigen::Success) {
    r.status = mds_status::decomposition_failed;
    return r;
  }
  r.eigenvalues = eig.eigenvalues().reverse();
  const double abs_sum = r.eigenvalues.cwiseAbs().sum();
  r.negative_fraction = abs_sum > 0.0 ? (-r.eigenvalues.cwiseMin(0.0)).sum() / abs_sum : 0.0;
  for (Index k = 0; k < d; ++k)
    r.coordinates.col(k) = eig.eigenvectors().col(n - 1 - k) * std::sqrt(std::max(0.0, r.eigenvalues(k)));
  return r;
}

namespace detail {

/// Pairwise distances of the points stored as columns of Xt (d × n, contiguous per point) and the
/// raw stress against Δ. One pass over the upper triangle; Dist is filled symmetrically.
inline double distances_and_stress(const Eigen::MatrixXd& Xt, const Eigen::MatrixXd& Delta, Eigen::MatrixXd& Dist) {
  const Index n = Xt.cols();
  double s = 0.0;
  for (Index j = 0; j < n; ++j) {
    Dist(j, j) = 0.0;
    for (Index i = 0; i < j; ++i) {
      const double d = (Xt.col(i) - Xt.col(j)).norm();
      Dist(i, j) = d;
      Dist(j, i) = d;
      const double e = d - Delta(i, j);
      s += e * e;
    }
  }
  return s;
}

/// Raw stress of X (n × d) against Δ (upper triangle).
inline double raw_stress(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Delta) {
  Eigen::MatrixXd Dist(X.rows(), X.rows());
  return distances_and_stress(X.transpose(), Delta, Dist);
}

/// Runs SMACOF from X; returns the iterations done and whether the tolerance was met.
inline std::pair<Index, bool> smacof_run(Eigen::MatrixXd& X, const Eigen::MatrixXd& Delta, const smacof_params& p,
                                         double& stress) {
  const Index n = X.rows();
  Eigen::MatrixXd Xt = X.transpose();  // d × n: each point contiguous
  Eigen::MatrixXd Dist(n, n), B(n, n);
  stress = distances_and_stress(Xt, Delta, Dist);
  const double inv_n = 1.0 / static_cast<double>(n);
  for (Index it = 1; it <= p.max_iterations; ++it) {
    // Guttman transform X ← n⁻¹ B(X) X, computed as Xtᵀ ← n⁻¹ Xt B (B is symmetric).
    for (Index j = 0; j < n; ++j) {
      double diag = 0.0;
      for (Index i = 0; i < n; ++i) {
        const double dij = Dist(i, j);
        const double bij = (i != j && dij > 0.0) ? -Delta(i, j) / dij : 0.0;
        B(i, j) = bij;
        diag -= bij;
      }
      B(j, j) = diag;
    }
    Xt = (Xt * B * inv_n).eval();
    const double next = distances_and_stress(Xt, Delta, Dist);
    const bool done = stress <= 0.0 || (stress - next) / stress < p.tolerance;
    stress = next;
    if (done) {
      X = Xt.transpose();
      return {it, true};
    }
  }
  X = Xt.transpose();
  return {p.max_iterations, false};
}

}  // namespace detail

template <class D, class G>
smacof_result smacof_mds(const Eigen::MatrixBase<D>& distances_in, const smacof_params& params, G& g) {
  constexpr std::string_view fn = "rnnlab::smacof_mds";
  const Eigen::Ref<const Eigen::MatrixXd> distances = distances_in.template cast<double>();
  params.validate(fn);
  detail::require_distance_matrix(distances, fn, "distances",
                                  std::numeric_limits<typename D::Scalar>::epsilon());
  const Index n = distances.rows(), d = params.dimensions;
  require_shape(d < n, fn, "dimensions", detail::concat("fewer than the ", n, " points"), d);
  Eigen::MatrixXd Delta = distances.template cast<double>();
  Delta.diagonal().setZero();
  const double delta_sq = Delta.squaredNorm() / 2.0;  // Σ_{i<j} δ²
  const double rms = std::sqrt(delta_sq / (0.5 * static_cast<double>(n * (n - 1))));
  smacof_result best;
  best.stress = std::numeric_limits<double>::infinity();
  for (Index start = 0; start < params.n_init; ++start) {
    Eigen::MatrixXd X(n, d);
    if (start == 0 && params.classical_start) {
      X = classical_mds(Delta, {d}).coordinates;
    } else {
      for (Index j = 0; j < d; ++j)
        for (Index i = 0; i < n; ++i) X(i, j) = rms / std::sqrt(2.0 * static_cast<double>(d)) * standard_normal(g);
    }
    double stress = 0.0;
    const auto [iters, converged] = detail::smacof_run(X, Delta, params, stress);
    if (stress < best.stress) {
      best.stress = stress;
      best.coordinates = X;
      best.iterations = iters;
      best.status = converged ? mds_status::ok : mds_status::max_iterations;
    }
  }
  best.stress1 = delta_sq > 0.0 ? std::sqrt(best.stress / delta_sq) : 0.0;
  return best;
}

}  // namespace rnnlab
