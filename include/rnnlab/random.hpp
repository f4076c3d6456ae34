#pragma once
/// \file random.hpp
/// Random number generation with explicit generators and reproducible independent streams.
///
/// Every stochastic function in rnnlab takes its generator as an argument; nothing uses hidden
/// global state. A study derives one generator per (seed, network index, purpose, ...) with
/// `make_stream`, so that a network's results are bit-identical whatever the number of threads or
/// MPI ranks that computed it.
///
/// Generator: xoshiro256++ (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 2021), seeded through SplitMix64 as its authors recommend. Normal deviates: the
/// ziggurat method of Marsaglia & Tsang (J. Stat. Softw. 2000) in the 128-layer double-precision
/// form of Doornik (2005), one 64-bit draw per deviate in ~99% of the cases.

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>

#include <rnnlab/error.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// SplitMix64 step: advances `state` and returns a well-mixed 64-bit value. Used to seed
/// xoshiro256++ and to hash stream identifiers.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// xoshiro256++: a fast 64-bit generator with 256 bits of state (period 2^256 − 1). Satisfies
/// std::uniform_random_bit_generator, so it works with <random> distributions too.
class xoshiro256pp {
public:
  using result_type = std::uint64_t;

  /// Seeds the four state words from SplitMix64(seed); never all zero.
  explicit constexpr xoshiro256pp(std::uint64_t seed = 0) noexcept { reseed(seed); }

  constexpr void reseed(std::uint64_t seed) noexcept {
    std::uint64_t sm = seed;
    for (auto& word : m_state) word = splitmix64(sm);
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  constexpr result_type operator()() noexcept {
    const std::uint64_t result = std::rotl(m_state[0] + m_state[3], 23) + m_state[0];
    const std::uint64_t t = m_state[1] << 17;
    m_state[2] ^= m_state[0];
    m_state[3] ^= m_state[1];
    m_state[1] ^= m_state[2];
    m_state[0] ^= m_state[3];
    m_state[2] ^= t;
    m_state[3] = std::rotl(m_state[3], 45);
    return result;
  }

  /// The raw state, for checkpointing a generator mid-run.
  constexpr const std::array<std::uint64_t, 4>& state() const noexcept { return m_state; }
  constexpr void set_state(const std::array<std::uint64_t, 4>& s) {
    if ((s[0] | s[1] | s[2] | s[3]) == 0)
      throw argument_error("rnnlab::xoshiro256pp::set_state: argument 's': expected a non-zero state, got all zeros");
    m_state = s;
  }

  friend constexpr bool operator==(const xoshiro256pp&, const xoshiro256pp&) = default;

private:
  std::array<std::uint64_t, 4> m_state{};
};

/// The generator type used throughout rnnlab.
using rng = xoshiro256pp;

/// Well-known purposes for `make_stream`, so that different uses of one seed never overlap.
/// Any other 64-bit value may be used as a purpose too.
enum class stream_purpose : std::uint64_t {
  initialization = 1,  ///< network parameters
  training = 2,        ///< training batches, mutations, exploration noise
  validation = 3,      ///< the fixed validation set
  analysis = 4,        ///< fixed-point starts, probe noise, permutation tests
  initial_state = 5,   ///< initial states x0
};

/// The names of stream_purpose (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<stream_purpose, std::string_view>, 5> enum_names(stream_purpose) {
  return {{{stream_purpose::initialization, "initialization"},
           {stream_purpose::training, "training"},
           {stream_purpose::validation, "validation"},
           {stream_purpose::analysis, "analysis"},
           {stream_purpose::initial_state, "initial_state"}}};
}

/// Derives an independent generator from a seed and a list of identifiers (for example the
/// network index and a purpose). Distinct identifier lists give statistically independent
/// streams; the same list always gives the same stream.
inline rng make_stream(std::uint64_t seed, std::initializer_list<std::uint64_t> ids) noexcept {
  std::uint64_t h = seed ^ 0x6a09e667f3bcc908ULL;
  std::uint64_t mixed = splitmix64(h);
  for (std::uint64_t id : ids) {
    std::uint64_t s = mixed ^ (id * 0x9e3779b97f4a7c15ULL + 0x3c6ef372fe94f82bULL);
    mixed = splitmix64(s);
    mixed ^= std::rotl(mixed, 17);
  }
  return rng(mixed);
}

/// Convenience overload: `make_stream(seed, network_index, purpose)`.
inline rng make_stream(std::uint64_t seed, std::uint64_t index, stream_purpose purpose) noexcept {
  return make_stream(seed, {index, static_cast<std::uint64_t>(purpose)});
}

/// A uniform double in the open interval (0, 1), from the top 53 bits of one draw.
template <class G>
inline double uniform_open01(G& g) {
  return (static_cast<double>(g() >> 11) + 0.5) * 0x1.0p-53;
}

/// A uniform double in [0, 1).
template <class G>
inline double uniform01(G& g) {
  return static_cast<double>(g() >> 11) * 0x1.0p-53;
}

/// An unbiased uniform integer in [0, n) (Lemire's multiply-and-reject method). n must be > 0.
namespace detail {
__extension__ using uint128 = unsigned __int128;  // GCC and Clang; __extension__ silences -Wpedantic
}  // namespace detail

template <class G>
inline std::uint64_t uniform_index(G& g, std::uint64_t n) {
  detail::uint128 m = static_cast<detail::uint128>(g()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<detail::uint128>(g()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

/// +1 or −1 with probability ½ each.
template <class G>
inline int random_sign(G& g) {
  return (g() >> 63) ? 1 : -1;
}

namespace detail {

/// Ziggurat tables (128 layers) for the standard normal density exp(−x²/2).
struct ziggurat_tables {
  static constexpr int layers = 128;
  static constexpr double r = 3.442619855899;          // start of the tail
  static constexpr double v = 9.91256303526217e-3;     // area of each layer
  std::array<double, layers + 1> x{};                  // layer edges, x[0] = v / f(r), x[layers] = 0
  std::array<double, layers> ratio{};                  // x[i+1] / x[i]: the always-accepted core

  ziggurat_tables() {
    double f = std::exp(-0.5 * r * r);
    x[0] = v / f;
    x[1] = r;
    x[layers] = 0.0;
    for (int i = 2; i < layers; ++i) {
      x[static_cast<std::size_t>(i)] = std::sqrt(-2.0 * std::log(v / x[static_cast<std::size_t>(i - 1)] + f));
      f = std::exp(-0.5 * x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)]);
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(layers); ++i) ratio[i] = x[i + 1] / x[i];
  }
};

inline const ziggurat_tables& ziggurat() {
  static const ziggurat_tables tables;
  return tables;
}

}  // namespace detail

/// A standard normal deviate N(0, 1).
template <class G>
inline double standard_normal(G& g) {
  const auto& z = detail::ziggurat();
  for (;;) {
    const std::uint64_t bits = g();
    // Top 53 bits give u uniform in (−1, 1); the low 7 bits choose the layer.
    const double u = 2.0 * ((static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53) - 1.0;
    const auto i = static_cast<std::size_t>(bits & 0x7f);
    if (std::abs(u) < z.ratio[i]) return u * z.x[i];  // inside the rectangle core: accept
    if (i == 0) {
      // Base layer beyond r: sample the tail by Marsaglia's exponential method.
      double xt = 0.0, yt = 0.0;
      do {
        xt = std::log(uniform_open01(g)) / detail::ziggurat_tables::r;
        yt = std::log(uniform_open01(g));
      } while (-2.0 * yt < xt * xt);
      return u < 0 ? xt - detail::ziggurat_tables::r : detail::ziggurat_tables::r - xt;
    }
    // Wedge: accept under the density.
    const double xv = u * z.x[i];
    const double f0 = std::exp(-0.5 * (z.x[i] * z.x[i] - xv * xv));
    const double f1 = std::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - xv * xv));
    if (f1 + uniform01(g) * (f0 - f1) < 1.0) return xv;
  }
}

/// Fills `out` with independent N(mean, stddev²) deviates (stddev is a standard deviation).
template <class Scalar, class G>
inline void fill_normal(G& g, std::span<Scalar> out, double mean = 0.0, double stddev = 1.0) {
  for (Scalar& value : out) value = static_cast<Scalar>(mean + stddev * standard_normal(g));
}

/// Fills `out` with independent U(lo, hi) deviates.
template <class Scalar, class G>
inline void fill_uniform(G& g, std::span<Scalar> out, double lo, double hi) {
  for (Scalar& value : out) value = static_cast<Scalar>(lo + (hi - lo) * uniform01(g));
}

}  // namespace rnnlab
