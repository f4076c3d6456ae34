#include <doctest/doctest.h>

#include <rnnlab/io/npy.hpp>
#include <rnnlab/random.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "../support/scratch.hpp"

using namespace rnnlab;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) { return test::scratch_dir() / name; }
void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}
// np.save(np.arange(6, dtype='<f4').reshape(2, 3) / 4), produced by numpy 1.24.
const std::string numpy_f4_2x3 =
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368"
    "617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "2020202020202020202020202020202020200a000000000000803e0000003f0000403f0000803f0000a03f";
}  // namespace

TEST_CASE_TEMPLATE("npy round trips are bit-exact for every rank", S, float, double) {
  rng g(42);
  tensor<S, 3> t({4, 5, 3});
  fill_normal(g, t.span());
  io::write_npy(scratch("t3.npy"), t);
  CHECK(io::read_npy<S, 3>(scratch("t3.npy")) == t);
  tensor<S, 2> m({7, 2});
  fill_normal(g, m.span());
  io::write_npy(scratch("t2.npy"), m);
  CHECK(io::read_npy<S, 2>(scratch("t2.npy")) == m);

  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> E = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>::Random(3, 5);
  io::write_npy(scratch("e.npy"), E);
  const auto h = io::read_npy_header(scratch("e.npy"));
  CHECK(h.shape == std::vector<Index>{3, 5});
  CHECK(io::read_npy_matrix<S>(scratch("e.npy")) == E);
  // Element (i, j) of the Eigen matrix is element [i, j] of the numpy array (C order).
  const auto as_tensor = io::read_npy<S, 2>(scratch("e.npy"));
  CHECK(as_tensor(1, 4) == E(1, 4));
  Eigen::Matrix<S, Eigen::Dynamic, 1> v = Eigen::Matrix<S, Eigen::Dynamic, 1>::Random(6);
  io::write_npy_vector(scratch("v.npy"), v);
  CHECK(io::read_npy_header(scratch("v.npy")).shape == std::vector<Index>{6});
  CHECK(io::read_npy_vector<S>(scratch("v.npy")) == v);
}

TEST_CASE("files written by numpy are read, converted, in C and Fortran order") {
  write_bytes(scratch("numpy_f4.npy"), from_hex(numpy_f4_2x3));
  const auto m = io::read_npy_matrix<double>(scratch("numpy_f4.npy"));
  REQUIRE(m.rows() == 2);
  REQUIRE(m.cols() == 3);
  CHECK(m(0, 1) == 0.25);
  CHECK(m(1, 2) == 1.25);
  // A Fortran-ordered float64 file of np.arange(6).reshape(2, 3): same logical matrix.
  std::string header = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
  header.resize(117, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  const double column_major[6] = {0, 3, 1, 4, 2, 5};
  bytes.append(reinterpret_cast<const char*>(column_major), sizeof(column_major));
  write_bytes(scratch("fortran.npy"), bytes);
  const auto f = io::read_npy_matrix<float>(scratch("fortran.npy"));
  CHECK(f(0, 0) == 0.0f);
  CHECK(f(0, 2) == 2.0f);
  CHECK(f(1, 0) == 3.0f);
  CHECK(f(1, 2) == 5.0f);
}

TEST_CASE("missing, truncated, mistyped and misshapen files give io_error naming the file") {
  CHECK_THROWS_AS(io::read_npy_matrix<double>(scratch("does_not_exist.npy")), io_error);
  const std::string good = from_hex(numpy_f4_2x3);
  write_bytes(scratch("truncated.npy"), good.substr(0, good.size() - 3));
  CHECK_THROWS_WITH_AS(io::read_npy_matrix<double>(scratch("truncated.npy")),
                       doctest::Contains("truncated"), io_error);
  write_bytes(scratch("header_only.npy"), good.substr(0, 20));
  CHECK_THROWS_AS(io::read_npy_matrix<double>(scratch("header_only.npy")), io_error);
  std::string big_endian = good;
  big_endian.replace(big_endian.find("<f4"), 3, ">f4");
  write_bytes(scratch("big_endian.npy"), big_endian);
  CHECK_THROWS_WITH_AS(io::read_npy_matrix<double>(scratch("big_endian.npy")), doctest::Contains("dtype '>f4'"),
                       io_error);
  write_bytes(scratch("not_npy.npy"), std::string(200, 'x'));
  CHECK_THROWS_WITH_AS(io::read_npy_matrix<double>(scratch("not_npy.npy")), doctest::Contains("magic"), io_error);
  write_bytes(scratch("ok.npy"), good);
  CHECK_THROWS_WITH_AS(io::read_npy_vector<double>(scratch("ok.npy")), doctest::Contains("expected a 1-D array"),
                       io_error);
  CHECK_THROWS_WITH_AS(io::read_npy_matrix<double>(scratch("ok.npy"), 3, -1),
                       doctest::Contains("expected shape (3, 3)"), io_error);
  try {
    io::read_npy_matrix<double>(scratch("ok.npy"), 3, -1);
  } catch (const io_error& e) {
    CHECK(std::string(e.what()).find("ok.npy") != std::string::npos);
  }
}

TEST_CASE("writes are atomic: no temporary files are left and a failed write keeps the old file") {
  tensor<double, 1> t({3}, 1.5);
  const auto target = scratch("atomic.npy");
  io::write_npy(target, t);
  for (const auto& entry : fs::directory_iterator(target.parent_path()))
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  // Writing into a path whose parent is a regular file fails and leaves nothing behind.
  CHECK_THROWS_AS(io::write_npy(target / "child.npy", t), io_error);
  CHECK(io::read_npy<double, 1>(target) == t);
}
