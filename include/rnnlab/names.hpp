#pragma once
/// \file names.hpp
/// Enum ↔ name tables: the one spelling of every enumerator, shared by messages, the CLI and JSON.
///
/// Each enum declares, next to its definition and in its own namespace, one table
///
///     constexpr std::array<std::pair<E, std::string_view>, n> enum_names(E) { return {{ {E::a, "a"}, ... }}; }
///
/// found by argument-dependent lookup. The generic functions below read it:
///
/// | expression                          | result                                                      |
/// |-------------------------------------|-------------------------------------------------------------|
/// | `to_name(e)`                        | `std::string_view`, the enumerator's name                   |
/// | `from_name<E>(s)`                   | the enumerator named `s`; argument_error listing the valid names otherwise |
/// | `from_name<E>(s, function, arg)`    | the same, the message naming `function` and its argument `arg` |
/// | `enum_values<E>()`                  | `std::array<E, n>`, every enumerator in table order         |
/// | `valid_names<E>()`                  | `"a, b, c"` — for help texts and messages                   |
///
/// Adding an enumerator means adding one table row; a name that is missing from the table is
/// caught by the tests in tests/io/serialize.test.cpp, which iterate over every enum the library ships.
/// Header-only and standard-library-only, so any module can use it.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <rnnlab/error.hpp>

namespace rnnlab {

/// An enum with a name table `enum_names(E)` reachable by argument-dependent lookup.
template <class E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) {
  { enum_names(e).size() } -> std::convertible_to<std::size_t>;
  { enum_names(e)[0].second } -> std::convertible_to<std::string_view>;
};

/// The name of `e` from its table; "?" for a value outside the table (a cast from an integer).
template <NamedEnum E>
constexpr std::string_view to_name(E e) noexcept {
  for (const auto& [value, name] : enum_names(E{}))
    if (value == e) return name;
  return "?";
}

/// Every enumerator of `E`, in table order.
template <NamedEnum E>
constexpr auto enum_values() noexcept {
  constexpr auto table = enum_names(E{});
  std::array<E, table.size()> out{};
  for (std::size_t i = 0; i < table.size(); ++i) out[i] = table[i].first;
  return out;
}

/// The valid names of `E`, comma separated ("a, b, c").
template <NamedEnum E>
std::string valid_names(std::string_view separator = ", ") {
  std::string out;
  for (const auto& [value, name] : enum_names(E{})) {
    if (!out.empty()) out += separator;
    out += name;
  }
  return out;
}

/// The enumerator of `E` named `name`; argument_error naming `function`, `argument`, the valid
/// names and the name given otherwise.
template <NamedEnum E>
E from_name(std::string_view name, std::string_view function = "rnnlab::from_name",
            std::string_view argument = "name") {
  for (const auto& [value, n] : enum_names(E{}))
    if (n == name) return value;
  throw argument_error(detail::argument_message(function, argument, "one of " + valid_names<E>(),
                                                "'" + std::string(name) + "'"));
}

}  // namespace rnnlab
