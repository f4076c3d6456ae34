#pragma once
/// \file learning/detail/archive.hpp
/// The binary archive of a training checkpoint (learning/callbacks.hpp, `checkpoint_file`): one
/// symmetric `ar(value)` call both writes and reads, so a type lists its fields once. Values are
/// stored in the machine's native byte order (a checkpoint resumes a run on the machine, or a
/// like one, that wrote it; it is not an exchange format — io/ writes those).
///
///     "RNNLABCK" | u32 format version | u32 sizeof(scalar) | fields ...
///
/// Matrices carry their shape; reading into a matrix of another shape is an io_error (a
/// checkpoint of another network). Writing goes to `path.tmp`, which is renamed over `path` only
/// once complete, so a run killed while writing leaves the previous checkpoint intact.

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>

namespace rnnlab::detail {

class checkpoint_archive {
public:
  static constexpr std::uint32_t format_version = 1;

  /// Opens `path.tmp` for writing; `commit()` renames it over `path`.
  static checkpoint_archive writer(const std::filesystem::path& path, std::uint32_t scalar_size) {
    checkpoint_archive a(path, false);
    a.m_out.open(a.temp_path(), std::ios::binary | std::ios::trunc);
    if (!a.m_out) a.fail("cannot open '" + a.temp_path().string() + "' for writing");
    a.m_out.write("RNNLABCK", 8);
    std::uint32_t v = format_version;
    a(v);
    a(scalar_size);
    return a;
  }

  /// Opens `path` for reading and checks its header.
  static checkpoint_archive reader(const std::filesystem::path& path, std::uint32_t scalar_size) {
    checkpoint_archive a(path, true);
    a.m_in.open(path, std::ios::binary);
    if (!a.m_in) a.fail("cannot open it for reading");
    char magic[8] = {};
    a.m_in.read(magic, 8);
    if (!a.m_in || std::memcmp(magic, "RNNLABCK", 8) != 0) a.fail("not an rnnlab checkpoint (bad magic)");
    std::uint32_t v = 0, s = 0;
    a(v);
    a(s);
    if (v != format_version)
      a.fail("format version " + std::to_string(v) + ", expected " + std::to_string(format_version));
    if (s != scalar_size)
      a.fail("scalar size " + std::to_string(s) + " bytes, expected " + std::to_string(scalar_size) +
             " (a checkpoint of a network of another scalar type)");
    return a;
  }

  bool reading() const noexcept { return m_reading; }

  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void operator()(T& v) {
    raw(&v, sizeof v);
  }

  template <class T, std::size_t K>
  void operator()(std::array<T, K>& a) {
    for (auto& x : a) (*this)(x);
  }

  void operator()(std::string& s) {
    std::uint64_t n = s.size();
    (*this)(n);
    if (m_reading) {
      check_length(n, 1);
      s.resize(n);
    }
    raw(s.data(), n);
  }

  template <class T>
  void operator()(std::vector<T>& v) {
    std::uint64_t n = v.size();
    (*this)(n);
    if (m_reading) {
      check_length(n, sizeof(T));
      v.resize(n);
    }
    if constexpr (std::is_arithmetic_v<T>)
      raw(v.data(), n * sizeof(T));
    else
      for (auto& x : v) (*this)(x);
  }

  template <class S, int R, int C, int O, int MR, int MC>
  void operator()(Eigen::Matrix<S, R, C, O, MR, MC>& m) {
    std::int64_t rows = m.rows(), cols = m.cols();
    (*this)(rows);
    (*this)(cols);
    if (m_reading && (rows != m.rows() || cols != m.cols()))
      fail("a matrix of shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ") where (" +
           std::to_string(m.rows()) + ", " + std::to_string(m.cols()) +
           ") was expected (a checkpoint of another network or rule)");
    raw(m.data(), static_cast<std::size_t>(m.size()) * sizeof(S));
  }

  /// Parameter groups (ctrnn_parameters and any type with the same `for_each`).
  template <class P>
    requires requires(P& p) { p.for_each([](param, auto&) {}); }
  void operator()(P& p) {
    p.for_each([&](param, auto& m) { (*this)(m); });
  }

  /// Types that list their own fields.
  template <class T>
    requires requires(T& t, checkpoint_archive& a) { t.serialize(a); }
  void operator()(T& t) {
    t.serialize(*this);
  }

  /// Adam's state (moments and step count).
  template <class T>
    requires requires(T& t) {
      t.m;
      t.v;
      t.steps;
    }
  void operator()(T& t) {
    (*this)(t.m);
    (*this)(t.v);
    (*this)(t.steps);
  }

  /// SGD's state (velocity and step count).
  template <class T>
    requires requires(T& t) {
      t.velocity;
      t.steps;
    }
  void operator()(T& t) {
    (*this)(t.velocity);
    (*this)(t.steps);
  }

  /// Finishes a write: flushes, closes and renames `path.tmp` over `path` (atomic on POSIX).
  void commit() {
    if (m_reading) return;
    m_out.flush();
    if (!m_out) fail("write failed");
    m_out.close();
    std::error_code ec;
    std::filesystem::rename(temp_path(), m_path, ec);
    if (ec) fail("cannot rename '" + temp_path().string() + "' over it: " + ec.message());
  }

  /// Reading: throws unless every byte was consumed.
  void expect_end() {
    if (m_in.peek() != std::char_traits<char>::eof()) fail("trailing bytes after the last field");
  }

private:
  checkpoint_archive(std::filesystem::path path, bool reading) : m_path(std::move(path)), m_reading(reading) {}

  std::filesystem::path temp_path() const { return std::filesystem::path(m_path.string() + ".tmp"); }

  [[noreturn]] void fail(const std::string& what) const {
    throw io_error("rnnlab::checkpoint_file: '" + m_path.string() + "': " + what);
  }

  void check_length(std::uint64_t n, std::size_t element) const {
    if (n > (std::uint64_t{1} << 40) / element) fail("a length of " + std::to_string(n) + " elements (corrupt file)");
  }

  void raw(void* p, std::size_t n) {
    if (m_reading) {
      m_in.read(static_cast<char*>(p), static_cast<std::streamsize>(n));
      if (!m_in) fail("truncated (ended inside a field)");
    } else {
      m_out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
      if (!m_out) fail("write failed");
    }
  }

  std::filesystem::path m_path;
  bool m_reading;
  std::ifstream m_in;
  std::ofstream m_out;
};

}  // namespace rnnlab::detail
