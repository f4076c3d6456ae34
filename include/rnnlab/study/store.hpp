#pragma once
/// \file study/store.hpp
/// The study store on disk: plain .npy and JSON that numpy and any JSON reader open.
///
///     <store>/manifest.json            the plan, the library version, the study seed, every network's cell
///     <store>/networks/<index>/        one complete entry per network (docs/study.md lists its files)
///         entry.json                   written last: the network's cell and a checksum of every other file
///     <store>/analysis/...             cross-network analyses and the claims table (study/analyses.hpp)
///     <store>/timings/<index>.json     wall-clock seconds per stage (the only files that differ between runs)
///
/// An entry is built in a temporary sibling folder (`networks/.tmp-<index>-<pid>`), every file
/// written and flushed to disk, `entry.json` (FNV-1a 64-bit checksums and sizes of all other
/// files) last, then the folder is renamed into place and the parent directory flushed. A reader
/// therefore sees a network's folder complete or not at all. `check_entry` recomputes the
/// checksums: a folder without entry.json, with a file missing, extra, truncated or altered is
/// reported as corrupted and the runner redoes it (and only it).

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/io.hpp>
#include <rnnlab/io/json.hpp>
#include <rnnlab/study/plan.hpp>
#include <rnnlab/version.hpp>

namespace rnnlab::study {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Plan ↔ JSON (strict: an unknown or missing field is an io_error naming it)

inline io::json scale_to_json(const study_scale& s) {
  return {{"n_steps", s.n_steps},
          {"noise_std_factor", s.noise_std_factor},
          {"batch_size", s.batch_size},
          {"validation_trials", s.validation_trials},
          {"stop_accuracy", s.stop_accuracy},
          {"stop_window", s.stop_window},
          {"max_updates", s.max_updates},
          {"rule_max_updates", s.rule_max_updates},
          {"fp_starts", s.fp_starts},
          {"psychometric_trials", s.psychometric_trials},
          {"integration_pulse_steps", s.integration_pulse_steps},
          {"integration_relax_steps", s.integration_relax_steps},
          {"integration_starts", s.integration_starts},
          {"permutations", s.permutations}};
}

inline io::json plan_to_json(const study_plan& p) {
  return {{"name", p.name},
          {"size", std::string(to_name(p.size))},
          {"tasks", p.tasks},
          {"contexts", p.contexts},
          {"noise", p.noise},
          {"noise_as", std::string(to_name(p.noise_as))},
          {"activations", p.activations},
          {"n_units", p.n_units},
          {"rules", p.rules},
          {"networks_per_cell", p.networks_per_cell},
          {"seed", p.seed},
          {"scale", scale_to_json(p.scale)},
          {"parts", [&] {
             io::json a = io::json::array();
             for (const auto& part : p.parts) a.push_back(plan_to_json(part));
             return a;
           }()}};
}

namespace detail {

inline void study_json_keys(const io::json& j, const std::vector<std::string>& keys, const std::string& where) {
  if (!j.is_object()) throw io_error("rnnlab::study: " + where + ": expected a JSON object");
  for (const auto& [k, v] : j.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      std::string valid;
      for (const auto& key : keys) valid += (valid.empty() ? "" : ", ") + key;
      throw io_error("rnnlab::study: " + where + ": unknown field '" + k + "' (valid: " + valid + ")");
    }
}

template <class T>
T study_field(const io::json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key)) throw io_error("rnnlab::study: " + where + ": missing field '" + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const io::json::exception& e) {
    throw io_error("rnnlab::study: " + where + ": field '" + key + "': " + e.what());
  }
}

}  // namespace detail

inline study_scale scale_from_json(const io::json& j, const std::string& where = "scale") {
  const std::vector<std::string> keys{"n_steps", "noise_std_factor", "batch_size", "validation_trials",
                                      "stop_accuracy", "stop_window", "max_updates", "rule_max_updates", "fp_starts",
                                      "psychometric_trials", "integration_pulse_steps", "integration_relax_steps",
                                      "integration_starts", "permutations"};
  detail::study_json_keys(j, keys, where);
  study_scale s;
  s.n_steps = detail::study_field<Index>(j, "n_steps", where);
  s.noise_std_factor = detail::study_field<double>(j, "noise_std_factor", where);
  s.batch_size = detail::study_field<Index>(j, "batch_size", where);
  s.validation_trials = detail::study_field<Index>(j, "validation_trials", where);
  s.stop_accuracy = detail::study_field<double>(j, "stop_accuracy", where);
  s.stop_window = detail::study_field<Index>(j, "stop_window", where);
  s.max_updates = detail::study_field<Index>(j, "max_updates", where);
  if (j.contains("rule_max_updates"))  // optional: stores written before per-rule budgets lack it
    s.rule_max_updates = detail::study_field<std::map<std::string, Index>>(j, "rule_max_updates", where);
  s.fp_starts = detail::study_field<Index>(j, "fp_starts", where);
  s.psychometric_trials = detail::study_field<Index>(j, "psychometric_trials", where);
  s.integration_pulse_steps = detail::study_field<Index>(j, "integration_pulse_steps", where);
  s.integration_relax_steps = detail::study_field<Index>(j, "integration_relax_steps", where);
  s.integration_starts = detail::study_field<Index>(j, "integration_starts", where);
  s.permutations = detail::study_field<Index>(j, "permutations", where);
  return s;
}

/// A plan from its JSON (as `plan_to_json` writes it; every field required, none unknown).
inline study_plan plan_from_json(const io::json& j, const std::string& where = "plan") {
  const std::vector<std::string> keys{"name",  "size",        "tasks",   "contexts", "noise",
                                      "noise_as", "activations", "n_units", "rules",    "networks_per_cell",
                                      "seed",  "scale",       "parts"};
  detail::study_json_keys(j, keys, where);
  study_plan p;
  p.name = detail::study_field<std::string>(j, "name", where);
  try {
    p.size = from_name<study_size>(detail::study_field<std::string>(j, "size", where), "rnnlab::study::plan_from_json",
                                   "size");
    p.noise_as = from_name<noise_convention>(detail::study_field<std::string>(j, "noise_as", where),
                                             "rnnlab::study::plan_from_json", "noise_as");
  } catch (const argument_error& e) {
    throw io_error(std::string("rnnlab::study: ") + where + ": " + e.what());
  }
  p.tasks = detail::study_field<std::vector<std::string>>(j, "tasks", where);
  p.contexts = detail::study_field<std::vector<int>>(j, "contexts", where);
  p.noise = detail::study_field<std::vector<double>>(j, "noise", where);
  p.activations = detail::study_field<std::vector<std::string>>(j, "activations", where);
  p.n_units = detail::study_field<std::vector<Index>>(j, "n_units", where);
  p.rules = detail::study_field<std::vector<std::string>>(j, "rules", where);
  p.networks_per_cell = detail::study_field<Index>(j, "networks_per_cell", where);
  p.seed = detail::study_field<std::uint64_t>(j, "seed", where);
  p.scale = scale_from_json(j.at("scale"), where + ".scale");
  if (j.contains("parts")) {  // optional: a plan without parts may omit it
    const auto& parts = j.at("parts");
    if (!parts.is_array()) throw io_error("rnnlab::study: " + where + ": field 'parts' must be an array");
    for (std::size_t i = 0; i < parts.size(); ++i)
      p.parts.push_back(plan_from_json(parts[i], where + ".parts[" + std::to_string(i) + "]"));
  }
  return p;
}

inline io::json spec_to_json(const network_spec& s) {
  io::json j{{"index", s.index},       {"folder", s.folder()},     {"task", s.task},
             {"contexts", s.contexts}, {"group", s.group()},       {"noise", s.noise},
             {"default_noise", s.default_noise}, {"noise_as", std::string(to_name(s.noise_as))},
             {"noise_label", s.noise_label()}, {"noise_std", s.noise_stddev()},
             {"activation", s.activation}, {"n_units", s.n_units}, {"rule", s.rule},
             {"replicate", s.replicate}};
  return j;
}

// ---------------------------------------------------------------------------------------------
// Manifest

/// The manifest of a store: plan, library version, study seed and every network's cell.
inline io::json make_manifest(const study_plan& plan) {
  io::json nets = io::json::array();
  for (const auto& s : enumerate_networks(plan)) nets.push_back(spec_to_json(s));
  return {{"format", "rnnlab-study"},
          {"format_version", 1},
          {"library_version", std::string(rnnlab::version)},
          {"seed", plan.seed},
          {"seed_rule", "make_stream(seed, network index, purpose) (rnnlab/random.hpp)"},
          {"plan", plan_to_json(plan)},
          {"networks", nets}};
}

/// Writes the manifest, or checks that the store's manifest is this plan's (io_error otherwise:
/// a store holds one study).
inline void ensure_manifest(const fs::path& store, const study_plan& plan) {
  const auto file = store / "manifest.json";
  const io::json want = make_manifest(plan);
  if (fs::exists(file)) {
    const io::json have = io::read_json(file);
    if (have.value("plan", io::json{}) != want["plan"])
      throw io_error("rnnlab::study: store '" + store.string() +
                     "' holds another plan (its manifest.json differs); use another --out or the same plan");
    if (have == want) return;
  }
  io::ensure_directory(store, "rnnlab::study::ensure_manifest");
  io::write_json(file, want);
}

/// The plan recorded in a store's manifest.
inline study_plan read_store_plan(const fs::path& store) {
  return plan_from_json(io::read_json(store / "manifest.json").at("plan"), (store / "manifest.json").string());
}

// ---------------------------------------------------------------------------------------------
// Entries

/// FNV-1a 64-bit hash of a file's bytes, as 16 hex digits.
inline std::string file_checksum(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw io_error("rnnlab::study::file_checksum: cannot open '" + p.string() + "'");
  std::uint64_t h = 0xcbf29ce484222325ULL;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 0x100000001b3ULL;
    }
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) s[static_cast<std::size_t>(i)] = hex[h & 15];
  return s;
}

/// Relative paths of the regular files under `dir`, sorted (generic '/' separators).
inline std::vector<std::string> list_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

namespace detail {

inline void study_sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

}  // namespace detail

/// The state of a network's entry in the store.
enum class entry_state { missing, complete, corrupted };

/// The names of entry_state (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<entry_state, std::string_view>, 3> enum_names(entry_state) {
  return {{{entry_state::missing, "missing"}, {entry_state::complete, "complete"}, {entry_state::corrupted, "corrupted"}}};
}

struct entry_check {
  entry_state state = entry_state::missing;
  std::string problem;  ///< what is wrong with a corrupted entry
};

/// The folder of network `spec` in `store`.
inline fs::path entry_dir(const fs::path& store, const network_spec& spec) {
  return store / "networks" / spec.folder();
}

/// Checks a network's entry: present, entry.json readable and naming this network, every file
/// listed present with its size and checksum, no file unlisted.
inline entry_check check_entry(const fs::path& store, const network_spec& spec) {
  const fs::path dir = entry_dir(store, spec);
  entry_check c;
  if (!fs::exists(dir)) return c;
  c.state = entry_state::corrupted;
  const fs::path marker = dir / "entry.json";
  if (!fs::exists(marker)) {
    c.problem = "no entry.json (half-written)";
    return c;
  }
  io::json j;
  try {
    j = io::read_json(marker);
  } catch (const io_error& e) {
    c.problem = std::string("entry.json unreadable: ") + e.what();
    return c;
  }
  if (!j.contains("files") || !j["files"].is_object() || !j.contains("network") ||
      j["network"] != spec_to_json(spec)) {
    c.problem = "entry.json does not describe this network";
    return c;
  }
  std::vector<std::string> listed;
  for (const auto& [name, info] : j["files"].items()) {
    listed.push_back(name);
    const fs::path f = dir / name;
    if (!fs::exists(f)) {
      c.problem = "missing file " + name;
      return c;
    }
    if (info.value("bytes", std::uintmax_t{0}) != fs::file_size(f)) {
      c.problem = "wrong size of " + name;
      return c;
    }
    if (info.value("fnv1a64", std::string{}) != file_checksum(f)) {
      c.problem = "checksum mismatch in " + name;
      return c;
    }
  }
  std::sort(listed.begin(), listed.end());
  auto present = list_files(dir);
  present.erase(std::remove(present.begin(), present.end(), "entry.json"), present.end());
  if (present != listed) {
    c.problem = "unlisted files in the entry";
    return c;
  }
  c.state = entry_state::complete;
  return c;
}

/// A network entry being built in a temporary folder; `commit()` publishes it atomically.
class entry_writer {
public:
  entry_writer(const fs::path& store, network_spec spec) : m_store(store), m_spec(std::move(spec)) {
    const fs::path parent = store / "networks";
    io::ensure_directory(parent, "rnnlab::study::entry_writer");
    // Left-overs of a killed run of this network (only this network's: other shards may be
    // writing theirs next to it).
    const std::string prefix = ".tmp-" + m_spec.folder() + "-";
    for (const auto& e : fs::directory_iterator(parent))
      if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path());
    m_tmp = parent / (prefix + std::to_string(::getpid()));
    io::ensure_directory(m_tmp, "rnnlab::study::entry_writer");
  }
  entry_writer(const entry_writer&) = delete;
  entry_writer& operator=(const entry_writer&) = delete;
  ~entry_writer() {
    if (!m_committed) {
      std::error_code ec;
      fs::remove_all(m_tmp, ec);
    }
  }

  /// The folder to write the entry's files into.
  const fs::path& dir() const noexcept { return m_tmp; }

  /// Writes entry.json (checksums of every file) and renames the folder into place, replacing a
  /// corrupted entry of the same network.
  void commit() {
    io::json files = io::json::object();
    for (const auto& name : list_files(m_tmp)) {
      const fs::path f = m_tmp / name;
      files[name] = {{"bytes", fs::file_size(f)}, {"fnv1a64", file_checksum(f)}};
    }
    io::write_json(m_tmp / "entry.json", {{"network", spec_to_json(m_spec)},
                                          {"library_version", std::string(rnnlab::version)},
                                          {"files", files}});
    for (const auto& name : list_files(m_tmp))
      if (fs::is_directory(m_tmp / fs::path(name).parent_path())) detail::study_sync_dir(m_tmp / fs::path(name).parent_path());
    detail::study_sync_dir(m_tmp);
    const fs::path target = entry_dir(m_store, m_spec);
    if (fs::exists(target)) fs::remove_all(target);
    std::error_code ec;
    fs::rename(m_tmp, target, ec);
    if (ec)
      throw io_error("rnnlab::study: cannot rename '" + m_tmp.string() + "' to '" + target.string() +
                     "': " + ec.message());
    detail::study_sync_dir(target.parent_path());
    m_committed = true;
  }

private:
  fs::path m_store;
  network_spec m_spec;
  fs::path m_tmp;
  bool m_committed = false;
};

}  // namespace rnnlab::study
