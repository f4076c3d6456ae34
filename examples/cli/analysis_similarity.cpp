// Subcommands over analysis/: `similarity` (one pair of activity matrices), `distances` (a population
// distance matrix) and `embed` (MDS coordinates, silhouettes in both conventions, permutation p-values).
// Activity files are .npy matrices units × samples (float32 or float64), the same samples for all.
#include "commands.hpp"

#include <rnnlab/analysis/similarity/activity.hpp>
#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/cka.hpp>
#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/analysis/similarity/procrustes.hpp>
#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/io.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <iostream>
#include <map>

namespace rnnlab::cli {
namespace {

namespace fs = std::filesystem;

struct metric_options {
  std::string metric = "svcca";
  std::string summary = "mean";
  double threshold = 0.95;
  double epsilon = 1e-10;
  bool debiased = false;
  bool transpose = false;

  void add(CLI::App* sub) {
    sub->add_option("--metric", metric, "svcca | cca | cka | procrustes")
        ->check(CLI::IsMember(names_of<similarity_metric>()))
        ->capture_default_str();
    sub->add_option("--summary", summary, "SVCCA summary of the canonical correlations: mean (reference code) | max (paper text) | pwcca")
        ->check(CLI::IsMember(names_of<svcca_summary>()))
        ->capture_default_str();
    sub->add_option("--threshold", threshold, "SVCCA: fraction of variance kept per network")->capture_default_str();
    sub->add_option("--epsilon", epsilon, "SVCCA/CCA covariance regulariser (reference 1e-10; 0 = exact)")->capture_default_str();
    sub->add_flag("--debiased", debiased, "CKA: the debiased (unbiased-HSIC) form");
    sub->add_flag("--samples-first", transpose, "Activity files are samples × units (transpose them)");
  }
  distance_matrix_params params() const {
    distance_matrix_params p;
    p.metric = from_name<similarity_metric>(metric, "rnnlab", "--metric");
    p.svcca.summary = from_name<svcca_summary>(summary, "rnnlab", "--summary");
    p.svcca.variance_threshold = threshold;
    p.svcca.epsilon = epsilon;
    p.cca_epsilon = metric == "cca" ? epsilon : 0.0;
    p.cka_debiased = debiased;
    return p;
  }
};

Eigen::MatrixXd read_activity(const fs::path& path, bool transpose) {
  Eigen::MatrixXd A = io::read_npy_matrix<double>(path);
  if (transpose) A.transposeInPlace();
  return A;
}

// ---- similarity ------------------------------------------------------------------------------

struct similarity_args {
  std::string a, b;
  metric_options metric;
  bool json = false;
};

void run_similarity(const similarity_args& args) {
  const Eigen::MatrixXd X = read_activity(args.a, args.metric.transpose), Y = read_activity(args.b, args.metric.transpose);
  const auto p = args.metric.params();
  io::json out{{"metric", args.metric.metric}, {"a", args.a}, {"b", args.b}};
  double value = 0.0;
  switch (p.metric) {
    case similarity_metric::svcca: {
      const auto r = svcca(X, Y, p.svcca);
      value = r.similarity;
      out["summary"] = args.metric.summary;
      out["k_a"] = r.k_x;
      out["k_b"] = r.k_y;
      out["status"] = to_name(r.status);
      break;
    }
    case similarity_metric::cca: {
      const auto r = cca(X, Y, {p.cca_epsilon, 1e-6});
      value = r.mean();
      out["max"] = r.max();
      out["status"] = to_name(r.status);
      break;
    }
    case similarity_metric::cka: {
      const auto r = cka(X, Y, {p.cka_debiased});
      value = r.similarity;
      out["debiased"] = p.cka_debiased;
      out["status"] = to_name(r.status);
      if (!r.reason.empty()) {
        out["reason"] = r.reason;
        if (!args.json) std::cerr << "rnnlab similarity: " << to_name(r.status) << ": " << r.reason << "\n";
      }
      break;
    }
    case similarity_metric::procrustes: {
      const auto r = procrustes(X, Y);
      value = r.angle;
      out["cos_angle"] = r.similarity;
      out["euclidean"] = r.euclidean;
      out["status"] = to_name(r.status);
      break;
    }
  }
  out["value"] = value;
  if (args.json)
    std::cout << out.dump(2) << "\n";
  else
    std::cout.precision(10), std::cout << value << "\n";
}

// ---- distances -------------------------------------------------------------------------------

struct distances_args {
  std::vector<std::string> inputs;
  metric_options metric;
  std::string out;
  thread_count threads = 0;
  std::uint64_t seed = 0;
  std::string kind = "state";
  std::string save_activity;
};

// One network's activity: a .npy file, or a network folder (network.json) recorded on the SVCCA probes.
Eigen::MatrixXd activity_of(const fs::path& path, const distances_args& a, std::uint64_t index) {
  if (fs::is_directory(path)) {
    return io::visit_network<double>(path, [&](const auto& net) {
      const Index M = net.n_inputs();
      const bool rdm = M == 1;
      require_shape(rdm || M % 2 == 0, "rnnlab distances", path.string(),
                    "a network with 1 input (RDM) or 2N inputs (N-CDI)", M);
      const auto u = svcca_probe_inputs<double>(rdm ? 1 : static_cast<int>(M / 2), !rdm);
      rng g = make_stream(a.seed, index, stream_purpose::analysis);
      activity_params p;
      p.kind = from_name<activity_kind>(a.kind, "rnnlab distances", "--activity");
      return record_activity(net, u, p, g);
    });
  }
  return read_activity(path, a.metric.transpose);
}

void run_distances(const distances_args& a) {
  // Expand directories that are not network folders into their .npy files (sorted by name).
  std::vector<fs::path> paths;
  for (const auto& in : a.inputs) {
    const fs::path p(in);
    if (fs::is_directory(p) && !fs::exists(p / "network.json")) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(p))
        if (e.path().extension() == ".npy") files.push_back(e.path());
      std::sort(files.begin(), files.end());
      require(!files.empty(), "rnnlab distances", in, "a network folder or a folder of .npy activity files",
              "a folder without either");
      paths.insert(paths.end(), files.begin(), files.end());
    } else {
      if (!fs::exists(p)) throw io_error("rnnlab distances: '" + in + "' does not exist");
      paths.push_back(p);
    }
  }
  require(paths.size() >= 2, "rnnlab distances", "inputs", "at least 2 networks", paths.size());
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Eigen::MatrixXd> acts;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    acts.push_back(activity_of(paths[i], a, i));
    if (!a.save_activity.empty() && fs::is_directory(paths[i])) {
      fs::create_directories(a.save_activity);
      io::write_npy(fs::path(a.save_activity) / (std::to_string(i) + "_" + fs::path(paths[i]).filename().string() + ".npy"),
                    acts.back());
    }
  }
  auto p = a.metric.params();
  p.n_threads = a.threads;
  const auto t1 = std::chrono::steady_clock::now();
  const auto r = distance_matrix(std::span<const Eigen::MatrixXd>(acts), p);
  const auto t2 = std::chrono::steady_clock::now();
  io::write_npy(a.out, r.distances);
  io::json meta{{"metric", a.metric.metric},
                {"summary", a.metric.summary},
                {"variance_threshold", a.metric.threshold},
                {"epsilon", a.metric.epsilon},
                {"debiased", a.metric.debiased},
                {"status", to_name(r.status)},
                {"components", r.components}};
  meta["networks"] = io::json::array();
  for (const auto& path : paths) meta["networks"].push_back(path.string());
  fs::path side(a.out);
  side.replace_extension(".json");
  io::write_json(side, meta);
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::cout << "wrote the " << acts.size() << " × " << acts.size() << " " << a.metric.metric << " distance matrix to "
            << a.out << " (reading " << ms(t1 - t0) << " ms, distances " << ms(t2 - t1) << " ms; order and K per network in "
            << side.string() << ")\n";
}

// ---- embed -----------------------------------------------------------------------------------

struct embed_args {
  std::string distances, labels, out;
  Index dims = 2;
  Index permutations = 1000;
  std::uint64_t seed = 0;
  Index mds_starts = smacof_params{}.n_init;
  Index mds_iterations = smacof_params{}.max_iterations;
};

// Labels: a JSON array (integers or strings), {"labels": [...]}, or the fixtures' {"blocks": [{"rule", "count"}]}.
std::vector<int> read_labels(const fs::path& path, std::vector<std::string>& names) {
  const io::json j = io::read_json(path);
  const std::string expected =
      "a JSON array of labels (integers or strings), {\"labels\": [...]} or {\"blocks\": [{\"rule\": R, \"count\": n}, ...]}";
  const auto bad = [&](const std::string& what) {
    return io_error("rnnlab embed: --labels '" + path.string() + "': expected " + expected + ", got " + what);
  };
  io::json list = io::json::array();
  if (j.is_array()) {
    list = j;
  } else if (j.is_object() && j.contains("labels")) {
    list = j.at("labels");
    if (!list.is_array()) throw bad("\"labels\" of type " + std::string(list.type_name()));
  } else if (j.is_object() && j.contains("blocks")) {
    const io::json& blocks = j.at("blocks");
    if (!blocks.is_array()) throw bad("\"blocks\" of type " + std::string(blocks.type_name()));
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      const io::json& b = blocks[k];
      const std::string where = "blocks[" + std::to_string(k) + "]";
      if (!b.is_object() || !b.contains("rule") || !b.contains("count"))
        throw bad(where + " = " + b.dump() + " (needs \"rule\" and \"count\")");
      if (!b.at("count").is_number_integer() || b.at("count").get<long long>() < 0)
        throw bad(where + ".count = " + b.at("count").dump() + " (needs a non-negative integer)");
      for (long long i = 0; i < b.at("count").get<long long>(); ++i) list.push_back(b.at("rule"));
    }
  } else {
    throw bad(j.is_object() ? "an object without \"labels\" or \"blocks\"" : "a JSON " + std::string(j.type_name()));
  }
  std::vector<int> codes;
  std::map<std::string, int> index;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const io::json& v = list[k];
    if (!v.is_string() && !v.is_number_integer())
      throw bad("label " + std::to_string(k) + " = " + v.dump() + " (labels are integers or strings)");
    const std::string key = v.is_string() ? v.get<std::string>() : v.dump();
    auto [it, added] = index.emplace(key, static_cast<int>(names.size()));
    if (added) names.push_back(key);
    codes.push_back(it->second);
  }
  return codes;
}

/// A distance matrix from .npy; one stored as float32 is symmetrised, ½(D + Dᵀ), when its asymmetry is
/// within float32 precision (detail::distance_symmetry_tolerance), and the user is told: the checks
/// then judge it with the tolerance of the dtype it was stored in, not float64's.
Eigen::MatrixXd read_distance_matrix(const std::string& path) {
  Eigen::MatrixXd D = io::read_npy_matrix<double>(path);
  if (io::read_npy_header(path).dtype != io::npy_dtype::float32 || D.rows() != D.cols() || !D.allFinite()) return D;
  const double largest = D.cwiseAbs().maxCoeff();
  const double asym = (D - D.transpose()).cwiseAbs().maxCoeff();
  if (asym > 0.0 && asym <= detail::distance_symmetry_tolerance(std::numeric_limits<float>::epsilon()) * largest) {
    D = (0.5 * (D + D.transpose())).eval();
    std::cerr << "rnnlab: " << path << " is float32 and symmetric to its precision (largest |D - D^T| = " << asym
              << "); symmetrised as (D + D^T) / 2\n";
  }
  return D;
}

void run_embed(const embed_args& a) {
  smacof_params sp;
  sp.dimensions = a.dims;
  sp.n_init = a.mds_starts;
  sp.max_iterations = a.mds_iterations;
  sp.validate("rnnlab embed");  // before any work: --dims, --mds-starts, --mds-iterations
  const Eigen::MatrixXd D = read_distance_matrix(a.distances);
  std::vector<std::string> names;
  const auto labels = read_labels(a.labels, names);
  fs::create_directories(a.out);
  rng g = make_stream(a.seed, 0, stream_purpose::analysis);
  const auto classical = classical_mds(D, {a.dims});
  const auto smacof = smacof_mds(D, sp, g);
  io::write_npy(fs::path(a.out) / "mds_classical.npy", classical.coordinates);
  io::write_npy(fs::path(a.out) / "mds_smacof.npy", smacof.coordinates);
  io::json out{{"n", D.rows()},
               {"labels", names},
               {"classical_negative_fraction", classical.negative_fraction},
               {"smacof_stress1", smacof.stress1},
               {"smacof_status", to_name(smacof.status)},
               {"smacof_starts", sp.n_init},
               {"smacof_max_iterations", sp.max_iterations},
               {"permutations", a.permutations},
               {"seed", a.seed}};
  std::cout.precision(4);
  for (auto metric : {silhouette_metric::precomputed, silhouette_metric::rows_as_features}) {
    const auto t = silhouette_permutation_test(D, labels, {metric, a.permutations}, g);
    const std::string key(to_name(metric));
    out["silhouette_" + key] = t.observed;
    out["p_" + key] = t.p_value;
    out["null_mean_" + key] = t.null_mean;
    std::cout << "silhouette (" << key << "): " << t.observed << "  p = " << t.p_value << " (" << a.permutations
              << " permutations)\n";
  }
  io::write_json(fs::path(a.out) / "embed.json", out);
  std::cout << "wrote mds_classical.npy, mds_smacof.npy (stress-1 " << smacof.stress1 << ") and embed.json to " << a.out << "\n";
}

// ---- registration ----------------------------------------------------------------------------

const bool registered_similarity = register_command("similarity", [](CLI::App& app) {
  auto args = std::make_shared<similarity_args>();
  auto* sub = app.add_subcommand("similarity",
                                 "Similarity of two activity matrices (.npy, units × samples, same samples): "
                                 "SVCCA / mean CCA / CKA in [0, 1], Procrustes angle in radians");
  sub->add_option("A", args->a, "First activity .npy")->required()->check(CLI::ExistingFile);
  sub->add_option("B", args->b, "Second activity .npy")->required()->check(CLI::ExistingFile);
  args->metric.add(sub);
  sub->add_flag("--json", args->json, "Print a JSON object with details instead of the bare value");
  sub->callback([args] { run_similarity(*args); });
});

const bool registered_distances = register_command("distances", [](CLI::App& app) {
  auto args = std::make_shared<distances_args>();
  auto* sub = app.add_subcommand(
      "distances",
      "Population distance matrix (1 − similarity; Procrustes: angle) of activity .npy files, folders of them, "
      "or network folders (recorded on the SVCCA probe inputs); writes OUT.npy and OUT.json (order, K per network)");
  sub->add_option("inputs", args->inputs, "Activity .npy files, folders of .npy files, or network folders")
      ->required()
      ->expected(1, -1);
  args->metric.add(sub);
  sub->add_option("--out", args->out, "Distance matrix .npy to write")->required();
  sub->add_option("--threads", args->threads, "Worker threads (0 = all cores)")->capture_default_str();
  sub->add_option("--seed", args->seed, "Network folders: seed of the probe runs' initial states")->capture_default_str();
  sub->add_option("--activity", args->kind, "Network folders: record the state x (reference) or the rates f(x)")
      ->check(CLI::IsMember(names_of<activity_kind>()))
      ->capture_default_str();
  sub->add_option("--save-activity", args->save_activity,
                  "Network folders: also write each recorded activity matrix (units × T·C) to DIR/<i>_<name>.npy");
  sub->callback([args] { run_distances(*args); });
});

const bool registered_embed = register_command("embed", [](CLI::App& app) {
  auto args = std::make_shared<embed_args>();
  auto* sub = app.add_subcommand(
      "embed",
      "MDS coordinates (classical and SMACOF) of a distance matrix, and the silhouette of the labels in both "
      "conventions (precomputed distances; rows as Euclidean features, the reference code's) with permutation p-values");
  sub->add_option("D", args->distances, "Distance matrix .npy (square, symmetric)")->required()->check(CLI::ExistingFile);
  sub->add_option("--labels", args->labels,
                  "JSON: an array of labels (ints or strings), {\"labels\": [...]}, or {\"blocks\": [{\"rule\", \"count\"}]}")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out", args->out, "Folder for mds_classical.npy, mds_smacof.npy, embed.json")->required();
  sub->add_option("--dims", args->dims, "MDS dimensions")->capture_default_str();
  sub->add_option("--permutations", args->permutations, "Label permutations of the silhouette test")->capture_default_str();
  sub->add_option("--seed", args->seed, "Seed of SMACOF starts and permutations")->capture_default_str();
  sub->add_option("--mds-starts", args->mds_starts,
                  "SMACOF starts (the first from classical MDS, the others random); the lowest stress wins. More "
                  "starts find lower stress on non-Euclidean matrices")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--mds-iterations", args->mds_iterations, "SMACOF iterations per start")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->callback([args] { run_embed(*args); });
});

}  // namespace
}  // namespace rnnlab::cli
