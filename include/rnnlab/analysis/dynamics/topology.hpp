#pragma once
/// \file analysis/dynamics/topology.hpp
/// Attractor topology: how a network's fixed points are arranged with respect to the inputs that
/// produce them (McMahan et al. 2021, Sec. 2.6, 3.1; after Maheswaranathan et al. 2019), and a
/// distance between networks that depends on neither the order of the roots nor the basis of
/// the state space.
///
/// **Signature** (reference_code_spec §1.9). P = the unique roots over a probe set, in output
/// order (probe order, then order of discovery), each labelled by the input that produced it.
/// For each of the first n roots, the labels of its k nearest roots (Euclidean, the root itself
/// first) form the signature, n × k labels. The reference labels a root by input channel 0,
/// so in CDI / N-CDI every root of a context other than the first gets label 0; here a label is
/// the pair (context, value) (`topology_label::context_value`, default) and the reference's
/// quirk is kept as `topology_label::channel0` for replication. As a vector, a label is its
/// value followed by the one-hot context scaled by `context_scale` (channel0: the value only).
/// Assumption: the first n roots are comparable across networks, i.e. their output order is
/// meaningful — true for the probe order, arbitrary within one probe.
///
/// **Distance** (rnnlab's). Each root r gets a descriptor that is invariant to neuron permutation,
/// rotation and scaling of the state space: its label ℓ_r = (context, value), its stability class
/// and the labels of its k − 1 nearest other roots in order of distance. The cost of matching
/// root a of network A with root b of network B is
///
///     c(a, b) = d(ℓ_a, ℓ_b) + w_s [class_a ≠ class_b] + w_n · mean_j d(ℓ_{a,j}, ℓ_{b,j}),
///
/// where the neighbour labels ℓ_{·,j} are taken as a multiset sorted by (context, value), so that
/// equidistant neighbours (symmetric probe values) cannot be ordered differently in A and B;
///     d(ℓ, ℓ′) = |v − v′| / s + w_c [c ≠ c′],   s = the largest |value| of the probe set,
///
/// s comes from the probe set (`labelled_points::value_scale`, set by collect_fixed_points), never
/// from the roots of the two networks compared, so that every entry of a distance matrix is on
/// one scale (issue 12, item 7). Which k − 1 roots are a root's nearest does not depend on the
/// order in which roots were found: candidates are ranked by distance, and distances equal to
/// within a relative 1e-9 (mirror images, symmetric probe values) are ranked by label
/// (context, value), then by stability class.
///
/// and the distance is the optimal assignment (Hungarian algorithm) of the two root sets, each
/// unmatched root costing `unmatched_cost`, divided by max(|A|, |B|). It is 0 for identical
/// topologies, symmetric, independent of the order in which roots were found, and counts
/// missing or extra attractors. It is not guaranteed to satisfy the triangle inequality.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/analysis/assignment.hpp>
#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/dynamics/probe_sets.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

// ---------------------------------------------------------------------------------------------
// Declarations

/// How roots are labelled.
enum class topology_label {
  context_value,  ///< (context, value): the fix
  channel0,       ///< input channel 0 only (the reference code; wrong for CDI / N-CDI)
};

/// The names of topology_label (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<topology_label, std::string_view>, 2> enum_names(topology_label) {
  return {{{topology_label::context_value, "context_value"},
           {topology_label::channel0, "channel0"}}};
}

/// The fixed points of one network over a probe set, each labelled by its input.
struct labelled_points {
  Eigen::MatrixXd points;                  ///< N × n, one root per column, in output order
  std::vector<probe_input> labels;         ///< the input that produced each root
  std::vector<stability_class> stability;  ///< per root (may be empty: stability then ignored)
  int n_contexts = 1;
  /// s of the topology distance: the largest |value| of the probe set the roots were found on
  /// (set by collect_fixed_points); 0 = unknown (the distance then falls back to the labels).
  double value_scale = 0.0;

  Index size() const noexcept { return points.cols(); }
};

/// Collects the certified roots of `results[i]` (found at `probes.inputs[i]`) in output order.
inline labelled_points collect_fixed_points(const std::vector<fixed_point_result>& results, const probe_set& probes);

/// Parameters of the reference signature.
struct topology_signature_params {
  Index n_neighbours = 3;  ///< k (the root itself included, as the reference's kNN)
  Index n_roots = 10;      ///< the first n roots
  topology_label label = topology_label::context_value;
  double context_scale = 1.0;  ///< weight of the one-hot context in the signature vector

  void validate() const {
    constexpr std::string_view fn = "rnnlab::topology_signature_params::validate";
    require(n_neighbours >= 1, fn, "n_neighbours", ">= 1", n_neighbours);
    require(n_roots >= 1, fn, "n_roots", ">= 1", n_roots);
    require(std::isfinite(context_scale) && context_scale >= 0.0, fn, "context_scale", "a finite value >= 0",
            context_scale);
  }
};

enum class topology_status { ok, too_few_roots };

/// The names of topology_status (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<topology_status, std::string_view>, 2> enum_names(topology_status) {
  return {{{topology_status::ok, "ok"},
           {topology_status::too_few_roots, "too_few_roots"}}};
}

/// The signature: n_roots × n_neighbours labels, and their vector form.
struct topology_signature {
  topology_status status = topology_status::ok;  ///< too_few_roots: fewer than n_roots or k roots
  std::vector<probe_input> neighbours;           ///< row-major n_roots × n_neighbours (empty if too few)
  Eigen::VectorXd vector;  ///< n_roots·k·(1 + n_contexts) numbers (channel0: n_roots·k)
};

/// The reference signature with the label fix (or the reference's labels for replication).
inline topology_signature attractor_topology_signature(const labelled_points& roots,
                                                       const topology_signature_params& params = {});

/// Parameters of `topology_distance`.
struct topology_distance_params {
  Index n_neighbours = 3;        ///< k: the descriptor holds the k − 1 nearest other roots
  double value_scale = 0.0;      ///< s; 0: the probe set's (labelled_points::value_scale), else the largest |value| of the labels
  double context_cost = 1.0;     ///< w_c
  double stability_cost = 1.0;   ///< w_s (ignored when a network has no stability classes)
  double neighbour_weight = 1.0; ///< w_n
  double unmatched_cost = 2.0;   ///< cost of a root with no partner

  void validate() const {
    constexpr std::string_view fn = "rnnlab::topology_distance_params::validate";
    require(n_neighbours >= 1, fn, "n_neighbours", ">= 1", n_neighbours);
    const auto nonneg = [&](double v, std::string_view name) {
      require(std::isfinite(v) && v >= 0.0, fn, name, "a finite value >= 0", v);
    };
    nonneg(value_scale, "value_scale");
    nonneg(context_cost, "context_cost");
    nonneg(stability_cost, "stability_cost");
    nonneg(neighbour_weight, "neighbour_weight");
    nonneg(unmatched_cost, "unmatched_cost");
  }
};

/// The order- and basis-independent distance between two labelled root sets.
inline double topology_distance(const labelled_points& a, const labelled_points& b,
                                const topology_distance_params& params = {});

/// The P × P matrix of `topology_distance` over networks (pairs in parallel).
inline Eigen::MatrixXd topology_distance_matrix(const std::vector<labelled_points>& networks,
                                                const topology_distance_params& params = {},
                                                thread_count n_threads = 0);

// ---------------------------------------------------------------------------------------------
// Definitions

inline labelled_points collect_fixed_points(const std::vector<fixed_point_result>& results, const probe_set& probes) {
  require_shape(static_cast<Index>(results.size()) == probes.size(), "rnnlab::collect_fixed_points", "results",
                detail::fp_text("one result per probe (", probes.size(), ")"), results.size());
  labelled_points out;
  out.n_contexts = probes.n_contexts;
  for (const auto& in : probes.inputs) out.value_scale = std::max(out.value_scale, std::abs(in.value));
  Index n = 0, N = 0;
  for (const auto& r : results) {
    n += static_cast<Index>(r.fixed_points.size());
    if (!r.fixed_points.empty()) N = r.fixed_points.front().x.size();
  }
  out.points.resize(N, n);
  Index j = 0;
  for (std::size_t i = 0; i < results.size(); ++i)
    for (const auto& cp : results[i].fixed_points) {
      out.points.col(j++) = cp.x;
      out.labels.push_back(probes.inputs[i]);
      out.stability.push_back(cp.stability);
    }
  return out;
}

namespace detail {

/// Indices of the k nearest columns of P to column i (i itself first), by Euclidean distance.
inline std::vector<Index> fp_nearest(const Eigen::MatrixXd& P, Index i, Index k, bool include_self) {
  const Index n = P.cols();
  std::vector<std::pair<double, Index>> d;
  d.reserve(static_cast<std::size_t>(n));
  for (Index j = 0; j < n; ++j) {
    if (j == i) continue;
    d.emplace_back((P.col(j) - P.col(i)).squaredNorm(), j);
  }
  const Index want = std::min<Index>(include_self ? k - 1 : k, static_cast<Index>(d.size()));
  std::partial_sort(d.begin(), d.begin() + want, d.end());
  std::vector<Index> out;
  if (include_self) out.push_back(i);
  for (Index j = 0; j < want; ++j) out.push_back(d[static_cast<std::size_t>(j)].second);
  return out;
}

/// Whether label a ranks before label b: (context, value).
inline bool fp_label_less(const probe_input& a, const probe_input& b) {
  return a.context != b.context ? a.context < b.context : a.value < b.value;
}

/// The k nearest other roots of root i, independent of the order of the roots: by distance, and
/// among distances equal to within a relative 1e-9, by label (context, value), then stability.
inline std::vector<Index> fp_nearest_labelled(const labelled_points& s, Index i, Index k) {
  const Index n = s.size();
  struct cand {
    double d;
    Index j;
  };
  std::vector<cand> c;
  c.reserve(static_cast<std::size_t>(n));
  for (Index j = 0; j < n; ++j)
    if (j != i) c.push_back({(s.points.col(j) - s.points.col(i)).norm(), j});
  std::sort(c.begin(), c.end(), [](const cand& a, const cand& b) { return a.d < b.d; });
  const bool with_stability = static_cast<Index>(s.stability.size()) == n;
  const auto rank_less = [&](const cand& a, const cand& b) {
    const auto& la = s.labels[static_cast<std::size_t>(a.j)];
    const auto& lb = s.labels[static_cast<std::size_t>(b.j)];
    if (fp_label_less(la, lb)) return true;
    if (fp_label_less(lb, la)) return false;
    if (with_stability) return s.stability[static_cast<std::size_t>(a.j)] < s.stability[static_cast<std::size_t>(b.j)];
    return false;
  };
  // Runs of equal distances (relative 1e-9 between neighbours in the sorted order) ranked by label.
  for (std::size_t a = 0; a < c.size();) {
    std::size_t b = a + 1;
    while (b < c.size() && c[b].d - c[b - 1].d <= 1e-9 * std::max(1.0, c[b].d)) ++b;
    std::stable_sort(c.begin() + static_cast<std::ptrdiff_t>(a), c.begin() + static_cast<std::ptrdiff_t>(b), rank_less);
    a = b;
  }
  std::vector<Index> out;
  for (Index j = 0; j < std::min<Index>(k, static_cast<Index>(c.size())); ++j) out.push_back(c[static_cast<std::size_t>(j)].j);
  return out;
}

inline double fp_label_cost(const probe_input& a, const probe_input& b, double scale, double context_cost) {
  return std::abs(a.value - b.value) / scale + (a.context != b.context ? context_cost : 0.0);
}

}  // namespace detail

inline topology_signature attractor_topology_signature(const labelled_points& roots,
                                                       const topology_signature_params& p) {
  p.validate();
  require_shape(static_cast<Index>(roots.labels.size()) == roots.size(), "rnnlab::attractor_topology_signature",
                "roots", detail::fp_text("one label per root (", roots.size(), ")"), roots.labels.size());
  topology_signature sig;
  if (roots.size() < p.n_roots || roots.size() < p.n_neighbours) {
    sig.status = topology_status::too_few_roots;
    return sig;
  }
  const Index k = p.n_neighbours;
  const Index width = p.label == topology_label::channel0 ? 1 : 1 + roots.n_contexts;
  sig.vector = Eigen::VectorXd::Zero(p.n_roots * k * width);
  for (Index i = 0; i < p.n_roots; ++i) {
    const auto nn = detail::fp_nearest(roots.points, i, k, true);
    for (Index j = 0; j < k; ++j) {
      probe_input lab = roots.labels[static_cast<std::size_t>(nn[static_cast<std::size_t>(j)])];
      const Index at = (i * k + j) * width;
      if (p.label == topology_label::channel0) {
        lab.value = lab.u.size() > 0 ? lab.u(0) : 0.0;  // the reference: input channel 0
        lab.context = 0;
        sig.vector(at) = lab.value;
      } else {
        sig.vector(at) = lab.value;
        if (lab.context >= 0 && lab.context < roots.n_contexts) sig.vector(at + 1 + lab.context) = p.context_scale;
      }
      sig.neighbours.push_back(std::move(lab));
    }
  }
  return sig;
}

inline double topology_distance(const labelled_points& a, const labelled_points& b,
                                const topology_distance_params& p) {
  constexpr std::string_view fn = "rnnlab::topology_distance";
  p.validate();
  require_shape(static_cast<Index>(a.labels.size()) == a.size(), fn, "a", "one label per root", a.labels.size());
  require_shape(static_cast<Index>(b.labels.size()) == b.size(), fn, "b", "one label per root", b.labels.size());
  const Index na = a.size(), nb = b.size();
  if (na == 0 && nb == 0) return 0.0;
  double scale = p.value_scale;
  if (scale == 0.0 && (a.value_scale > 0.0 || b.value_scale > 0.0)) {
    // The probe set's scale: both networks must come from the same probe set.
    require(a.value_scale == 0.0 || b.value_scale == 0.0 || a.value_scale == b.value_scale, fn, "b",
            "roots found on the same probe set as a (value scale " + std::to_string(a.value_scale) + ")",
            b.value_scale);
    scale = std::max(a.value_scale, b.value_scale);
  }
  if (scale == 0.0) {
    for (const auto& l : a.labels) scale = std::max(scale, std::abs(l.value));
    for (const auto& l : b.labels) scale = std::max(scale, std::abs(l.value));
    if (scale == 0.0) scale = 1.0;
  }
  const bool use_stability = static_cast<Index>(a.stability.size()) == na &&
                             static_cast<Index>(b.stability.size()) == nb;
  const Index kk = p.n_neighbours - 1;
  const auto neighbours = [&](const labelled_points& s) {
    std::vector<std::vector<Index>> nn(static_cast<std::size_t>(s.size()));
    for (Index i = 0; i < s.size(); ++i) {
      auto& v = nn[static_cast<std::size_t>(i)];
      v = detail::fp_nearest_labelled(s, i, kk);
      // compared as a multiset of labels: equidistant neighbours (symmetric probe values) have no
      // meaningful order
      std::sort(v.begin(), v.end(), [&](Index x, Index y) {
        const auto& lx = s.labels[static_cast<std::size_t>(x)];
        const auto& ly = s.labels[static_cast<std::size_t>(y)];
        return lx.context != ly.context ? lx.context < ly.context : lx.value < ly.value;
      });
    }
    return nn;
  };
  const auto nna = neighbours(a), nnb = neighbours(b);
  const double missing = 1.0 + p.context_cost;  // a neighbour rank one network lacks
  const Index n = std::max(na, nb);
  Eigen::MatrixXd C = Eigen::MatrixXd::Constant(n, n, p.unmatched_cost);
  for (Index i = 0; i < na; ++i)
    for (Index j = 0; j < nb; ++j) {
      const auto& la = a.labels[static_cast<std::size_t>(i)];
      const auto& lb = b.labels[static_cast<std::size_t>(j)];
      double c = detail::fp_label_cost(la, lb, scale, p.context_cost);
      if (use_stability && a.stability[static_cast<std::size_t>(i)] != b.stability[static_cast<std::size_t>(j)])
        c += p.stability_cost;
      if (kk > 0 && p.neighbour_weight > 0.0) {
        const auto& xa = nna[static_cast<std::size_t>(i)];
        const auto& xb = nnb[static_cast<std::size_t>(j)];
        double s = 0.0;
        for (Index r = 0; r < kk; ++r) {
          const bool ha = r < static_cast<Index>(xa.size()), hb = r < static_cast<Index>(xb.size());
          if (ha && hb)
            s += detail::fp_label_cost(a.labels[static_cast<std::size_t>(xa[static_cast<std::size_t>(r)])],
                                       b.labels[static_cast<std::size_t>(xb[static_cast<std::size_t>(r)])], scale,
                                       p.context_cost);
          else if (ha != hb)
            s += missing;
        }
        c += p.neighbour_weight * s / static_cast<double>(kk);
      }
      C(i, j) = c;
    }
  return solve_assignment(C).cost / static_cast<double>(n);
}

inline Eigen::MatrixXd topology_distance_matrix(const std::vector<labelled_points>& networks,
                                                const topology_distance_params& params, thread_count n_threads) {
  params.validate();
  const Index P = static_cast<Index>(networks.size());
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(P, P);
  std::vector<std::pair<Index, Index>> pairs;
  for (Index i = 0; i < P; ++i)
    for (Index j = i + 1; j < P; ++j) pairs.emplace_back(i, j);
  parallel_dynamic(static_cast<Index>(pairs.size()), n_threads, 1, [&](int, Index q) {
    const auto [i, j] = pairs[static_cast<std::size_t>(q)];
    D(i, j) = D(j, i) =
        topology_distance(networks[static_cast<std::size_t>(i)], networks[static_cast<std::size_t>(j)], params);
  });
  return D;
}

}  // namespace rnnlab
