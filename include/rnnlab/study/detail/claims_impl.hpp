#pragma once
/// \file study/detail/claims_impl.hpp
/// Definitions of study/claims.hpp (see study/detail/config.hpp).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/io.hpp>
#include <rnnlab/study/analyses.hpp>
#include <rnnlab/study/claims.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

namespace detail {

inline std::string study_fmt(double v, int digits = 3) {
  if (!std::isfinite(v)) return "n/a";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

inline double study_spearman(std::vector<double> x, std::vector<double> y) {
  const auto rank = [](const std::vector<double>& v) {
    std::vector<std::size_t> o(v.size());
    std::iota(o.begin(), o.end(), 0);
    std::stable_sort(o.begin(), o.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < o.size();) {
      std::size_t j = i;
      while (j + 1 < o.size() && v[o[j + 1]] == v[o[i]]) ++j;
      for (std::size_t k = i; k <= j; ++k) r[o[k]] = 0.5 * static_cast<double>(i + j);
      i = j + 1;
    }
    return r;
  };
  const auto rx = rank(x), ry = rank(y);
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / n, my = std::accumulate(ry.begin(), ry.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : std::nan("");
}

inline const io::json* study_path(const io::json& j, std::initializer_list<const char*> keys) {
  const io::json* p = &j;
  for (const char* k : keys) {
    if (!p->is_object() || !p->contains(k)) return nullptr;
    p = &(*p)[k];
  }
  return p->is_null() ? nullptr : p;
}

/// "n = P (bptt 3/3 converged, genetic 1/3 converged)": the networks a group's analyses used,
/// every one of them, converged or not (training_status_by_rule of summary.json).
inline std::string study_networks_used(const io::json& group) {
  std::string s = "n = " + std::to_string(group.at("n_networks").get<Index>());
  if (!group.contains("training_status_by_rule")) return s;
  std::string per;
  for (const auto& [rule, st] : group.at("training_status_by_rule").items()) {
    Index total = 0;
    for (const auto& [k, v] : st.items()) total += v.get<Index>();
    per += (per.empty() ? "" : ", ") + rule + " " + std::to_string(st.value("converged", Index{0})) + "/" +
           std::to_string(total) + " converged";
  }
  return s + " (" + per + ")";
}

}  // namespace detail

RNNLAB_STUDY_DECL std::vector<claim_row> compute_claims(const fs::path& store, const study_plan& plan) {
  const io::json summary = io::read_json(store / "analysis" / "summary.json");
  const io::json& groups = summary.at("groups");
  std::vector<claim_row> rows;
  // What the store holds (a union plan's fields are in its parts: read the networks instead).
  std::set<std::string> rules_in, tasks_in, noise_in;
  std::set<int> contexts_in;
  for (const auto& s : enumerate_networks(plan)) {
    rules_in.insert(s.rule);
    tasks_in.insert(s.task);
    if (s.task == "ncdi") {
      contexts_in.insert(s.contexts);
      noise_in.insert(s.noise_label());
    }
  }
  const auto has_rule = [&](const std::string& r) { return rules_in.count(r) > 0; };
  const auto has_task = [&](const std::string& t) { return tasks_in.count(t) > 0; };

  // (a)
  {
    claim_row c{"a", "Attractor topology does not cluster by learning rule on RDM and CDI (topology silhouette by rule near 0)", "", ""};
    if (rules_in.size() < 2) {
      c.verdict = "not measured (needs >= 2 learning rules; the store has " + *rules_in.begin() + " only)";
    } else {
      bool any = false, ok = true;
      for (const char* t : {"rdm", "cdi"}) {
        if (!groups.contains(t)) continue;
        const auto* s = detail::study_path(groups[t], {"silhouettes", "topology", "rule", "overall"});
        const auto* r = detail::study_path(groups[t], {"silhouettes", "signature", "rule", "overall"});
        if (!s) continue;
        any = true;
        const double v = s->at("score").get<double>();
        ok = ok && std::abs(v) < 0.25;
        c.measured += std::string(c.measured.empty() ? "" : "; ") + t + ": s = " + detail::study_fmt(v) +
                      " (p = " + detail::study_fmt(s->at("p_value").get<double>()) + ")" +
                      (r ? ", reference signature s = " + detail::study_fmt(r->at("score").get<double>()) : "") +
                      ", " + detail::study_networks_used(groups[t]);
      }
      c.verdict = !any ? "not measured (needs RDM or CDI networks of >= 2 rules)" : ok ? "agrees" : "disagrees";
    }
    rows.push_back(c);
  }
  // (b)
  {
    claim_row c{"b", "SVCCA separates Hebbian networks from BPTT / GA / full-FORCE (silhouette Hebbian vs rest)", "", ""};
    const bool others = has_rule("bptt") || has_rule("genetic") || has_rule("full_force");
    if (!has_rule("hebbian") || !others) {
      c.verdict = std::string("not measured (needs hebbian") + (others ? "" : " and one of bptt, genetic, full_force") +
                  " networks in the store)";
    } else {
      bool any = false, ok = true;
      for (const char* t : {"rdm", "cdi"}) {
        if (!groups.contains(t)) continue;
        const Eigen::MatrixXd D = io::read_npy_matrix<double>(store / "analysis" / t / "svcca_distances.npy");
        const io::json nets = io::read_json(store / "analysis" / t / "networks.json");
        std::vector<int> lab;
        for (const auto& n : nets) lab.push_back(n.at("rule").get<std::string>() == "hebbian" ? 1 : 0);
        if (std::count(lab.begin(), lab.end(), 1) == 0 || std::count(lab.begin(), lab.end(), 0) == 0) continue;
        auto g = make_stream(plan.seed, 2000003, stream_purpose::analysis);
        const auto r = silhouette_permutation_test(D, lab, {silhouette_metric::precomputed, plan.scale.permutations}, g);
        any = true;
        ok = ok && r.observed > 0.25 && r.p_value < 0.05;
        c.measured += std::string(c.measured.empty() ? "" : "; ") + t + ": s = " + detail::study_fmt(r.observed) +
                      " (p = " + detail::study_fmt(r.p_value) + "), " + detail::study_networks_used(groups[t]);
      }
      c.verdict = !any ? "not measured (needs RDM or CDI networks)" : ok ? "agrees" : "disagrees";
    }
    rows.push_back(c);
  }
  // (c)
  {
    claim_row c{"c", "On N-CDI the BPTT-vs-GA SVCCA silhouette grows with N while the topology silhouette does not", "", ""};
    std::vector<double> ns, sv, tp;
    if (has_rule("bptt") && has_rule("genetic") && has_task("ncdi"))
      for (int n : contexts_in) {
        const std::string g = "ncdi" + std::to_string(n);
        if (!groups.contains(g)) continue;
        const auto* s = detail::study_path(groups[g], {"silhouettes", "svcca", "rule", "overall"});
        const auto* t = detail::study_path(groups[g], {"silhouettes", "topology", "rule", "overall"});
        if (!s || !t) continue;
        ns.push_back(n);
        sv.push_back(s->at("score").get<double>());
        tp.push_back(t->at("score").get<double>());
        c.measured += std::string(c.measured.empty() ? "" : "; ") + "N=" + std::to_string(n) + ": SVCCA " +
                      detail::study_fmt(sv.back()) + ", topology " + detail::study_fmt(tp.back());
      }
    if (ns.size() < 3) {
      c.verdict = "not measured (needs bptt and genetic networks on N-CDI at >= 3 values of N: preset fig2)";
    } else {
      const double rs = detail::study_spearman(ns, sv), rt = detail::study_spearman(ns, tp);
      c.measured += "; Spearman(N, SVCCA s) = " + detail::study_fmt(rs, 2) + ", Spearman(N, topology s) = " +
                    detail::study_fmt(rt, 2);
      c.verdict = rs > 0.5 && !(rt > 0.5) ? "agrees" : "disagrees";
    }
    rows.push_back(c);
  }
  // (d)
  {
    claim_row c{"d", "On RDM more zero-input attractors with larger input noise; transient vs stable integration split", "", ""};
    if (!groups.contains("rdm")) {
      c.verdict = "not measured (needs RDM networks)";
    } else {
      std::map<std::string, std::pair<double, Index>> zero;  // noise label → (sum of stable at zero, n)
      std::map<std::string, Index> mech;
      std::vector<std::pair<double, std::string>> levels;
      for (const auto& n : groups["rdm"].at("integration_networks")) {
        auto& z = zero[n.at("noise").get<std::string>()];
        z.first += n.at("max_stable_at_zero").get<double>();
        ++z.second;
        ++mech[n.at("overall").get<std::string>()];
      }
      const auto nets = enumerate_networks(plan);
      for (const auto& s : nets)
        if (s.task == "rdm" &&
            std::find_if(levels.begin(), levels.end(), [&](const auto& l) { return l.second == s.noise_label(); }) ==
                levels.end())
          levels.emplace_back(s.noise_stddev(), s.noise_label());
      std::sort(levels.begin(), levels.end());
      for (const auto& [sd, label] : levels) {
        const auto& z = zero[label];
        c.measured += std::string(c.measured.empty() ? "" : "; ") + "noise " + label + ": " +
                      detail::study_fmt(z.first / static_cast<double>(z.second), 2) + " stable points at zero evidence";
      }
      std::string split;
      for (const auto& [k, v] : mech) split += (split.empty() ? "" : ", ") + k + " " + std::to_string(v);
      c.measured += "; mechanisms: " + split + "; " + detail::study_networks_used(groups["rdm"]);
      if (levels.size() < 2) {
        c.verdict = "not measured for the noise trend (needs >= 2 RDM noise levels: preset fig3); split measured";
      } else {
        const auto& lo = zero[levels.front().second];
        const auto& hi = zero[levels.back().second];
        const bool more = hi.first / static_cast<double>(hi.second) > lo.first / static_cast<double>(lo.second);
        const bool both = mech["transient"] > 0 && mech["stable"] > 0;
        c.verdict = more && both ? "agrees" : "disagrees";
      }
    }
    rows.push_back(c);
  }
  // (e)
  {
    claim_row c{"e", "Input noise stops mattering to attractor topology for N > 3 (topology silhouette by noise)", "", ""};
    std::vector<double> low, high;
    if (has_task("ncdi") && noise_in.size() >= 2)
      for (int n : contexts_in) {
        const std::string g = "ncdi" + std::to_string(n);
        if (!groups.contains(g)) continue;
        const auto* s = detail::study_path(groups[g], {"silhouettes", "topology", "noise", "overall"});
        if (!s) continue;
        const double v = s->at("score").get<double>();
        (n > 3 ? high : low).push_back(v);
        c.measured += std::string(c.measured.empty() ? "" : "; ") + "N=" + std::to_string(n) + ": " + detail::study_fmt(v);
      }
    if (low.empty() || high.empty()) {
      c.verdict = "not measured (needs N-CDI networks at >= 2 noise levels with N <= 3 and N > 3: preset fig5)";
    } else {
      const double ml = std::accumulate(low.begin(), low.end(), 0.0) / static_cast<double>(low.size());
      const double mh = std::accumulate(high.begin(), high.end(), 0.0) / static_cast<double>(high.size());
      c.measured += "; mean N<=3 " + detail::study_fmt(ml) + ", mean N>3 " + detail::study_fmt(mh);
      c.verdict = mh < 0.25 && mh < ml ? "agrees" : "disagrees";
    }
    rows.push_back(c);
  }
  return rows;
}

RNNLAB_STUDY_DECL std::string claims_markdown(const std::vector<claim_row>& rows) {
  std::string s = "| claim | paper | measured | verdict |\n|---|---|---|---|\n";
  for (const auto& r : rows) s += "| (" + r.id + ") | " + r.claim + " | " + r.measured + " | " + r.verdict + " |\n";
  return s;
}

RNNLAB_STUDY_DECL std::string write_claims(const fs::path& store, const study_plan& plan) {
  const auto rows = compute_claims(store, plan);
  io::json j = io::json::array();
  for (const auto& r : rows) j.push_back({{"id", r.id}, {"claim", r.claim}, {"measured", r.measured}, {"verdict", r.verdict}});
  io::write_json(store / "analysis" / "claims.json", j);
  const std::string md = claims_markdown(rows);
  io::write_text(store / "analysis" / "claims.md", md);
  return md;
}

RNNLAB_STUDY_DECL void analyse_and_claim(const fs::path& store, const study_plan& plan, thread_count threads, std::FILE* log) {
  analyse_store(store, plan, threads, log);
  write_claims(store, plan);
}

}  // namespace rnnlab::study
