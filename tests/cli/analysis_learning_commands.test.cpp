// Tests the rnnlab program's later subcommands from outside, as a user would run them:
// grad (examples/cli/learning.cpp), fixed-points (analysis_fixed_points.cpp) and similarity
// (analysis_similarity.cpp).
#include <doctest/doctest.h>

#include <rnnlab/io.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <tuple>

#include "../support/cli_runner.hpp"

using namespace rnnlab;
namespace fs = std::filesystem;
using rnnlab::test::fresh;
using rnnlab::test::run;

namespace {
std::string output_of(const std::string& args) {
  std::string out;
  FILE* p = popen((std::string(RNNLAB_CLI) + " " + args + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}
/// What `rnnlab ARGS` prints on stderr (stdout discarded).
std::string stderr_of_cli(const std::string& args) {
  std::string out;
  FILE* p = popen((std::string(RNNLAB_CLI) + " " + args + " 2>&1 >/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}
}  // namespace

TEST_CASE("rnnlab grad writes the library's loss and gradient, and the gradient predicts the loss change") {
  const auto net_dir = fresh("net"), batch_dir = fresh("batch"), out = fresh("grad");
  REQUIRE(run("init --task cdi --units 12 --seed 4 --out " + net_dir.string()) == 0);
  REQUIRE(run("sample cdi --batch 6 --steps 40 --decision-steps 5 --seed 2 --dtype float64 --out " + batch_dir.string()) == 0);
  REQUIRE(run("grad " + net_dir.string() + " " + batch_dir.string() +
              " --params W_rec,W_in,b --normalization sum --shards 1 --out " + out.string()) == 0);

  const auto net = io::load_network<double>(net_dir);
  const auto batch = io::load_trial_batch<double>(batch_dir);
  gradient_options opt;
  opt.params = param_set{param::W_rec, param::W_in, param::b};
  opt.loss = loss_spec::reference_code();
  opt.shards = 1;
  const auto lib = bptt_gradient(net, batch, opt);
  const auto loss = io::read_npy_vector<double>(out / "loss.npy");
  CHECK(loss(0) == doctest::Approx(lib.loss).epsilon(1e-12));
  const auto gW = io::read_npy_matrix<double>(out / "grad_W_rec.npy", 12, 12);
  CHECK((gW - lib.grad.W_rec).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + lib.grad.W_rec.cwiseAbs().maxCoeff()));
  CHECK(fs::exists(out / "grad_W_in.npy"));
  CHECK(fs::exists(out / "grad_b.npy"));
  CHECK_FALSE(fs::exists(out / "grad_W_out.npy"));

  // Central difference of the loss along one W_rec entry, against the written gradient.
  const double h = 1e-6;
  auto plus = net, minus = net;
  plus.parameters().W_rec(3, 7) += h;
  minus.parameters().W_rec(3, 7) -= h;
  const double fd = (evaluate_loss(plus, batch, net.parameters().x0, opt.loss) -
                     evaluate_loss(minus, batch, net.parameters().x0, opt.loss)) / (2 * h);
  CHECK(gW(3, 7) == doctest::Approx(fd).epsilon(1e-6));
}

TEST_CASE("rnnlab fixed-points finds the three analytic roots of a bistable unit") {
  // One tanh unit, alpha 1, W_rec = 2: roots of x = 2 tanh(x) at 0 and +-1.9150080...
  const auto dir = fresh("bistable"), out = fresh("fp");
  fs::create_directories(dir);
  io::write_npy(dir / "W_rec.npy", Eigen::MatrixXd::Constant(1, 1, 2.0));
  io::write_npy(dir / "W_in.npy", Eigen::MatrixXd::Constant(1, 1, 1.0));
  io::write_npy(dir / "W_out.npy", Eigen::MatrixXd::Constant(1, 1, 1.0));
  io::write_text(dir / "network.json", R"({"activation": "tanh", "alpha": 1.0, "readout": "rates"})");
  REQUIRE(run("fixed-points " + dir.string() + " --input 0 --starts 64 --out " + out.string()) == 0);
  const auto X = io::read_npy_matrix<double>(out / "fixed_points.npy");
  const auto residual = io::read_npy_vector<double>(out / "fp_residual.npy");
  REQUIRE(X.size() == 3);
  Eigen::VectorXd roots = X.reshaped();
  std::sort(roots.data(), roots.data() + roots.size());
  CHECK(roots(0) == doctest::Approx(-1.9150080481545).epsilon(1e-10));
  CHECK(std::abs(roots(1)) < 1e-10);
  CHECK(roots(2) == doctest::Approx(1.9150080481545).epsilon(1e-10));
  CHECK(residual.maxCoeff() < 1e-10);
  const auto summary = io::read_json(out / "summary.json");
  CHECK(summary.is_object());
  // A wrong input size is rejected before any work.
  CHECK(run("fixed-points " + dir.string() + " --input 0,0 --starts 8 --out " + fresh("bad").string()) != 0);
  // Not a number and not a probe set: the message says what --input takes (nan/inf are not probe-set names).
  for (const char* bad : {"nan", "inf", "1e999", "bogus"}) {
    CAPTURE(bad);
    const std::string err = stderr_of_cli("fixed-points " + dir.string() + " --input " + bad + " --starts 8 --out " +
                                          fresh("bad_input").string());
    CHECK(err.find("argument '--input': expected M comma-separated finite numbers") != std::string::npos);
  }
}

TEST_CASE("rnnlab similarity: SVCCA of activity and an invertible transform of it is 1") {
  rng g(8);
  Eigen::MatrixXd A(10, 400);
  for (Index i = 0; i < A.size(); ++i) A.data()[i] = standard_normal(g);
  Eigen::MatrixXd Q(10, 10);
  for (Index i = 0; i < Q.size(); ++i) Q.data()[i] = standard_normal(g);
  Q += 5.0 * Eigen::MatrixXd::Identity(10, 10);
  const auto dir = fresh("sim");
  fs::create_directories(dir);
  io::write_npy(dir / "A.npy", A);
  io::write_npy(dir / "B.npy", (Q * A).eval());
  io::write_npy(dir / "C.npy", Eigen::MatrixXd(Eigen::MatrixXd::Random(10, 400)));
  for (const char* metric : {"svcca", "cca", "cka"}) {
    CAPTURE(metric);
    const std::string same = output_of("similarity " + (dir / "A.npy").string() + " " + (dir / "B.npy").string() +
                                       " --metric " + metric + " --epsilon 0");
    REQUIRE_FALSE(same.empty());
    if (std::string(metric) != "cka") CHECK(std::stod(same) == doctest::Approx(1.0).epsilon(1e-6));
    const std::string indep = output_of("similarity " + (dir / "A.npy").string() + " " + (dir / "C.npy").string() +
                                        " --metric " + metric + " --epsilon 0");
    REQUIRE_FALSE(indep.empty());
    CHECK(std::stod(indep) < 0.5);
  }
  CHECK(run("similarity " + (dir / "A.npy").string() + " " + (dir / "missing.npy").string()) != 0);
}


TEST_CASE("rnnlab embed: a labels file of the wrong shape is refused naming the file and what was expected") {
  const auto dir = fresh("embed_labels");
  fs::create_directories(dir);
  Eigen::MatrixXd D = Eigen::MatrixXd::Ones(4, 4);
  D.diagonal().setZero();
  io::write_npy(dir / "D.npy", D);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::FILE* f = std::fopen((dir / name).c_str(), "w");
    REQUIRE(f);
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return (dir / name).string();
  };
  const std::string D_path = (dir / "D.npy").string();
  for (const auto& [name, text, got] :
       {std::tuple<std::string, std::string, std::string>{"number.json", "3", "got a JSON number"},
        {"no_count.json", R"({"blocks": [{"rule": "bptt"}]})", "blocks[0]"},
        {"bad_count.json", R"({"blocks": [{"rule": "bptt", "count": "two"}]})", "blocks[0].count"},
        {"labels_object.json", R"({"labels": {"a": 1}})", "\"labels\" of type object"},
        {"float_label.json", "[0, 1, 0.5, 1]", "label 2 = 0.5"}}) {
    CAPTURE(name);
    const std::string err = stderr_of_cli("embed " + D_path + " --labels " + write(name, text) + " --out " +
                                          (dir / "out").string());
    CHECK(err.find("rnnlab embed: --labels '") != std::string::npos);
    CHECK(err.find(name) != std::string::npos);
    CHECK(err.find(got) != std::string::npos);
    CHECK(err.find("[json.exception") == std::string::npos);
  }
  // A valid file is still accepted.
  CHECK(run("embed " + D_path + " --labels " + write("ok.json", R"(["a", "a", "b", "b"])") + " --out " +
            (dir / "out").string() + " --permutations 10") == 0);
}

TEST_CASE("rnnlab embed --mds-starts: more SMACOF starts never end at a higher stress; 0 starts is refused") {
  // Issue 16: on a small non-Euclidean matrix one start can stop at a local minimum; the number of
  // starts is the user's to raise. The starts are drawn in sequence from one seeded stream, so the
  // first k starts of a run with K > k starts are those of a run with k: the best of K is <= the best of k.
  const auto dir = fresh("embed_starts");
  fs::create_directories(dir);
  rng g(11);
  Eigen::MatrixXd D = Eigen::MatrixXd::Zero(7, 7);
  for (Index i = 0; i < 7; ++i)
    for (Index j = i + 1; j < 7; ++j) D(i, j) = D(j, i) = 0.5 + 1.5 * std::abs(standard_normal(g));
  D(0, 1) = D(1, 0) = 4.0;  // far apart, yet both close to every other object: not Euclidean
  io::write_npy(dir / "D.npy", D);
  {
    std::FILE* f = std::fopen((dir / "labels.json").c_str(), "w");
    REQUIRE(f);
    std::fputs("[0, 0, 0, 1, 1, 1, 1]", f);
    std::fclose(f);
  }
  const auto embed = [&](int starts) {
    const auto out = dir / ("out" + std::to_string(starts));
    REQUIRE(run("embed " + (dir / "D.npy").string() + " --labels " + (dir / "labels.json").string() + " --out " +
                out.string() + " --permutations 10 --mds-starts " + std::to_string(starts)) == 0);
    const auto j = io::read_json(out / "embed.json");
    CHECK(j.at("smacof_starts").get<int>() == starts);
    return j.at("smacof_stress1").get<double>();
  };
  const double s1 = embed(1), s4 = embed(4), s32 = embed(32);
  CHECK(s4 <= s1 + 1e-12);
  CHECK(s32 <= s4 + 1e-12);
  CHECK(s32 > 0.0);  // a non-Euclidean matrix has no exact 2-D embedding
  const std::string err = stderr_of_cli("embed " + (dir / "D.npy").string() + " --labels " +
                                        (dir / "labels.json").string() + " --out " + (dir / "bad").string() +
                                        " --mds-starts 0");
  CHECK(err.find("--mds-starts") != std::string::npos);
}
