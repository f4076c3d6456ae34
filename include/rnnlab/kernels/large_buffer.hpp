#pragma once
/// \file kernels/large_buffer.hpp
/// An uninitialised array for large, short-lived scratch and result storage (tens of MB), backed
/// where possible by transparent huge pages.
///
/// Why: the first touch of every fresh 4 KB page is a page fault. On bare metal that costs a
/// fraction of a microsecond, but on virtual machines that shadow the guest's page tables (the
/// 2-core development machine is one) it measured ≈ 10 µs: touching 100 MB of fresh memory took
/// 258 ms there, against 6 ms when the same memory was advised as huge pages (2 MB, one fault
/// each). Debian enables transparent huge pages only on request (`madvise` mode), so a large
/// buffer is aligned to 2 MB and advised with MADV_HUGEPAGE on Linux; elsewhere, or if the advice
/// is refused, it is ordinary memory. The contents are uninitialised: callers write before reading.

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace rnnlab::detail {

template <class T>
  requires std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>
class large_buffer {
 public:
  /// Buffers of at least this many bytes are huge-page aligned and advised.
  static constexpr std::size_t huge_threshold = std::size_t{1} << 20;
  static constexpr std::size_t huge_page = std::size_t{2} << 20;

  large_buffer() = default;
  explicit large_buffer(std::size_t n) { allocate(n); }
  large_buffer(const large_buffer&) = delete;
  large_buffer& operator=(const large_buffer&) = delete;
  large_buffer(large_buffer&& o) noexcept : m_data(o.m_data), m_size(o.m_size) { o.m_data = nullptr, o.m_size = 0; }
  large_buffer& operator=(large_buffer&& o) noexcept {
    if (this != &o) {
      release();
      m_data = o.m_data, m_size = o.m_size;
      o.m_data = nullptr, o.m_size = 0;
    }
    return *this;
  }
  ~large_buffer() { release(); }

  /// Makes room for at least n elements (contents not kept; a smaller request keeps the memory).
  void reserve(std::size_t n) {
    if (n > m_size) {
      release();
      allocate(n);
    }
  }

  T* data() noexcept { return m_data; }
  const T* data() const noexcept { return m_data; }
  std::size_t size() const noexcept { return m_size; }

 private:
  void allocate(std::size_t n) {
    if (n == 0) return;
    std::size_t bytes = n * sizeof(T);
    std::size_t align = alignof(T) < 64 ? 64 : alignof(T);
    if (bytes >= huge_threshold) {
      align = huge_page;
      bytes = (bytes + huge_page - 1) / huge_page * huge_page;
    } else {
      bytes = (bytes + align - 1) / align * align;
    }
    void* p = std::aligned_alloc(align, bytes);
    if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == huge_page) ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure is harmless
#endif
    m_data = static_cast<T*>(p);
    m_size = n;
  }
  void release() noexcept {
    std::free(m_data);
    m_data = nullptr;
    m_size = 0;
  }
  T* m_data = nullptr;
  std::size_t m_size = 0;
};

}  // namespace rnnlab::detail
