#include <doctest/doctest.h>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/io/network.hpp>
#include <rnnlab/io/npy.hpp>
#include <rnnlab/io/trial_batch.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../support/scratch.hpp"

// Fuzzing the readers (issue 16, kind 7): a seeded mutation loop over valid files. Each input is a
// valid file (an .npy, a network folder's network.json or one of its arrays, a trial-batch folder's
// arrays) with 1-4 random mutations: a bit flip, a byte overwritten, a truncation, random bytes
// inserted, a chunk duplicated. The reader must either accept it or throw rnnlab::io_error whose
// message names the file (or its folder) — never another exception, a crash or a hang (CI runs this
// under ASan + UBSan, where an out-of-bounds read or an overflow aborts the test). The same seed gives
// the same inputs; each loop stops after its count of inputs or its time budget, whichever comes
// first, and reports how many it tried.

namespace fs = std::filesystem;

namespace {

using fz_bytes = std::string;

fz_bytes fz_read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return fz_bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void fz_write(const fs::path& p, const fz_bytes& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

std::uint64_t fz_below(rnnlab::rng& g, std::uint64_t n) { return n == 0 ? 0 : g() % n; }

/// 1-4 mutations of `b`, mostly in the first 160 bytes (the .npy header) when `header_bias`.
fz_bytes fz_mutate(fz_bytes b, rnnlab::rng& g, bool header_bias) {
  const auto pos = [&](std::size_t size) -> std::size_t {
    if (size == 0) return 0;
    if (header_bias && fz_below(g, 4) != 0) return static_cast<std::size_t>(fz_below(g, std::min<std::size_t>(size, 160)));
    return static_cast<std::size_t>(fz_below(g, size));
  };
  const auto n = 1 + fz_below(g, 4);
  for (std::uint64_t m = 0; m < n; ++m) {
    switch (fz_below(g, 6)) {
      case 0:  // bit flip
        if (!b.empty()) b[pos(b.size())] ^= static_cast<char>(1u << fz_below(g, 8));
        break;
      case 1:  // byte overwritten, often by a character the header syntax cares about
        if (!b.empty()) {
          static constexpr char special[] = {'\'', '"', '(', ')', ',', ':', '{', '}', '0', '9', '-', ' ', '\n', '\0', '\x7f', '\xff'};
          b[pos(b.size())] = fz_below(g, 2) ? special[fz_below(g, sizeof special)] : static_cast<char>(fz_below(g, 256));
        }
        break;
      case 2:  // truncation
        b.resize(pos(b.size()));
        break;
      case 3: {  // random bytes inserted
        const auto k = 1 + fz_below(g, 16);
        fz_bytes ins;
        for (std::uint64_t i = 0; i < k; ++i) ins.push_back(static_cast<char>(fz_below(g, 256)));
        b.insert(pos(b.size() + 1), ins);
        break;
      }
      case 4: {  // chunk duplicated
        if (b.empty()) break;
        const auto at = pos(b.size());
        const auto len = std::min<std::size_t>(b.size() - at, 1 + fz_below(g, 64));
        b.insert(at, b.substr(at, len));
        break;
      }
      default:  // a digit changed (shapes, header length, JSON numbers)
        for (int tries = 0; tries < 64 && !b.empty(); ++tries) {
          const auto at = pos(b.size());
          if (b[at] >= '0' && b[at] <= '9') {
            b[at] = static_cast<char>('0' + fz_below(g, 10));
            break;
          }
        }
        break;
    }
  }
  return b;
}

struct fz_tally {
  long tried = 0, accepted = 0, rejected = 0;
};

/// Runs `read()` on the mutated input; checks that a rejection is an io_error naming `names`.
template <class Read>
void fz_expect_clean(Read&& read, const std::string& names, fz_tally& t, const std::string& what) {
  ++t.tried;
  try {
    read();
    ++t.accepted;
  } catch (const rnnlab::io_error& e) {
    ++t.rejected;
    const std::string msg = e.what();
    if (msg.find(names) == std::string::npos) FAIL_CHECK(what << ": io_error does not name '" << names << "': " << msg);
  } catch (const std::exception& e) {
    FAIL_CHECK(what << ": rejected with an exception that is not rnnlab::io_error: " << e.what());
  }
}

using fz_clock = std::chrono::steady_clock;
bool fz_in_budget(fz_clock::time_point start, double seconds) {
  return std::chrono::duration<double>(fz_clock::now() - start).count() < seconds;
}

}  // namespace

TEST_CASE("fuzzed .npy files: accepted, or rejected with an io_error naming the file") {
  const fs::path dir = rnnlab::test::fresh("fuzz_npy");
  rnnlab::rng g(20261129);
  // Valid seeds: float32 and float64 matrices, a vector, int32 labels, a 3-D tensor.
  Eigen::MatrixXf A = Eigen::MatrixXf::Random(3, 5);
  Eigen::MatrixXd B = Eigen::MatrixXd::Random(4, 2);
  Eigen::VectorXd v = Eigen::VectorXd::Random(7);
  Eigen::VectorXi labels(5);
  labels << 0, 1, 1, 0, 1;
  rnnlab::tensor<float, 3> T({2, 3, 2});
  for (auto& x : T.span()) x = 0.25f;
  rnnlab::io::write_npy(dir / "a.npy", A);
  rnnlab::io::write_npy(dir / "b.npy", B);
  rnnlab::io::write_npy_vector(dir / "v.npy", v);
  rnnlab::io::write_npy_vector(dir / "l.npy", labels);
  rnnlab::io::write_npy(dir / "t.npy", T);
  const std::vector<fz_bytes> seeds = {fz_read(dir / "a.npy"), fz_read(dir / "b.npy"), fz_read(dir / "v.npy"),
                                       fz_read(dir / "l.npy"), fz_read(dir / "t.npy")};
  const fs::path p = dir / "fuzzed.npy";
  fz_tally t;
  const auto start = fz_clock::now();
  for (int i = 0; i < 6000 && fz_in_budget(start, 8.0); ++i) {
    fz_write(p, fz_mutate(seeds[static_cast<std::size_t>(i) % seeds.size()], g, true));
    fz_expect_clean([&] { (void)rnnlab::io::read_npy_header(p); }, p.string(), t, "read_npy_header");
    switch (i % 4) {
      case 0: fz_expect_clean([&] { (void)rnnlab::io::read_npy_matrix<double>(p); }, p.string(), t, "read_npy_matrix<double>"); break;
      case 1: fz_expect_clean([&] { (void)rnnlab::io::read_npy_matrix<float>(p); }, p.string(), t, "read_npy_matrix<float>"); break;
      case 2: fz_expect_clean([&] { (void)rnnlab::io::read_npy_vector<int>(p); }, p.string(), t, "read_npy_vector<int>"); break;
      default: fz_expect_clean([&] { (void)rnnlab::io::read_npy<float, 3>(p); }, p.string(), t, "read_npy<float, 3>"); break;
    }
  }
  MESSAGE("npy: " << t.tried << " reads of mutated files (" << t.accepted << " accepted, " << t.rejected << " rejected)");
  CHECK(t.tried >= 200);
  CHECK(t.rejected > 0);
  CHECK(t.accepted > 0);
}

TEST_CASE("fuzzed network folders and trial-batch folders: accepted, or rejected with an io_error naming the folder") {
  rnnlab::rng g(7);
  const rnnlab::random_dots task;
  const auto net = rnnlab::make_ctrnn<float>(rnnlab::ctrnn_config::paper_text(), task.n_inputs(), task.n_outputs(), g);
  const fs::path good_net = rnnlab::test::fresh("fuzz_net_good");
  rnnlab::io::save_network(good_net, net);
  const fs::path good_batch = rnnlab::test::fresh("fuzz_batch_good");
  rnnlab::io::save_trial_batch(good_batch, static_cast<const rnnlab::trial_batch<float>&>(task.sample<float>(3, g)));

  const auto files_of = [](const fs::path& d) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(d)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  const auto net_files = files_of(good_net);
  const auto batch_files = files_of(good_batch);
  REQUIRE(net_files.size() >= 4);
  REQUIRE(batch_files.size() >= 3);

  fz_tally tn, tb;
  const auto start = fz_clock::now();
  const fs::path net_dir = rnnlab::test::fresh("fuzz_net");
  const fs::path batch_dir = rnnlab::test::fresh("fuzz_batch");
  for (int i = 0; i < 1500 && fz_in_budget(start, 8.0); ++i) {
    // One file of the network folder mutated; the others as saved.
    fs::remove_all(net_dir);
    fs::copy(good_net, net_dir);
    const auto& nf = net_files[static_cast<std::size_t>(fz_below(g, net_files.size()))];
    fz_write(net_dir / nf, fz_mutate(fz_read(good_net / nf), g, nf.ends_with(".npy")));
    fz_expect_clean([&] { (void)rnnlab::io::visit_network<double>(net_dir, [](const auto& n) { return n.n_units(); }); },
                    net_dir.string(), tn, "visit_network(" + nf + ")");

    fs::remove_all(batch_dir);
    fs::copy(good_batch, batch_dir);
    const auto& bf = batch_files[static_cast<std::size_t>(fz_below(g, batch_files.size()))];
    fz_write(batch_dir / bf, fz_mutate(fz_read(good_batch / bf), g, bf.ends_with(".npy")));
    fz_expect_clean([&] { (void)rnnlab::io::load_trial_batch<float>(batch_dir); }, batch_dir.string(), tb,
                    "load_trial_batch(" + bf + ")");
  }
  MESSAGE("network folders: " << tn.tried << " loads (" << tn.accepted << " accepted, " << tn.rejected << " rejected); "
                              << "trial-batch folders: " << tb.tried << " loads (" << tb.accepted << " accepted, "
                              << tb.rejected << " rejected)");
  CHECK(tn.tried >= 50);
  CHECK(tb.tried >= 50);
  CHECK(tn.rejected > 0);
  CHECK(tb.rejected > 0);
}
