#include <doctest/doctest.h>

#include <rnnlab/io/npy.hpp>
#include <rnnlab/random.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>
#include <cstring>
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
  // Big-endian files are read now (issue 16); a dtype rnnlab does not read is still refused.
  std::string half = good;
  half.replace(half.find("<f4"), 3, "<f2");
  write_bytes(scratch("half.npy"), half);
  CHECK_THROWS_WITH_AS(io::read_npy_matrix<double>(scratch("half.npy")), doctest::Contains("dtype '<f2'"),
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

// ---- every header numpy writes or reads (issue 16, kind 3) ------------------------------------
namespace {

/// A .npy file written by hand: magic, version, little-endian header length (2 bytes for 1.0,
/// 4 for 2.0 and 3.0), the dict padded with spaces to `header_len` bytes ending in '\n', payload.
std::string npy_bytes(int major, const std::string& dict, std::size_t header_len, const std::string& payload) {
  std::string header = dict;
  REQUIRE(header.size() < header_len);
  header.resize(header_len - 1, ' ');
  header += '\n';
  std::string out = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  const std::size_t n_len = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < n_len; ++i) out.push_back(static_cast<char>((header_len >> (8 * i)) & 0xFF));
  return out + header + payload;
}

template <class T>
std::string le_bytes(std::initializer_list<T> values, bool big_endian = false) {
  std::string out;
  for (T v : values) {
    std::string w(sizeof(T), '\0');
    std::memcpy(w.data(), &v, sizeof(T));
    if (big_endian) std::reverse(w.begin(), w.end());
    out += w;
  }
  return out;
}

const std::string c_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
// np.arange(6).reshape(2, 3) / 8 in C order
const std::string c_payload = le_bytes<double>({0, 0.125, 0.25, 0.375, 0.5, 0.625});

void check_arange(const Eigen::MatrixXd& m) {
  REQUIRE(m.rows() == 2);
  REQUIRE(m.cols() == 3);
  for (Index i = 0; i < 2; ++i)
    for (Index j = 0; j < 3; ++j) CHECK(m(i, j) == static_cast<double>(3 * i + j) / 8);
}

}  // namespace

TEST_CASE("format versions 1.0, 2.0 and 3.0 are read, with headers of every length") {
  for (int major : {1, 2, 3}) {
    // 118 = numpy's usual total of 128 with a 10-byte prefix; 182 = 0xB6 (low byte >= 0x80);
    // 0x1F0 (two-byte length with a high byte); 70000 needs the 4-byte length of 2.0 / 3.0.
    for (std::size_t len : {std::size_t{118}, std::size_t{182}, std::size_t{0x1F0}, std::size_t{70000}}) {
      if (major == 1 && len > 0xFFFF) continue;
      CAPTURE(major);
      CAPTURE(len);
      const auto p = scratch("v" + std::to_string(major) + "_" + std::to_string(len) + ".npy");
      write_bytes(p, npy_bytes(major, c_dict, len, c_payload));
      const auto h = io::read_npy_header(p);
      CHECK(h.version == static_cast<unsigned>(major));
      CHECK(h.data_offset == (major == 1 ? 10 : 12) + len);
      check_arange(io::read_npy_matrix<double>(p));
    }
  }
}

TEST_CASE("numpy's own bytes: a version 2.0 file and a 182-byte version 1.0 header") {
  // Written by numpy 1.24: np.lib.format.write_array(f, np.arange(6.).reshape(2, 3) / 8, version=(2, 0)).
  const std::string numpy_v2 = from_hex(
      "934e554d50590200740000007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c2027"
      "7368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020"
      "202020202020202020202020202020202020200a0000000000000000000000000000c03f000000000000d03f000000000000d83f0000"
      "00000000e03f000000000000e43f");
  const std::string v2 = npy_bytes(2, c_dict, 116, c_payload);
  CHECK(v2 == numpy_v2);  // the hand-built files of these tests are numpy's bytes
  write_bytes(scratch("numpy_v2.npy"), v2);
  check_arange(io::read_npy_matrix<double>(scratch("numpy_v2.npy")));
  // A 182-byte header: length bytes B6 00, which a reader going through signed char misreads.
  const std::string v1 = npy_bytes(1, c_dict, 182, c_payload);
  CHECK(v1.substr(8, 2) == std::string("\xB6\x00", 2));
  write_bytes(scratch("hlen182.npy"), v1);
  check_arange(io::read_npy_matrix<double>(scratch("hlen182.npy")));
}

TEST_CASE("header keys in any order, any spacing, with or without a trailing comma") {
  const std::string dicts[] = {
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8', }",
      "{'fortran_order': False, 'descr': '<f8', 'shape': (2, 3)}",
      "{ 'descr' : '<f8' , 'shape' : ( 2 , 3 , ) , 'fortran_order' : False }",
      "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }",  // Python 2 writers
  };
  int i = 0;
  for (const auto& d : dicts) {
    CAPTURE(d);
    const auto p = scratch("order" + std::to_string(i++) + ".npy");
    write_bytes(p, npy_bytes(1, d, 118, c_payload));
    check_arange(io::read_npy_matrix<double>(p));
  }
}

TEST_CASE("big-endian files are converted; Fortran order of any rank is read in C order") {
  // '>f8' and '>i4' with the bytes of each value reversed.
  write_bytes(scratch("be_f8.npy"),
              npy_bytes(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", 118,
                        le_bytes<double>({0, 0.125, 0.25, 0.375, 0.5, 0.625}, true)));
  check_arange(io::read_npy_matrix<double>(scratch("be_f8.npy")));
  write_bytes(scratch("be_i4.npy"), npy_bytes(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }", 118,
                                              le_bytes<std::int32_t>({-2, 70000, 5}, true)));
  const auto v = io::read_npy_vector<double>(scratch("be_i4.npy"));
  CHECK(v == Eigen::Vector3d(-2, 70000, 5));
  write_bytes(scratch("be_f4.npy"), npy_bytes(3, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 118,
                                              le_bytes<float>({1.5f, -0.25f}, true)));
  CHECK(io::read_npy_vector<float>(scratch("be_f4.npy")) == Eigen::Vector2f(1.5f, -0.25f));

  // A (2, 3, 4) array t[i, j, k] = 100 i + 10 j + k stored in Fortran order (i fastest).
  std::string payload;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) payload += le_bytes<std::int64_t>({100 * i + 10 * j + k});
  write_bytes(scratch("fortran3.npy"),
              npy_bytes(2, "{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3, 4), }", 118, payload));
  const auto t = io::read_npy<double, 3>(scratch("fortran3.npy"));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) CHECK(t(i, j, k) == 100 * i + 10 * j + k);
  // Fortran order and big-endian together.
  write_bytes(scratch("fortran_be.npy"),
              npy_bytes(1, "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", 118,
                        le_bytes<double>({0, 0.375, 0.125, 0.5, 0.25, 0.625}, true)));
  check_arange(io::read_npy_matrix<double>(scratch("fortran_be.npy")));
}

TEST_CASE("headers that are not valid are refused with an io_error naming the file and the problem") {
  const auto refused = [](const std::string& name, const std::string& bytes, const std::string& part) {
    CAPTURE(name);
    write_bytes(scratch(name), bytes);
    try {
      (void)io::read_npy_matrix<double>(scratch(name));
      FAIL("accepted");
    } catch (const io_error& e) {
      const std::string what = e.what();
      CHECK(what.find(name) != std::string::npos);
      CHECK_MESSAGE(what.find(part) != std::string::npos, what);
    }
  };
  refused("v4.npy", npy_bytes(4, c_dict, 118, c_payload), "format version 4");
  refused("extra_key.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 118, c_payload),
          "unexpected key 'x'");
  refused("no_shape.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False}", 118, c_payload), "'shape'");
  refused("twice.npy", npy_bytes(1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}", 118, c_payload),
          "twice");
  refused("bad_bool.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3)}", 118, c_payload),
          "True or False");
  refused("neg.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 3)}", 118, c_payload),
          "non-negative integer");
  refused("u1.npy", npy_bytes(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3)}", 118, std::string(6, '\0')),
          "not supported");
  refused("short.npy", npy_bytes(2, c_dict, 118, c_payload.substr(0, 40)), "truncated");
  refused("long.npy", npy_bytes(3, c_dict, 118, c_payload + "x"), "beyond the data");
  refused("huge.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", 118, c_payload),
          "truncated");
  std::string cut = npy_bytes(2, c_dict, 118, c_payload);
  refused("cut_header.npy", cut.substr(0, 60), "truncated");
}

TEST_CASE("integer arrays are read only from values an integer holds exactly (labels, contexts)") {
  // A (5,) float64 array: 1, -1, 0 are read as integers; NaN, ±inf, 0.5 and 2^40 are refused.
  const auto f8_file = [](const std::string& name, const std::vector<double>& values) {
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(values.size()) + ",), }";
    header.resize(117, ' ');
    header += '\n';
    std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
    write_bytes(scratch(name), bytes);
    return scratch(name);
  };
  const auto read_int = [](const fs::path& q) { return io::read_npy<int, 1>(q); };
  const auto ok = read_int(f8_file("labels_ok.npy", {1.0, -1.0, 0.0, 1.0, -1.0}));
  CHECK(ok(0) == 1);
  CHECK(ok(1) == -1);
  CHECK(ok(2) == 0);
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (const double bad : {nan, inf, -inf, 0.5, 1099511627776.0}) {
    const auto p = f8_file("labels_bad.npy", {1.0, -1.0, bad, 1.0, 0.0});
    CHECK_THROWS_WITH_AS(read_int(p), doctest::Contains("element 2"), io_error);
  }
  // int64 values beyond the 32-bit range are refused too; within it they are read exactly.
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }";
  header.resize(117, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  const std::int64_t wide[2] = {-7, (std::int64_t{1} << 40) + 1};
  bytes.append(reinterpret_cast<const char*>(wide), sizeof(wide));
  write_bytes(scratch("wide.npy"), bytes);
  CHECK_THROWS_WITH_AS(read_int(scratch("wide.npy")), doctest::Contains("element 1"), io_error);
  const auto wide_read = io::read_npy<std::int64_t, 1>(scratch("wide.npy"));
  CHECK(wide_read(1) == (std::int64_t{1} << 40) + 1);
}
