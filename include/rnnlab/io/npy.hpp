#pragma once
/// \file io/npy.hpp
/// numpy .npy files: how arrays reach Python users and come back from them.
///
/// Reading accepts float32, float64, int32 and int64 files in either byte order (converted to the
/// requested scalar type and to native order), C or Fortran order, format versions 1.0, 2.0 and 3.0,
/// header keys in any order and headers of any length (format: numpy's NEP 1,
/// numpy.lib.format). Before any data is read the header is checked — magic string, version,
/// dtype, rank and every extent against what the caller expects, and the file length against the
/// header — so a missing, truncated, wrongly typed or wrongly shaped file gives an io_error naming
/// the file and the mismatch. The payload is then read from the offset and with the layout that
/// checked header gives (one parser: what passes the check is what is read). Writing uses xtensor's
/// xt::dump_npy (version 1.0, little-endian, C order). Writes are atomic (io/atomic.hpp).
///
/// Eigen matrices are written as numpy's (rows, cols) in C order, so `np.load` returns the same
/// matrix; Eigen vectors as 1-D arrays.

#include <Eigen/Core>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/io/atomic.hpp>
#include <rnnlab/names.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab::io {

/// Element types rnnlab reads from .npy files.
enum class npy_dtype { float32, float64, int32, int64 };

/// numpy's names of the element types (the JSON and message spelling; see rnnlab/names.hpp).
constexpr std::array<std::pair<npy_dtype, std::string_view>, 4> enum_names(npy_dtype) {
  return {{{npy_dtype::float32, "float32"},
           {npy_dtype::float64, "float64"},
           {npy_dtype::int32, "int32"},
           {npy_dtype::int64, "int64"}}};
}

/// What the header of a .npy file says.
struct npy_header {
  npy_dtype dtype = npy_dtype::float64;
  bool fortran_order = false;
  bool big_endian = false;      ///< payload bytes in big-endian order ('>' in descr); converted on reading
  std::vector<Index> shape;
  std::size_t data_offset = 0;  ///< bytes before the payload
  std::size_t word_size = 8;
  unsigned version = 1;         ///< format major version (1, 2 or 3)

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

/// The header dict of a .npy file: a Python literal `{'descr': ..., 'fortran_order': ..., 'shape': (...), }`
/// with the three keys in any order, any spacing, optional trailing commas (what numpy's reader accepts
/// through ast.literal_eval, restricted to the values the format allows).
class npy_dict_parser {
public:
  npy_dict_parser(const std::string& text, const std::filesystem::path& path) : m_s(text), m_path(path) {}

  struct fields {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<Index>> shape;
  };

  fields parse() {
    fields f;
    skip();
    expect('{');
    skip();
    while (peek() != '}') {
      const std::string key = quoted("a quoted key");
      skip();
      expect(':');
      skip();
      if (key == "descr") {
        if (f.descr) fail("key 'descr' appears twice");
        f.descr = quoted("a quoted dtype string for 'descr'");
      } else if (key == "fortran_order") {
        if (f.fortran_order) fail("key 'fortran_order' appears twice");
        f.fortran_order = boolean();
      } else if (key == "shape") {
        if (f.shape) fail("key 'shape' appears twice");
        f.shape = tuple();
      } else {
        fail("unexpected key '" + key + "' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
      }
      skip();
      if (peek() == ',') {
        ++m_pos;
        skip();
      } else if (peek() != '}') {
        fail("expected ',' or '}' after the value of '" + key + "'");
      }
    }
    ++m_pos;
    skip();
    if (m_pos != m_s.size()) fail("text after the closing '}'");
    for (const char* k : {"descr", "fortran_order", "shape"}) {
      const bool present = std::string_view(k) == "descr" ? f.descr.has_value()
                           : std::string_view(k) == "shape" ? f.shape.has_value()
                                                             : f.fortran_order.has_value();
      if (!present) fail(std::string("header has no '") + k + "' field (not a .npy file?)");
    }
    return f;
  }

private:
  [[noreturn]] void fail(const std::string& what) const {
    npy_fail(m_path, "malformed header at byte " + std::to_string(m_pos) + ": " + what);
  }
  char peek() const { return m_pos < m_s.size() ? m_s[m_pos] : '\0'; }
  void skip() {
    while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
      ++m_pos;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++m_pos;
  }
  std::string quoted(const char* what) {
    const char q = peek();
    if (q != '\'' && q != '"') fail(std::string("expected ") + what);
    const auto end = m_s.find(q, m_pos + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string out = m_s.substr(m_pos + 1, end - m_pos - 1);
    m_pos = end + 1;
    return out;
  }
  bool boolean() {
    if (m_s.compare(m_pos, 4, "True") == 0) return m_pos += 4, true;
    if (m_s.compare(m_pos, 5, "False") == 0) return m_pos += 5, false;
    fail("expected True or False for 'fortran_order'");
  }
  std::vector<Index> tuple() {
    expect('(');
    std::vector<Index> out;
    skip();
    while (peek() != ')') {
      if (peek() < '0' || peek() > '9') fail("expected a non-negative integer extent in 'shape'");
      unsigned long long v = 0;
      while (peek() >= '0' && peek() <= '9') {
        const auto digit = static_cast<unsigned long long>(peek() - '0');
        if (v > (static_cast<unsigned long long>(std::numeric_limits<Index>::max()) - digit) / 10)
          fail("extent in 'shape' too large");
        v = v * 10 + digit;
        ++m_pos;
      }
      if (peek() == 'L') ++m_pos;  // Python 2 long literal, still written by old files
      out.push_back(static_cast<Index>(v));
      skip();
      if (peek() == ',') {
        ++m_pos;
        skip();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in 'shape'");
      }
    }
    ++m_pos;
    return out;
  }

  const std::string& m_s;
  const std::filesystem::path& m_path;
  std::size_t m_pos = 0;
};

}  // namespace detail

/// Reads and checks the header of a .npy file (and that the file is as long as the header says).
///
/// Accepts format versions 1.0 (2-byte header length), 2.0 (4-byte length) and 3.0 (4-byte length,
/// UTF-8 header); the dict keys in any order; dtypes float32/float64/int32/int64 in either byte order
/// ('<', '>', '=' native, '|' for none); C or Fortran order. Everything read_npy later reads comes
/// from this header: there is no second parser.
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
  // The header length is little-endian and unsigned: bytes are read as unsigned char, so a low byte
  // >= 0x80 (a 182-byte header is B6 00) is not sign-extended.
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
    npy_fail(path, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(pre[7]) +
                       " (expected 1.0, 2.0 or 3.0)");
  }
  if (prefix + header_len > file_size) npy_fail(path, "truncated header");
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  if (static_cast<std::size_t>(in.gcount()) != header_len) npy_fail(path, "truncated header");

  npy_header h;
  h.version = major;
  h.data_offset = prefix + header_len;
  const auto fields = detail::npy_dict_parser(header, path).parse();
  const std::string& descr = *fields.descr;
  const char order = descr.empty() ? '\0' : descr[0];
  const std::string type = (order == '<' || order == '>' || order == '=' || order == '|') ? descr.substr(1) : descr;
  if (type == "f4") h.dtype = npy_dtype::float32, h.word_size = 4;
  else if (type == "f8") h.dtype = npy_dtype::float64, h.word_size = 8;
  else if (type == "i4") h.dtype = npy_dtype::int32, h.word_size = 4;
  else if (type == "i8") h.dtype = npy_dtype::int64, h.word_size = 8;
  else npy_fail(path, "dtype '" + descr + "' is not supported (expected float32, float64, int32 or int64: f4, f8, i4, i8)");
  if (order == '|') npy_fail(path, "dtype '" + descr + "': a multi-byte type needs a byte order ('<' or '>')");
  h.big_endian = order == '>' || (order == '=' && std::endian::native == std::endian::big);
  h.fortran_order = *fields.fortran_order;
  h.shape = *fields.shape;
  // Overflow-safe size: count * word_size must fit in the file.
  std::size_t payload = h.word_size;
  for (Index e : h.shape) {
    const auto ue = static_cast<std::size_t>(e);
    if (ue != 0 && payload > file_size / ue)
      npy_fail(path, "truncated: shape " + h.shape_string() + " needs more bytes than the file's " +
                         std::to_string(file_size));
    payload *= ue;
  }
  const std::size_t expected = h.data_offset + payload;
  if (file_size < expected)
    npy_fail(path, "truncated: shape " + h.shape_string() + " of " + std::string(to_name(h.dtype)) + " needs " +
                       std::to_string(expected) + " bytes, the file has " + std::to_string(file_size));
  if (file_size > expected)
    npy_fail(path, "has " + std::to_string(file_size - expected) + " bytes beyond the data its header announces");
  return h;
}

namespace detail {

/// Whether `v` is exactly representable in the integer type `Int` (finite, integral, in range);
/// always true for a floating-point `Int`.
template <class Int, class Source>
bool npy_exact(Source v) noexcept {
  if constexpr (!std::is_integral_v<Int>) {
    return true;
  } else if constexpr (std::is_floating_point_v<Source>) {
    // [−2^(b−1), 2^(b−1)) for a signed Int of b bits: both ends are exact in double
    const double lo = static_cast<double>(std::numeric_limits<Int>::min());
    const double v_d = static_cast<double>(v);
    return std::isfinite(v_d) && v_d == std::trunc(v_d) && v_d >= lo && v_d < -lo;
  } else {
    return std::in_range<Int>(v);
  }
}

/// Converts the payload into `out`; returns the (C-order) index of the first element that an integer
/// `Scalar` cannot hold exactly (NaN, ±inf, a fraction, out of range), or count() if there is none.
template <class Source, class Scalar>
std::size_t npy_convert(const unsigned char* bytes, const npy_header& h, Scalar* out) {
  const std::size_t n = static_cast<std::size_t>(h.count());
  const bool swap = h.big_endian != (std::endian::native == std::endian::big);
  const std::size_t rank = h.shape.size();
  // Fortran order: walk the output in C order while tracking the element's column-major offset.
  std::vector<std::size_t> index(rank, 0), stride(rank, 1);
  for (std::size_t d = 1; d < rank; ++d) stride[d] = stride[d - 1] * static_cast<std::size_t>(h.shape[d - 1]);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t src = h.fortran_order ? offset : i;
    std::array<unsigned char, sizeof(Source)> word{};
    std::memcpy(word.data(), bytes + src * sizeof(Source), sizeof(Source));
    if (swap) std::reverse(word.begin(), word.end());
    Source v{};
    std::memcpy(&v, word.data(), sizeof(Source));
    if (!npy_exact<Scalar>(v)) return i;
    out[i] = static_cast<Scalar>(v);
    if (h.fortran_order) {
      for (std::size_t d = rank; d-- > 0;) {  // C-order increment of the multi-index, last axis fastest
        offset += stride[d];
        if (++index[d] < static_cast<std::size_t>(h.shape[d])) break;
        offset -= stride[d] * index[d];
        index[d] = 0;
      }
    }
  }
  return n;
}

/// Reads the payload of a file whose header `h` read_npy_header returned into `out` (count()
/// elements, C order), converting the element type, the byte order and Fortran to C order.
template <class Scalar>
void read_npy_payload(const std::filesystem::path& path, const npy_header& h, Scalar* out) {
  if (h.count() == 0) return;
  const std::size_t bytes = static_cast<std::size_t>(h.count()) * h.word_size;
  std::vector<unsigned char> buffer(bytes);
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(h.data_offset));
  in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(bytes));
  if (!in || static_cast<std::size_t>(in.gcount()) != bytes)
    npy_fail(path, "cannot read " + std::to_string(bytes) + " bytes of data at offset " + std::to_string(h.data_offset));
  std::size_t bad = 0;
  switch (h.dtype) {
    case npy_dtype::float32: bad = npy_convert<float>(buffer.data(), h, out); break;
    case npy_dtype::float64: bad = npy_convert<double>(buffer.data(), h, out); break;
    case npy_dtype::int32: bad = npy_convert<std::int32_t>(buffer.data(), h, out); break;
    case npy_dtype::int64: bad = npy_convert<std::int64_t>(buffer.data(), h, out); break;
  }
  if (bad < static_cast<std::size_t>(h.count()))
    npy_fail(path, "element " + std::to_string(bad) + " (C order) of the " + std::string(to_name(h.dtype)) +
                       " data is not an integer that fits the " + std::to_string(8 * sizeof(Scalar)) +
                       "-bit integers expected (NaN, infinite, fractional or out of range)");
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
