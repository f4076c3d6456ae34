// The authors' own SVCCA distance matrix (BPTT vs GA networks on N-CDI, N = 1 … 6; McMahan et al.
// 2021 Fig. 2a–c): per-N silhouette of the learning rule in both conventions, permutation p-values,
// and MDS coordinates for plotting.
//
//   fixture_silhouette [OUT_DIR] [--permutations K]
//
// Writes OUT_DIR/mds_N<N>.npy (metric SMACOF on the distances, n × 2),
// OUT_DIR/mds_rows_N<N>.npy (the reference code's way: MDS of the rows as Euclidean features),
// OUT_DIR/labels_N<N>.npy (0 = BPTT, 1 = GA) and OUT_DIR/silhouette.json.
#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/io.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

using namespace rnnlab;

int main(int argc, char** argv) try {
  std::filesystem::path out = "fixture_silhouette_out";
  Index permutations = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--permutations" && i + 1 < argc)
      permutations = std::stol(argv[++i]);
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: fixture_silhouette [OUT_DIR] [--permutations K]\n";
      return 0;
    } else
      out = a;
  }
  const auto dir = std::filesystem::path(RNNLAB_DATA_DIR) / "fixtures";
  const Eigen::MatrixXd D = io::read_npy_matrix<double>(dir / "svcca_distances_bptt_ga_ncdi.npy");
  const auto meta = io::read_json(dir / "svcca_distances_bptt_ga_ncdi.json");
  std::filesystem::create_directories(out);

  struct block {
    std::string rule;
    int contexts;
    Index start, count;
  };
  std::vector<block> blocks;
  Index start = 0;
  for (const auto& b : meta.at("blocks")) {
    blocks.push_back({b.at("rule"), b.at("contexts"), start, b.at("count").get<Index>()});
    start += blocks.back().count;
  }

  std::printf("SVCCA distances of BPTT vs GA networks on N-CDI (authors' matrix, %lld x %lld)\n",
              static_cast<long long>(D.rows()), static_cast<long long>(D.cols()));
  std::printf("silhouette of the learning rule per N-block; p: %lld label permutations (seed 2021)\n\n",
              static_cast<long long>(permutations));
  std::printf(" N  nBPTT nGA  mean BB   GG    BG  | precomputed   p      | rows-as-features  p      | SMACOF stress-1\n");
  io::json summary = io::json::array();
  for (std::size_t k = 0; k + 1 < blocks.size(); k += 2) {
    const block& b = blocks[k];
    const block& a = blocks[k + 1];
    const Index n = b.count + a.count;
    const Eigen::MatrixXd sub = D.block(b.start, b.start, n, n);
    std::vector<int> labels(static_cast<std::size_t>(n), 1);
    std::fill(labels.begin(), labels.begin() + b.count, 0);
    rng g = make_stream(2021, static_cast<std::uint64_t>(b.contexts), stream_purpose::analysis);
    const auto pre = silhouette_permutation_test(sub, labels, {silhouette_metric::precomputed, permutations}, g);
    const auto row = silhouette_permutation_test(sub, labels, {silhouette_metric::rows_as_features, permutations}, g);
    const auto off = [](const Eigen::MatrixXd& M) {
      return (M.sum() - M.diagonal().sum()) / static_cast<double>(M.size() - M.rows());
    };
    const double bb = off(sub.topLeftCorner(b.count, b.count)), gg = off(sub.bottomRightCorner(a.count, a.count));
    const double bg = sub.topRightCorner(b.count, a.count).mean();
    const auto mds = smacof_mds(sub, {}, g);
    const auto mds_rows = smacof_mds(row_distances(sub), {}, g);
    const std::string tag = "N" + std::to_string(b.contexts);
    io::write_npy(out / ("mds_" + tag + ".npy"), mds.coordinates);
    io::write_npy(out / ("mds_rows_" + tag + ".npy"), mds_rows.coordinates);
    Eigen::VectorXd lab(n);
    for (Index i = 0; i < n; ++i) lab(i) = labels[static_cast<std::size_t>(i)];
    io::write_npy_vector(out / ("labels_" + tag + ".npy"), lab);
    std::printf("%2d  %4lld %4lld  %.3f %.3f %.3f |   %.3f   %.4f   |      %.3f      %.4f   |  %.3f\n", b.contexts,
                static_cast<long long>(b.count), static_cast<long long>(a.count), bb, gg, bg, pre.observed,
                pre.p_value, row.observed, row.p_value, mds.stress1);
    summary.push_back({{"contexts", b.contexts},
                       {"n_bptt", b.count},
                       {"n_ga", a.count},
                       {"mean_bptt_bptt", bb},
                       {"mean_ga_ga", gg},
                       {"mean_bptt_ga", bg},
                       {"silhouette_precomputed", pre.observed},
                       {"p_precomputed", pre.p_value},
                       {"silhouette_rows_as_features", row.observed},
                       {"p_rows_as_features", row.p_value},
                       {"null_mean_precomputed", pre.null_mean},
                       {"smacof_stress1", mds.stress1},
                       {"smacof_rows_stress1", mds_rows.stress1}});
  }
  io::write_json(out / "silhouette.json", {{"permutations", permutations}, {"seed", 2021}, {"blocks", summary}});
  std::printf("\nwrote MDS coordinates and silhouette.json to %s\n", out.string().c_str());
  return 0;
} catch (const std::exception& e) {
  std::cerr << "fixture_silhouette: " << e.what() << "\n";
  return 1;
}
