#pragma once
/// \file io/atomic.hpp
/// Atomic file writes: write a temporary sibling, flush it to disk, then rename it over the target.
/// A reader (or a resumed study) sees either the old file or the complete new one, never a torn
/// write, even if the process is killed mid-write.

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <rnnlab/error.hpp>

namespace rnnlab::io {

namespace detail {

/// A unique temporary name next to `target` (same directory, so rename stays atomic).
inline std::filesystem::path temporary_sibling(const std::filesystem::path& target) {
  static std::atomic<unsigned long> counter{0};
  return target.parent_path() / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(counter.fetch_add(1)));
}

/// fsync a file by path, so the data is on disk before the rename publishes it.
inline void sync_file(const std::filesystem::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

}  // namespace detail

/// Creates `dir` (and parents) or throws io_error.
inline void ensure_directory(const std::filesystem::path& dir, std::string_view caller) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw io_error(rnnlab::detail::concat(caller, ": cannot create directory '", dir.string(), "': ",
                                          ec ? ec.message() : "not a directory"));
}

/// Calls `write(tmp_path)` to produce the content in a temporary file, checks it with
/// `verify(tmp_path)` (may throw), then renames it to `target`. On any failure the temporary file
/// is removed and `target` is left untouched.
template <class Write, class Verify>
void write_atomically(const std::filesystem::path& target, std::string_view caller, Write&& write, Verify&& verify) {
  if (target.has_parent_path()) ensure_directory(target.parent_path(), caller);
  const auto tmp = detail::temporary_sibling(target);
  try {
    write(tmp);
    verify(tmp);
    detail::sync_file(tmp);
    std::error_code ec;
    std::filesystem::rename(tmp, target, ec);
    if (ec)
      throw io_error(rnnlab::detail::concat(caller, ": cannot rename '", tmp.string(), "' to '", target.string(),
                                            "': ", ec.message()));
  } catch (...) {
    std::error_code ignore;
    std::filesystem::remove(tmp, ignore);
    throw;
  }
}

/// Writes a text file atomically.
inline void write_text(const std::filesystem::path& target, std::string_view text) {
  constexpr std::string_view fn = "rnnlab::io::write_text";
  write_atomically(
      target, fn,
      [&](const std::filesystem::path& tmp) {
        std::ofstream out(tmp, std::ios::binary);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) throw io_error(rnnlab::detail::concat(fn, ": cannot write '", tmp.string(), "'"));
      },
      [](const std::filesystem::path&) {});
}

/// Reads a whole text file or throws io_error naming it.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(rnnlab::detail::concat("rnnlab::io::read_text: cannot open '", path.string(), "'"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text;
}

}  // namespace rnnlab::io
