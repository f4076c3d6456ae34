#pragma once
/// \file io/network.hpp
/// The network folder: rnnlab's interchange format for trained networks (docs/formats.md).
///
///     NET_DIR/W_rec.npy   (N, N)   rows are the receiving units, as in W·x
///     NET_DIR/W_in.npy    (N, M)
///     NET_DIR/W_out.npy   (O, N)
///     NET_DIR/b.npy       (N,)     optional, zeros if absent
///     NET_DIR/b_out.npy   (O,)     optional, zeros if absent
///     NET_DIR/x0.npy      (N,)     optional, zeros if absent: the network's own initial state
///     NET_DIR/W_fb.npy    (N, O)   optional: output feedback (FORCE); absent = none
///     NET_DIR/network.json          {"activation", "alpha", "readout", ...}
///
/// Optional structure in network.json (absent = the standard model): "readout_unit": k (the
/// output is read from unit k, W_out unused; absent or −1 = the linear readout W_out s + b_out),
/// "clamped_units": [{"unit": i, "value": v}, ...] (Miconi's bias units: core/ctrnn.hpp
/// `clamped_unit`) and "output_activation" (a shipped activation's name; absent = "linear":
/// full-FORCE's tanh(W_out tanh(x))).
///
/// float32 and float64 files are both accepted. `np.save` of PyTorch weights (weight_hh →
/// W_rec, weight_ih → W_in, the readout's weight → W_out) plus a three-field network.json gives a
/// loadable network. network.json is written last, so a folder with a network.json is complete.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/io/json.hpp>
#include <rnnlab/io/npy.hpp>
#include <rnnlab/version.hpp>

namespace rnnlab::io {

/// What network.json says about a network folder.
struct network_info {
  Index n_units = 0;
  Index n_inputs = 0;
  Index n_outputs = 0;
  std::string activation;  ///< one of `activation_names` ("tanh", "one_plus_tanh", "relu", ...)
  double alpha = 0.1;
  readout_source readout = readout_source::rates;
  std::string output_activation = "linear";  ///< g of the readout y = g(W_out s + b_out)
  Index readout_unit = -1;                   ///< the unit the output is read from, or −1 (W_out s + b_out)
  std::vector<clamped_unit> clamped;         ///< units held at constant values (none: empty)
  std::string dtype;       ///< scalar type the network was saved from ("float32"/"float64"), if known
  std::string preset;      ///< free text: how it was made ("reference_code", "paper_text", "pytorch", ...)
  std::optional<std::uint64_t> seed;
  std::string library_version;
  json extra;              ///< anything else (a training report, task parameters, ...)
};

/// Optional descriptive fields saved with a network.
struct network_metadata {
  std::string preset;
  std::optional<std::uint64_t> seed;
  json extra = json::object();
};

namespace detail {

template <class F>
constexpr bool activation_named(std::string_view name) {
  return F::name == name;
}

inline readout_source parse_readout(const std::string& s, const std::filesystem::path& file) {
  if (s == "f(x)") return readout_source::rates;  // aliases older files use
  if (s == "x") return readout_source::state;
  for (const auto& [value, name] : enum_names(readout_source{}))
    if (name == s) return value;
  throw io_error("rnnlab::io: file '" + file.string() + "': field 'readout' must be one of " +
                 valid_names<readout_source>() + ", got \"" + s + "\"");
}

}  // namespace detail

/// Reads and checks network.json of a network folder (the .npy files are checked on load).
inline network_info read_network_info(const std::filesystem::path& dir) {
  const auto file = dir / "network.json";
  if (!std::filesystem::is_directory(dir))
    throw io_error("rnnlab::io::read_network_info: '" + dir.string() + "' is not a directory");
  const json j = read_json(file);
  network_info info;
  info.activation = json_field<std::string>(j, "activation", file);
  if (std::find(activation_names.begin(), activation_names.end(), info.activation) == activation_names.end())
    throw io_error("rnnlab::io: file '" + file.string() + "': field 'activation' must be one of " +
                   activation_names_text() + "; got \"" + info.activation + "\"");
  info.alpha = json_field<double>(j, "alpha", file);
  if (!(info.alpha > 0.0 && info.alpha <= 1.0))
    throw io_error("rnnlab::io: file '" + file.string() + "': field 'alpha' must be in (0, 1], got " +
                   std::to_string(info.alpha));
  info.readout = detail::parse_readout(json_field<std::string>(j, "readout", file), file);
  info.output_activation = j.value("output_activation", std::string("linear"));
  if (std::find(activation_names.begin(), activation_names.end(), info.output_activation) == activation_names.end())
    throw io_error("rnnlab::io: file '" + file.string() + "': field 'output_activation' must be one of " +
                   activation_names_text() + "; got \"" + info.output_activation + "\"");
  if (j.contains("readout_unit")) {
    if (!j["readout_unit"].is_number_integer() || j["readout_unit"].get<Index>() < -1)
      throw io_error("rnnlab::io: file '" + file.string() + "': field 'readout_unit' must be an integer >= -1, got " +
                     j["readout_unit"].dump());
    info.readout_unit = j["readout_unit"].get<Index>();
  }
  if (j.contains("clamped_units")) {
    const json& c = j["clamped_units"];
    const auto bad = [&](const std::string& what) {
      throw io_error("rnnlab::io: file '" + file.string() + "': field 'clamped_units' must be a list of {\"unit\": i, "
                     "\"value\": v}; " + what);
    };
    if (!c.is_array()) bad("got " + c.dump());
    for (const json& e : c) {
      if (!e.is_object() || !e.contains("unit") || !e.contains("value") || !e["unit"].is_number_integer() ||
          !e["value"].is_number())
        bad("got the entry " + e.dump());
      info.clamped.push_back({e["unit"].get<Index>(), e["value"].get<double>()});
    }
  }
  info.n_units = j.value("n_units", Index{0});
  info.n_inputs = j.value("n_inputs", Index{0});
  info.n_outputs = j.value("n_outputs", Index{0});
  info.dtype = j.value("dtype", std::string{});
  info.preset = j.value("preset", std::string{});
  if (j.contains("seed") && j["seed"].is_number_unsigned()) info.seed = j["seed"].get<std::uint64_t>();
  info.library_version = j.value("library_version", std::string{});
  info.extra = j.value("extra", json::object());
  return info;
}

/// Saves a network folder (each .npy atomically, network.json last).
template <class Scalar, Activation F>
void save_network(const std::filesystem::path& dir, const ctrnn<Scalar, F>& net, const network_metadata& meta = {}) {
  net.validate("rnnlab::io::save_network");
  ensure_directory(dir, "rnnlab::io::save_network");
  const auto& p = net.parameters();
  write_npy(dir / "W_rec.npy", p.W_rec);
  write_npy(dir / "W_in.npy", p.W_in);
  write_npy(dir / "W_out.npy", p.W_out);
  write_npy_vector(dir / "b.npy", p.b);
  write_npy_vector(dir / "b_out.npy", p.b_out);
  write_npy_vector(dir / "x0.npy", p.x0);
  if (p.has_feedback())
    write_npy(dir / "W_fb.npy", p.W_fb);
  else
    std::filesystem::remove(dir / "W_fb.npy");  // a folder overwritten by a network without feedback
  json j;
  j["format"] = "rnnlab-network";
  j["format_version"] = 1;
  j["n_units"] = net.n_units();
  j["n_inputs"] = net.n_inputs();
  j["n_outputs"] = net.n_outputs();
  j["activation"] = std::string(F::name);
  j["alpha"] = static_cast<double>(net.alpha());
  j["readout"] = std::string(to_name(net.readout()));
  if (net.output_activation() != activations::linear::name) j["output_activation"] = std::string(net.output_activation());
  if (net.readout_unit() >= 0) j["readout_unit"] = net.readout_unit();
  if (!net.clamped_units().empty()) {
    json c = json::array();
    for (const clamped_unit& u : net.clamped_units()) c.push_back({{"unit", u.unit}, {"value", u.value}});
    j["clamped_units"] = c;
  }
  j["dtype"] = std::is_same_v<Scalar, float> ? "float32" : "float64";
  j["preset"] = meta.preset;
  if (meta.seed) j["seed"] = *meta.seed;
  j["library_version"] = std::string(rnnlab::version);
  j["extra"] = meta.extra;
  write_json(dir / "network.json", j);
}

/// Loads a network folder as ctrnn<Scalar, F>; throws io_error if the folder's activation is not
/// F, or if a file is missing, truncated, of the wrong dtype, or of a shape that does not fit.
template <class Scalar, Activation F = activations::one_plus_tanh>
ctrnn<Scalar, F> load_network(const std::filesystem::path& dir) {
  const network_info info = read_network_info(dir);
  if (info.activation != F::name)
    throw io_error("rnnlab::io::load_network: folder '" + dir.string() + "' holds a network with activation \"" +
                   info.activation + "\", requested \"" + std::string(F::name) + "\"");
  using vector = typename ctrnn_parameters<Scalar>::vector_type;
  ctrnn_parameters<Scalar> p;
  p.W_rec = read_npy_matrix<Scalar>(dir / "W_rec.npy");
  const Index N = p.W_rec.rows();
  if (N == 0 || p.W_rec.cols() != N)
    throw io_error("rnnlab::io::load_network: file '" + (dir / "W_rec.npy").string() +
                   "': expected a square (N, N) matrix with N > 0, got (" + std::to_string(p.W_rec.rows()) + ", " +
                   std::to_string(p.W_rec.cols()) + ")");
  p.W_in = read_npy_matrix<Scalar>(dir / "W_in.npy", N, -1);
  p.W_out = read_npy_matrix<Scalar>(dir / "W_out.npy", -1, N);
  const Index O = p.W_out.rows();
  const auto optional_vector = [&](const char* name, Index n) -> vector {
    const auto f = dir / name;
    return std::filesystem::exists(f) ? read_npy_vector<Scalar>(f, n) : vector(vector::Zero(n));
  };
  p.b = optional_vector("b.npy", N);
  p.b_out = optional_vector("b_out.npy", O);
  p.x0 = optional_vector("x0.npy", N);
  if (std::filesystem::exists(dir / "W_fb.npy")) p.W_fb = read_npy_matrix<Scalar>(dir / "W_fb.npy", N, O);
  const auto check_size = [&](Index declared, Index actual, const char* field) {
    if (declared != 0 && declared != actual)
      throw io_error("rnnlab::io::load_network: folder '" + dir.string() + "': network.json says " + field + " = " +
                     std::to_string(declared) + " but the weight files have " + std::to_string(actual));
  };
  check_size(info.n_units, N, "n_units");
  check_size(info.n_inputs, p.W_in.cols(), "n_inputs");
  check_size(info.n_outputs, O, "n_outputs");
  try {
    ctrnn<Scalar, F> net(std::move(p), static_cast<Scalar>(info.alpha), info.readout);
    if (!info.clamped.empty()) net.set_clamped_units(info.clamped);
    net.set_output_activation(info.output_activation);
    net.set_readout_unit(info.readout_unit);
    return net;
  } catch (const argument_error& e) {
    throw io_error("rnnlab::io::load_network: folder '" + dir.string() + "': " + e.what());
  }
}

/// Loads a network folder with the activation its network.json names and calls fn(net) with a
/// `ctrnn<Scalar, F>` of that activation; returns what fn returns.
template <class Scalar, class Fn>
decltype(auto) visit_network(const std::filesystem::path& dir, Fn&& fn) {
  return visit_activation(read_network_info(dir).activation,
                          [&]<class F>(F) -> decltype(auto) { return fn(load_network<Scalar, F>(dir)); });
}

}  // namespace rnnlab::io
