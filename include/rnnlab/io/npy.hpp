#pragma once
/// \file io/npy.hpp
/// numpy .npy files: how arrays reach Python users and come back from them.
///
/// Reading accepts little-endian float32, float64, int32 and int64 files (converted to the
/// requested scalar type), C or Fortran order, format versions 1–3. Before any data is read the
/// header is checked — magic string, dtype, rank and every extent against what the caller expects,
/// and the file length against the header — so a missing, truncated, wrongly typed or wrongly
/// shaped file gives an io_error naming the file and the mismatch. The payload is read and written
/// with xtensor's npy support (xt::load_npy / xt::dump_npy). Writes are atomic (io/atomic.hpp).
///
/// Eigen matrices are written as numpy's (rows, cols) in C order, so `np.load` returns the same
/// matrix; Eigen vectors as 1-D arrays.

#include <Eigen/Core>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/io/atomic.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab::io {

/// Element types rnnlab reads from .npy files.
enum class npy_dtype { float32, float64, int32, int64 };

constexpr std::string_view dtype_name(npy_dtype d) noexcept {
  switch (d) {
    case npy_dtype::float32: return "float32";
    case npy_dtype::float64: return "float64";
    case npy_dtype::int32: return "int32";
    case npy_dtype::int64: return "int64";
  }
  return "?";
}

/// What the header of a .npy file says.
struct npy_header {
  npy_dtype dtype = npy_dtype::float64;
  bool fortran_order = false;
  std::vector<Index> shape;
  std::size_t data_offset = 0;  ///< bytes before the payload
  std::size_t word_size = 8;

  Index count() const {
    Index n = 1;
    for (Index e : shape) n *= e;
    return n;
  }
  std::string shape_string() const {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
  }
};

namespace detail {

[[noreturn]] inline void npy_fail(const std::filesystem::path& path, const std::string& what) {
  throw io_error("rnnlab::io::read_npy: file '" + path.string() + "': " + what);
}

/// The text after `key` up to the next top-level delimiter in the header dict.
inline std::string npy_dict_value(const std::string& header, const std::string& key,
                                  const std::filesystem::path& path) {
  const auto k = header.find("'" + key + "'");
  if (k == std::string::npos) npy_fail(path, "header has no '" + key + "' field (not a .npy file?)");
  auto pos = header.find(':', k);
  if (pos == std::string::npos) npy_fail(path, "malformed header");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  if (pos >= header.size()) npy_fail(path, "malformed header");
  if (header[pos] == '(') {
    const auto end = header.find(')', pos);
    if (end == std::string::npos) npy_fail(path, "malformed shape in header");
    return header.substr(pos, end - pos + 1);
  }
  if (header[pos] == '\'') {
    const auto end = header.find('\'', pos + 1);
    if (end == std::string::npos) npy_fail(path, "malformed header");
    return header.substr(pos + 1, end - pos - 1);
  }
  const auto end = header.find_first_of(",}", pos);
  return header.substr(pos, end - pos);
}

}  // namespace detail

/// Reads and checks the header of a .npy file (and that the file is as long as the header says).
inline npy_header read_npy_header(const std::filesystem::path& path) {
  using detail::npy_fail;
  if (!std::filesystem::exists(path)) npy_fail(path, "file does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) npy_fail(path, "cannot open file");
  const auto file_size = static_cast<std::size_t>(std::filesystem::file_size(path));
  std::array<unsigned char, 12> pre{};
  in.read(reinterpret_cast<char*>(pre.data()), 10);
  if (in.gcount() < 10) npy_fail(path, "truncated: shorter than a .npy header");
  static constexpr unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  for (int i = 0; i < 6; ++i)
    if (pre[static_cast<std::size_t>(i)] != magic[i]) npy_fail(path, "not a .npy file (bad magic string)");
  const unsigned major = pre[6];
  std::size_t header_len = 0, prefix = 0;
  if (major == 1) {
    header_len = static_cast<std::size_t>(pre[8]) | (static_cast<std::size_t>(pre[9]) << 8);
    prefix = 10;
  } else if (major == 2 || major == 3) {
    in.read(reinterpret_cast<char*>(pre.data()) + 10, 2);
    if (in.gcount() < 2) npy_fail(path, "truncated header");
    header_len = static_cast<std::size_t>(pre[8]) | (static_cast<std::size_t>(pre[9]) << 8) |
                 (static_cast<std::size_t>(pre[10]) << 16) | (static_cast<std::size_t>(pre[11]) << 24);
    prefix = 12;
  } else {
    npy_fail(path, "unsupported .npy format version " + std::to_string(major));
  }
  if (prefix + header_len > file_size) npy_fail(path, "truncated header");
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));

  npy_header h;
  h.data_offset = prefix + header_len;
  const std::string descr = detail::npy_dict_value(header, "descr", path);
  if (descr == "<f4") h.dtype = npy_dtype::float32, h.word_size = 4;
  else if (descr == "<f8") h.dtype = npy_dtype::float64, h.word_size = 8;
  else if (descr == "<i4") h.dtype = npy_dtype::int32, h.word_size = 4;
  else if (descr == "<i8") h.dtype = npy_dtype::int64, h.word_size = 8;
  else npy_fail(path, "dtype '" + descr + "' is not supported (expected little-endian float32, float64, int32 or int64)");
  const std::string fortran = detail::npy_dict_value(header, "fortran_order", path);
  h.fortran_order = fortran.find("True") != std::string::npos;
  const std::string shape = detail::npy_dict_value(header, "shape", path);
  std::size_t pos = 1;
  while (pos < shape.size()) {
    while (pos < shape.size() && (shape[pos] == ' ' || shape[pos] == ',')) ++pos;
    if (pos >= shape.size() || shape[pos] == ')') break;
    std::size_t used = 0;
    long long extent = 0;
    try {
      extent = std::stoll(shape.substr(pos), &used);
    } catch (...) {
      npy_fail(path, "malformed shape " + shape);
    }
    if (extent < 0) npy_fail(path, "negative extent in shape " + shape);
    h.shape.push_back(static_cast<Index>(extent));
    pos += used;
  }
  const std::size_t expected = h.data_offset + static_cast<std::size_t>(h.count()) * h.word_size;
  if (file_size < expected)
    npy_fail(path, "truncated: shape " + h.shape_string() + " of " + std::string(dtype_name(h.dtype)) + " needs " +
                       std::to_string(expected) + " bytes, the file has " + std::to_string(file_size));
  if (file_size > expected)
    npy_fail(path, "has " + std::to_string(file_size - expected) + " bytes beyond the data its header announces");
  return h;
}

namespace detail {

template <class Source, class Scalar>
void npy_payload(const std::filesystem::path& path, Scalar* out) {
  const xt::xarray<Source> a = xt::load_npy<Source>(path.string());
  std::size_t i = 0;
  for (auto it = a.begin(); it != a.end(); ++it) out[i++] = static_cast<Scalar>(*it);  // row-major traversal
}

/// Reads the payload of a checked file into `out` (count() elements, C order), converting.
template <class Scalar>
void read_npy_payload(const std::filesystem::path& path, const npy_header& h, Scalar* out) {
  if (h.count() == 0) return;
  try {
    switch (h.dtype) {
      case npy_dtype::float32: npy_payload<float>(path, out); break;
      case npy_dtype::float64: npy_payload<double>(path, out); break;
      case npy_dtype::int32: npy_payload<std::int32_t>(path, out); break;
      case npy_dtype::int64: npy_payload<std::int64_t>(path, out); break;
    }
  } catch (const std::exception& e) {
    npy_fail(path, std::string("cannot read data: ") + e.what());
  }
}

inline void check_extents(const std::filesystem::path& path, const npy_header& h, std::size_t rank,
                          const std::vector<Index>& expected) {
  if (h.shape.size() != rank)
    npy_fail(path, "expected a " + std::to_string(rank) + "-D array, got shape " + h.shape_string());
  for (std::size_t i = 0; i < expected.size() && i < rank; ++i)
    if (expected[i] >= 0 && expected[i] != h.shape[i]) {
      npy_header want;
      want.shape = h.shape;
      for (std::size_t j = 0; j < rank; ++j)
        if (expected[j] >= 0) want.shape[j] = expected[j];
      npy_fail(path, "expected shape " + want.shape_string() + " (−1 = any), got " + h.shape_string());
    }
}

}  // namespace detail

/// Reads an array of rank `Rank`; `expected` extents (−1 = any) are checked before reading.
template <class Scalar, std::size_t Rank>
tensor<Scalar, Rank> read_npy(const std::filesystem::path& path, std::array<Index, Rank> expected = [] {
  std::array<Index, Rank> a{};
  a.fill(-1);
  return a;
}()) {
  const npy_header h = read_npy_header(path);
  detail::check_extents(path, h, Rank, std::vector<Index>(expected.begin(), expected.end()));
  std::array<Index, Rank> shape{};
  for (std::size_t i = 0; i < Rank; ++i) shape[i] = h.shape[i];
  tensor<Scalar, Rank> out(shape);
  detail::read_npy_payload(path, h, out.data());
  return out;
}

/// Reads a 2-D array as an Eigen matrix of the same (rows, cols); extents −1 = any.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> read_npy_matrix(const std::filesystem::path& path,
                                                                        Index rows = -1, Index cols = -1) {
  const npy_header h = read_npy_header(path);
  detail::check_extents(path, h, 2, {rows, cols});
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(h.shape[0], h.shape[1]);
  detail::read_npy_payload(path, h, m.data());
  return m;
}

/// Reads a 1-D array as an Eigen vector; length −1 = any.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> read_npy_vector(const std::filesystem::path& path, Index length = -1) {
  const npy_header h = read_npy_header(path);
  detail::check_extents(path, h, 1, {length});
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> v(h.shape[0]);
  detail::read_npy_payload(path, h, v.data());
  return v;
}

namespace detail {

/// Writes `count` values from `data` with the given shape, atomically, and checks the result.
template <class Scalar>
void write_npy_raw(const std::filesystem::path& path, const Scalar* data, const std::vector<std::size_t>& shape) {
  static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double> ||
                    std::is_same_v<Scalar, std::int32_t> || std::is_same_v<Scalar, std::int64_t>,
                "rnnlab::io::write_npy writes float, double, int32 and int64 arrays");
  constexpr std::string_view fn = "rnnlab::io::write_npy";
  std::size_t count = 1;
  for (std::size_t e : shape) count *= e;
  write_atomically(
      path, fn,
      [&](const std::filesystem::path& tmp) {
        const auto view = xt::adapt(data, count, xt::no_ownership(), shape);
        xt::dump_npy(tmp.string(), view);
      },
      [&](const std::filesystem::path& tmp) {
        // dump_npy does not report short writes: re-read the header and check the length.
        try {
          const npy_header h = read_npy_header(tmp);
          if (static_cast<std::size_t>(h.count()) != count) throw io_error("element count mismatch");
        } catch (const io_error& e) {
          throw io_error(rnnlab::detail::concat(fn, ": writing '", path.string(), "' failed: ", e.what()));
        }
      });
}

}  // namespace detail

/// Writes a tensor as a .npy array of the same shape (atomically).
template <class Scalar, std::size_t Rank>
void write_npy(const std::filesystem::path& path, const tensor<Scalar, Rank>& t) {
  std::vector<std::size_t> shape(Rank);
  for (std::size_t i = 0; i < Rank; ++i) shape[i] = static_cast<std::size_t>(t.shape(i));
  detail::write_npy_raw(path, t.data(), shape);
}

/// Writes an Eigen matrix as a (rows, cols) .npy array (atomically).
template <class D>
void write_npy(const std::filesystem::path& path, const Eigen::DenseBase<D>& m) {
  using Scalar = typename D::Scalar;
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = m;
  detail::write_npy_raw(path, rm.data(), {static_cast<std::size_t>(rm.rows()), static_cast<std::size_t>(rm.cols())});
}

/// Writes an Eigen vector (or any 1-column / 1-row expression) as a 1-D .npy array (atomically).
template <class D>
void write_npy_vector(const std::filesystem::path& path, const Eigen::DenseBase<D>& v) {
  using Scalar = typename D::Scalar;
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> c = v.derived().reshaped();
  detail::write_npy_raw(path, c.data(), {static_cast<std::size_t>(c.size())});
}

}  // namespace rnnlab::io
