#pragma once
/// \file study/detail/analyses_impl.hpp
/// Definitions of study/analyses.hpp (see study/detail/config.hpp).

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <rnnlab/analysis/dynamics/topology.hpp>
#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/io.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/study/analyses.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

RNNLAB_STUDY_DECL labelled_points load_labelled_points(const fs::path& entry, const std::string& set) {
  const fs::path d = entry / "fixed_points" / set;
  const Eigen::MatrixXd pts = io::read_npy_matrix<double>(d / "points.npy");
  const auto probe = io::read_npy_vector<std::int32_t>(d / "probe.npy", pts.rows());
  const auto stab = io::read_npy_vector<std::int32_t>(d / "stability.npy", pts.rows());
  const Eigen::MatrixXd U = io::read_npy_matrix<double>(d / "inputs.npy");
  const auto values = io::read_npy_vector<double>(d / "values.npy", U.rows());
  const auto contexts = io::read_npy_vector<std::int32_t>(d / "contexts.npy", U.rows());
  labelled_points lp;
  lp.points = pts.transpose();
  lp.n_contexts = U.cols() == 1 ? 1 : static_cast<int>(U.cols() / 2);
  lp.value_scale = values.size() > 0 ? values.cwiseAbs().maxCoeff() : 0.0;
  for (Index r = 0; r < pts.rows(); ++r) {
    const Index i = probe(r);
    probe_input in;
    in.u = U.row(i).transpose();
    in.value = values(i);
    in.context = contexts(i);
    lp.labels.push_back(in);
    lp.stability.push_back(static_cast<stability_class>(stab(r)));
  }
  return lp;
}

namespace detail {

/// Silhouette with permutation p-value of `labels` over the rows `rows` of D (needs ≥ 2 clusters
/// and ≥ 1 network more than clusters); null if it cannot be computed.
inline io::json study_silhouette(const Eigen::MatrixXd& D, const std::vector<Index>& rows,
                                 const std::vector<std::string>& labels, Index permutations, rng& g) {
  std::vector<std::string> distinct;
  for (Index r : rows)
    if (std::find(distinct.begin(), distinct.end(), labels[static_cast<std::size_t>(r)]) == distinct.end())
      distinct.push_back(labels[static_cast<std::size_t>(r)]);
  std::sort(distinct.begin(), distinct.end());
  const auto n = static_cast<Index>(rows.size());
  if (distinct.size() < 2 || static_cast<Index>(distinct.size()) > n - 1) return nullptr;
  Eigen::MatrixXd sub(n, n);
  std::vector<int> lab(static_cast<std::size_t>(n));
  for (Index a = 0; a < n; ++a) {
    lab[static_cast<std::size_t>(a)] = static_cast<int>(
        std::find(distinct.begin(), distinct.end(), labels[static_cast<std::size_t>(rows[static_cast<std::size_t>(a)])]) -
        distinct.begin());
    for (Index b = 0; b < n; ++b) sub(a, b) = D(rows[static_cast<std::size_t>(a)], rows[static_cast<std::size_t>(b)]);
  }
  sub = 0.5 * (sub + sub.transpose()).eval();
  sub.diagonal().setZero();
  const auto r = silhouette_permutation_test(sub, lab, {silhouette_metric::precomputed, permutations}, g);
  return {{"score", r.observed},      {"p_value", r.p_value},     {"null_mean", r.null_mean},
          {"null_std", r.null_std},   {"n", n},                   {"clusters", distinct},
          {"permutations", r.n_permutations}};
}

/// Silhouettes of D by each factor, overall and within each level of the other factors.
inline io::json study_silhouettes(const Eigen::MatrixXd& D, const std::vector<Index>& rows,
                                  const std::map<std::string, std::vector<std::string>>& factors, Index permutations,
                                  rng& g) {
  io::json out = io::json::object();
  for (const auto& [name, labels] : factors) {
    io::json f = io::json::object();
    f["overall"] = study_silhouette(D, rows, labels, permutations, g);
    for (const auto& [other, olabels] : factors) {
      if (other == name) continue;
      std::set<std::string> levels;
      for (Index r : rows) levels.insert(olabels[static_cast<std::size_t>(r)]);
      if (levels.size() < 2) continue;
      io::json within = io::json::object();
      for (const auto& lv : levels) {
        std::vector<Index> sub;
        for (Index r : rows)
          if (olabels[static_cast<std::size_t>(r)] == lv) sub.push_back(r);
        within[lv] = study_silhouette(D, sub, labels, permutations, g);
      }
      f["within_" + other] = within;
    }
    out[name] = f;
  }
  return out;
}

inline Eigen::MatrixXd study_mds(const Eigen::MatrixXd& D, rng& g) {
  if (D.rows() < 3) return Eigen::MatrixXd::Zero(D.rows(), 2);
  Eigen::MatrixXd S = 0.5 * (D + D.transpose());
  S.diagonal().setZero();
  S = S.cwiseMax(0.0);
  return smacof_mds(S, {}, g).coordinates;
}

}  // namespace detail

RNNLAB_STUDY_DECL void analyse_store(const fs::path& store, const study_plan& plan, thread_count threads, std::FILE* log) {
  const fs::path root = store / "analysis";
  io::ensure_directory(root, "rnnlab::study::analyse_store");
  io::json summary{{"groups", io::json::object()}};
  std::uint64_t group_number = 0;
  for (const auto& [group, nets] : store_groups(store, plan)) {
    ++group_number;
    const fs::path out = root / group;
    io::ensure_directory(out, "rnnlab::study::analyse_store");
    const auto P = static_cast<Index>(nets.size());
    auto g = make_stream(plan.seed, 1000003 + group_number, stream_purpose::analysis);
    if (log) std::fprintf(log, "[study] analysing %s: %lld networks\n", group.c_str(), static_cast<long long>(P));

    io::json list = io::json::array();
    std::map<std::string, std::vector<std::string>> factors;
    for (const auto& n : nets) {
      list.push_back(spec_to_json(n.spec));
      factors["rule"].push_back(n.spec.rule);
      factors["noise"].push_back(n.spec.noise_label());
      factors["activation"].push_back(n.spec.activation);
    }
    io::write_json(out / "networks.json", list);
    std::vector<Index> all(static_cast<std::size_t>(P));
    for (Index i = 0; i < P; ++i) all[static_cast<std::size_t>(i)] = i;

    // Per network: factor the activity, read the roots, signature, attractor counts, mechanism.
    distance_matrix_params dp;  // SVCCA, reference conventions
    dp.n_threads = threads;
    std::vector<activity_factor> factors_svcca(static_cast<std::size_t>(P));
    std::vector<labelled_points> roots(static_cast<std::size_t>(P));
    std::vector<Eigen::VectorXd> signatures(static_cast<std::size_t>(P));
    std::vector<io::json> mech(static_cast<std::size_t>(P));
    Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic> counts;
    std::vector<Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1>> count_rows(static_cast<std::size_t>(P));
    parallel_dynamic(P, threads, 1, [&](int, Index i) {
      const auto& dir = nets[static_cast<std::size_t>(i)].dir;
      const Eigen::MatrixXd A = io::read_npy_matrix<float>(dir / "activity.npy").cast<double>();
      factors_svcca[static_cast<std::size_t>(i)] = factor_activity(A, dp.factorisation());
      roots[static_cast<std::size_t>(i)] = load_labelled_points(dir, "small");
      signatures[static_cast<std::size_t>(i)] = io::read_npy_vector<double>(dir / "topology_signature.npy");
      const auto large = load_labelled_points(dir, "large");
      const auto nprobe = io::read_npy_vector<double>(dir / "fixed_points" / "large" / "values.npy").size();
      const auto probe = io::read_npy_vector<std::int32_t>(dir / "fixed_points" / "large" / "probe.npy");
      Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> c = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1>::Zero(nprobe);
      for (Index r = 0; r < probe.size(); ++r)
        if (large.stability[static_cast<std::size_t>(r)] == stability_class::stable) ++c(probe(r));
      count_rows[static_cast<std::size_t>(i)] = c;
      mech[static_cast<std::size_t>(i)] = io::read_json(dir / "integration.json");
    });

    // SVCCA distances.
    const auto svcca = distance_matrix_from_factors(factors_svcca, dp);
    io::write_npy(out / "svcca_distances.npy", svcca.distances);
    // Topology distances (order- and basis-free) and the reference signatures.
    const Eigen::MatrixXd topo = topology_distance_matrix(roots, {}, threads);
    io::write_npy(out / "topology_distances.npy", topo);
    std::vector<Index> sig_rows;
    for (Index i = 0; i < P; ++i)
      if (signatures[static_cast<std::size_t>(i)].size() > 0) sig_rows.push_back(i);
    Eigen::MatrixXd sigD = Eigen::MatrixXd::Zero(P, P);
    for (Index a : sig_rows)
      for (Index b : sig_rows)
        if (signatures[static_cast<std::size_t>(a)].size() == signatures[static_cast<std::size_t>(b)].size())
          sigD(a, b) = (signatures[static_cast<std::size_t>(a)] - signatures[static_cast<std::size_t>(b)]).norm();
    {
      const auto S = static_cast<Index>(sig_rows.size());
      Eigen::MatrixXd sub(S, S);
      Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> rows_out(S);
      for (Index a = 0; a < S; ++a) {
        rows_out(a) = static_cast<std::int32_t>(sig_rows[static_cast<std::size_t>(a)]);
        for (Index b = 0; b < S; ++b) sub(a, b) = sigD(sig_rows[static_cast<std::size_t>(a)], sig_rows[static_cast<std::size_t>(b)]);
      }
      io::write_npy(out / "signature_distances.npy", sub);
      io::write_npy_vector(out / "signature_rows.npy", rows_out);
    }
    io::write_npy(out / "svcca_mds.npy", detail::study_mds(svcca.distances, g));
    io::write_npy(out / "topology_mds.npy", detail::study_mds(topo, g));

    // Silhouettes.
    const Index perms = plan.scale.permutations;
    io::json sil{{"svcca", detail::study_silhouettes(svcca.distances, all, factors, perms, g)},
                 {"topology", detail::study_silhouettes(topo, all, factors, perms, g)},
                 {"signature", detail::study_silhouettes(sigD, sig_rows, factors, perms, g)},
                 {"metric", "precomputed"}};
    io::write_json(out / "silhouettes.json", sil);

    // Attractor counts per "large" probe input.
    const Index nprobe = P > 0 ? count_rows[0].size() : 0;
    counts.resize(P, nprobe);
    for (Index i = 0; i < P; ++i) counts.row(i) = count_rows[static_cast<std::size_t>(i)].transpose();
    io::write_npy(out / "attractor_counts.npy", counts);
    io::json cj = io::json::object();
    const Eigen::VectorXd probe_values =
        P > 0 ? io::read_npy_vector<double>(nets[0].dir / "fixed_points" / "large" / "values.npy") : Eigen::VectorXd();
    cj["probe_values"] = std::vector<double>(probe_values.data(), probe_values.data() + probe_values.size());
    io::json by_cell = io::json::object();
    std::map<std::string, std::pair<Eigen::VectorXd, Index>> acc;
    for (Index i = 0; i < P; ++i) {
      const auto& s = nets[static_cast<std::size_t>(i)].spec;
      const std::string key = s.rule + " | " + s.noise_label();
      auto& [sumv, n] = acc[key];
      if (n == 0) sumv = Eigen::VectorXd::Zero(nprobe);
      sumv += counts.row(i).cast<double>().transpose();
      ++n;
    }
    for (const auto& [key, v] : acc) {
      const Eigen::VectorXd mean = v.first / static_cast<double>(v.second);
      by_cell[key] = std::vector<double>(mean.data(), mean.data() + mean.size());
    }
    cj["mean_stable_per_probe"] = by_cell;
    io::write_json(out / "attractor_counts.json", cj);

    // Integration mechanism per network, and counts per (rule, noise).
    io::json per_net = io::json::array();
    io::json mech_counts = io::json::object();
    for (Index i = 0; i < P; ++i) {
      const auto& s = nets[static_cast<std::size_t>(i)].spec;
      const auto& m = mech[static_cast<std::size_t>(i)];
      Index zero_stable = 0;
      for (const auto& c : m.at("contexts")) zero_stable = std::max(zero_stable, c.at("n_stable").get<Index>());
      per_net.push_back({{"index", s.index}, {"rule", s.rule}, {"noise", s.noise_label()},
                         {"overall", m.at("overall")}, {"max_stable_at_zero", zero_stable}});
      const std::string key = s.rule + " | " + s.noise_label();
      const std::string verdict = m.at("overall").get<std::string>();
      if (!mech_counts.contains(key)) mech_counts[key] = io::json::object();
      mech_counts[key][verdict] = mech_counts[key].value(verdict, 0) + 1;
    }
    io::write_json(out / "integration.json", {{"networks", per_net}, {"counts", mech_counts}});

    // Training outcome per network (for the claims: unconverged networks are flagged).
    io::json trained = io::json::object(), trained_by_rule = io::json::object();
    for (const auto& n : nets) {
      const auto t = io::read_json(n.dir / "training.json");
      const std::string st = t.at("status").get<std::string>();
      trained[st] = trained.value(st, 0) + 1;
      if (!trained_by_rule.contains(n.spec.rule)) trained_by_rule[n.spec.rule] = io::json::object();
      trained_by_rule[n.spec.rule][st] = trained_by_rule[n.spec.rule].value(st, 0) + 1;
    }

    summary["groups"][group] = {{"n_networks", P},
                                {"task", nets.front().spec.task},
                                {"contexts", nets.front().spec.contexts},
                                {"training_status", trained},
                                {"training_status_by_rule", trained_by_rule},
                                {"silhouettes", sil},
                                {"attractor_counts", cj},
                                {"integration", mech_counts},
                                {"integration_networks", per_net}};
  }
  io::write_json(root / "summary.json", summary);
}

}  // namespace rnnlab::study
