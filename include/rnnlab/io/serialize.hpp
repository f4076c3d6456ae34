#pragma once
/// \file io/serialize.hpp
/// JSON of every params, options, config and report struct, and of every named enum: one
/// description of a run that the CLI, the study runner and Python share (docs/formats.md, "JSON
/// of the library's structs").
///
/// nlohmann_json's ADL functions `to_json(json&, const T&)` / `from_json(const json&, T&)` are
/// provided for every T listed in `json_described_types` below, so `json j = params;` and
/// `j.get<rdm_params>()` work. Opt-in: the core headers stay Eigen-only; this header pulls in
/// nlohmann_json and every module whose structs it describes.
///
/// Rules (the same for every struct):
///   - an object with one key per member, the key spelled as the member;
///   - enums by name (rnnlab/names.hpp tables: `"noise": {"value": 0.5, "convention": "std"}`);
///   - `param_set` as an array of group names (`["W_rec", "W_in"]`);
///   - a NaN double as `null` (JSON has no NaN; a report's accuracy before any validation),
///     `std::optional` disengaged as `null`;
///   - Eigen vectors as arrays (results hold only short vectors; matrices go to .npy files).
/// Reading is strict, so that a typo in a plan never silently runs the default: a missing key, a
/// key the struct does not have, or a value of the wrong type or an unknown enum name throws
/// io_error naming the struct, the field (as a path, `train_options.stop.rule`), what was expected
/// and what was found. Reading does not validate ranges: call the struct's `validate()` as usual.
///
/// Adding a struct: one `json_schema` specialisation below (its name and member list) and one
/// entry in `json_described_types`; the round-trip tests in tests/io/serialize.test.cpp then
/// cover it.

#include <nlohmann/json.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <rnnlab/analysis/similarity/activity.hpp>
#include <rnnlab/analysis/similarity/cca.hpp>
#include <rnnlab/analysis/similarity/cka.hpp>
#include <rnnlab/analysis/dynamics/continuation.hpp>
#include <rnnlab/analysis/similarity/distance_matrix.hpp>
#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/dynamics/integration_mechanism.hpp>
#include <rnnlab/analysis/embedding/mds.hpp>
#include <rnnlab/analysis/similarity/pca.hpp>
#include <rnnlab/analysis/similarity/procrustes.hpp>
#include <rnnlab/analysis/embedding/silhouette.hpp>
#include <rnnlab/analysis/similarity/svcca.hpp>
#include <rnnlab/analysis/dynamics/topology.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/core/parallel_simulate.hpp>
#include <rnnlab/core/parameters.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/learning/adam.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/names.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/rdm.hpp>
#include <rnnlab/tasks/validation.hpp>

namespace rnnlab::io {

/// One member of a described struct: its JSON key and a pointer to it.
template <class Owner, class M>
struct json_member {
  std::string_view key;
  M Owner::*ptr;
};

template <class Owner, class M>
constexpr json_member<Owner, M> member(std::string_view key, M Owner::*ptr) {
  return {key, ptr};
}

/// Specialise with `static constexpr std::string_view name` and `static constexpr auto members()`
/// returning a std::tuple of `member(...)`.
template <class T>
struct json_schema;

template <class T>
concept JsonDescribed = requires {
  { json_schema<T>::name } -> std::convertible_to<std::string_view>;
  json_schema<T>::members();
};

/// Reads the members of a described struct from the object `j` (strict: see the file comment).
/// `path` prefixes field names in messages.
template <JsonDescribed T>
void read_members(const nlohmann::json& j, T& v, const std::string& path = std::string(json_schema<T>::name));

namespace detail {

template <class T>
struct is_optional : std::false_type {};
template <class U>
struct is_optional<std::optional<U>> : std::true_type {};
template <class T>
struct is_std_vector : std::false_type {};
template <class U, class A>
struct is_std_vector<std::vector<U, A>> : std::true_type {};
template <class T>
struct is_string_map : std::false_type {};
template <class U, class C, class A>
struct is_string_map<std::map<std::string, U, C, A>> : std::true_type {};
template <class T>
struct is_eigen_vector : std::false_type {};
template <class S, int R, int O, int MR>
struct is_eigen_vector<Eigen::Matrix<S, R, 1, O, MR, 1>> : std::true_type {};

[[noreturn]] inline void json_fail(std::string_view path, const std::string& what) {
  throw io_error("rnnlab::io::from_json: field '" + std::string(path) + "': " + what);
}

/// JSON of one value (NaN and nullopt as null).
template <class M>
nlohmann::json value_to_json(const M& v) {
  if constexpr (std::is_floating_point_v<M>) {
    return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
  } else if constexpr (is_optional<M>::value) {
    return v ? value_to_json(*v) : nlohmann::json(nullptr);
  } else if constexpr (is_std_vector<M>::value) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& e : v) a.push_back(value_to_json(e));
    return a;
  } else if constexpr (is_eigen_vector<M>::value) {
    nlohmann::json a = nlohmann::json::array();
    for (Index i = 0; i < v.size(); ++i) a.push_back(value_to_json(v(i)));
    return a;
  } else if constexpr (is_string_map<M>::value) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& [key, e] : v) o[key] = value_to_json(e);
    return o;
  } else {
    return nlohmann::json(v);
  }
}

template <class M>
void value_from_json(const nlohmann::json& j, M& v, const std::string& path);

template <class M>
std::string_view expected_kind() {
  if constexpr (std::is_same_v<M, bool>) return "a boolean";
  else if constexpr (std::is_floating_point_v<M>) return "a number or null";
  else if constexpr (std::is_integral_v<M> && std::is_unsigned_v<M>) return "a non-negative integer";
  else if constexpr (std::is_integral_v<M>) return "an integer";
  else if constexpr (std::is_same_v<M, std::string>) return "a string";
  else if constexpr (NamedEnum<M>) return "a name (string)";
  else if constexpr (is_optional<M>::value) return "a value or null";
  else if constexpr (is_std_vector<M>::value || is_eigen_vector<M>::value) return "an array";
  else if constexpr (std::is_same_v<M, param_set>) return "an array of parameter group names";
  else if constexpr (is_string_map<M>::value) return "an object of named values";
  else return "an object";
}

template <class M>
void value_from_json(const nlohmann::json& j, M& v, const std::string& path) {
  const auto wrong = [&] {
    json_fail(path, "expected " + std::string(expected_kind<M>()) + ", got " + std::string(j.type_name()) + " " +
                        j.dump());
  };
  if constexpr (std::is_same_v<M, bool>) {
    if (!j.is_boolean()) wrong();
    v = j.get<bool>();
  } else if constexpr (std::is_floating_point_v<M>) {
    if (j.is_null()) v = std::numeric_limits<M>::quiet_NaN();
    else if (j.is_number()) v = j.get<M>();
    else wrong();
  } else if constexpr (std::is_integral_v<M>) {
    if (!j.is_number_integer() || (std::is_unsigned_v<M> && !j.is_number_unsigned())) wrong();
    if constexpr (std::is_unsigned_v<M>) {
      const auto u = j.get<std::uint64_t>();
      if constexpr (sizeof(M) < sizeof(std::uint64_t))
        if (u > std::numeric_limits<M>::max()) json_fail(path, "value " + j.dump() + " out of range");
      v = static_cast<M>(u);
    } else {
      if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        json_fail(path, "value " + j.dump() + " out of range");
      const auto s = j.get<std::int64_t>();
      if constexpr (sizeof(M) < sizeof(std::int64_t))
        if (s < std::numeric_limits<M>::min() || s > std::numeric_limits<M>::max())
          json_fail(path, "value " + j.dump() + " out of range");
      v = static_cast<M>(s);
    }
  } else if constexpr (std::is_same_v<M, std::string>) {
    if (!j.is_string()) wrong();
    v = j.get<std::string>();
  } else if constexpr (NamedEnum<M>) {
    if (!j.is_string()) wrong();
    const auto name = j.get<std::string>();
    bool found = false;
    for (const auto& [value, n] : enum_names(M{}))
      if (n == name) v = value, found = true;
    if (!found) json_fail(path, "expected one of " + valid_names<M>() + ", got '" + name + "'");
  } else if constexpr (is_optional<M>::value) {
    if (j.is_null()) {
      v.reset();
    } else {
      typename M::value_type inner{};
      value_from_json(j, inner, path);
      v = inner;
    }
  } else if constexpr (is_std_vector<M>::value || is_eigen_vector<M>::value) {
    if (!j.is_array()) wrong();
    M out;
    if constexpr (is_std_vector<M>::value) out.resize(j.size());
    else out.resize(static_cast<Index>(j.size()));
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string at = path + "[" + std::to_string(i) + "]";
      if constexpr (is_std_vector<M>::value) value_from_json(j[i], out[i], at);
      else value_from_json(j[i], out(static_cast<Index>(i)), at);
    }
    v = std::move(out);
  } else if constexpr (is_string_map<M>::value) {
    if (!j.is_object()) wrong();
    M out;
    for (const auto& [key, e] : j.items()) value_from_json(e, out[key], path + "." + key);
    v = std::move(out);
  } else if constexpr (std::is_same_v<M, param_set>) {
    if (!j.is_array()) wrong();
    param_set s;
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (!j[i].is_string()) json_fail(path + "[" + std::to_string(i) + "]", "expected a parameter group name");
      param p{};
      value_from_json(j[i], p, path + "[" + std::to_string(i) + "]");
      s.insert(p);
    }
    v = s;
  } else if constexpr (JsonDescribed<M>) {
    if (!j.is_object()) wrong();
    read_members(j, v, path);
  } else {
    static_assert(JsonDescribed<M>, "rnnlab::io: no JSON description for this member type");
  }
}

}  // namespace detail

/// Writes the members of a described struct into the object `j`.
template <JsonDescribed T>
void write_members(nlohmann::json& j, const T& v) {
  j = nlohmann::json::object();
  std::apply([&](const auto&... m) { ((j[std::string(m.key)] = detail::value_to_json(v.*(m.ptr))), ...); },
             json_schema<T>::members());
}

template <JsonDescribed T>
void read_members(const nlohmann::json& j, T& v, const std::string& path) {
  if (!j.is_object()) detail::json_fail(path, "expected an object, got " + std::string(j.type_name()));
  constexpr auto members = json_schema<T>::members();
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();  // not a structured binding: clang 14 cannot capture one in a lambda
    bool known = false;
    std::apply([&](const auto&... m) { ((known = known || m.key == key), ...); }, members);
    if (!known) {
      std::string valid;
      std::apply([&](const auto&... m) { ((valid += (valid.empty() ? "" : ", ") + std::string(m.key)), ...); }, members);
      detail::json_fail(path + "." + key, "unknown field (" + std::string(json_schema<T>::name) + " has " + valid + ")");
    }
  }
  std::apply(
      [&](const auto&... m) {
        (
            [&] {
              const std::string key(m.key);
              if (!j.contains(key)) detail::json_fail(path + "." + key, "missing");
              detail::value_from_json(j.at(key), v.*(m.ptr), path + "." + key);
            }(),
            ...);
      },
      members);
}

// ---------------------------------------------------------------------------------------------
// The descriptions. Member lists follow the structs' declarations.

#define RNNLAB_JSON_SCHEMA(Type, ...)                                                  \
  template <>                                                                          \
  struct json_schema<Type> {                                                           \
    static constexpr std::string_view name = #Type;                                    \
    static constexpr auto members() { using S = Type; return std::make_tuple(__VA_ARGS__); } \
  }
#define RNNLAB_M(field) member(#field, &S::field)

// core
RNNLAB_JSON_SCHEMA(init_spec, RNNLAB_M(w_rec_std), RNNLAB_M(w_in_std), RNNLAB_M(w_out_std), RNNLAB_M(x0_std),
                   RNNLAB_M(b_std), RNNLAB_M(b_out_std));
RNNLAB_JSON_SCHEMA(ctrnn_config, RNNLAB_M(n_units), RNNLAB_M(alpha), RNNLAB_M(readout), RNNLAB_M(init));
RNNLAB_JSON_SCHEMA(simulate_options, RNNLAB_M(record_states));
RNNLAB_JSON_SCHEMA(shard_options, RNNLAB_M(shards), RNNLAB_M(threads));

// tasks
RNNLAB_JSON_SCHEMA(noise_level, RNNLAB_M(value), RNNLAB_M(convention));
RNNLAB_JSON_SCHEMA(loss_window, RNNLAB_M(fixation_steps), RNNLAB_M(decision_steps));
RNNLAB_JSON_SCHEMA(validation_set_params, RNNLAB_M(n_trials), RNNLAB_M(n_levels), RNNLAB_M(max_coherence));
#define RNNLAB_EVIDENCE_MEMBERS                                                                          \
  RNNLAB_M(n_steps), RNNLAB_M(coherence_max), RNNLAB_M(noise), RNNLAB_M(shared_magnitude), RNNLAB_M(loss), \
      RNNLAB_M(evidence_off_step), RNNLAB_M(zero_label), RNNLAB_M(validation), RNNLAB_M(convention)
RNNLAB_JSON_SCHEMA(evidence_params, RNNLAB_EVIDENCE_MEMBERS);
RNNLAB_JSON_SCHEMA(rdm_params, RNNLAB_EVIDENCE_MEMBERS);
RNNLAB_JSON_SCHEMA(context_integration_params, RNNLAB_EVIDENCE_MEMBERS, RNNLAB_M(n_contexts));
#undef RNNLAB_EVIDENCE_MEMBERS

// learning
RNNLAB_JSON_SCHEMA(adam, RNNLAB_M(learning_rate), RNNLAB_M(beta1), RNNLAB_M(beta2), RNNLAB_M(epsilon));
RNNLAB_JSON_SCHEMA(sgd, RNNLAB_M(learning_rate), RNNLAB_M(momentum));
RNNLAB_JSON_SCHEMA(loss_spec, RNNLAB_M(kind), RNNLAB_M(normalization));
RNNLAB_JSON_SCHEMA(gradient_options, RNNLAB_M(params), RNNLAB_M(loss), RNNLAB_M(shards), RNNLAB_M(threads));
RNNLAB_JSON_SCHEMA(initial_state_policy, RNNLAB_M(mode), RNNLAB_M(stddev));
RNNLAB_JSON_SCHEMA(stopping_criterion, RNNLAB_M(rule), RNNLAB_M(accuracy), RNNLAB_M(window), RNNLAB_M(metric),
                   RNNLAB_M(max_loss), RNNLAB_M(loss));
RNNLAB_JSON_SCHEMA(train_options, RNNLAB_M(stop), RNNLAB_M(max_updates), RNNLAB_M(max_trials), RNNLAB_M(max_seconds),
                   RNNLAB_M(validate_every), RNNLAB_M(validation), RNNLAB_M(validation_trials),
                   RNNLAB_M(validation_x0_std), RNNLAB_M(seed), RNNLAB_M(progress), RNNLAB_M(checkpoint_every),
                   RNNLAB_M(evaluation));
RNNLAB_JSON_SCHEMA(training_report, RNNLAB_M(status), RNNLAB_M(reason), RNNLAB_M(score_name), RNNLAB_M(updates),
                   RNNLAB_M(trials), RNNLAB_M(wall_seconds), RNNLAB_M(validation_seconds), RNNLAB_M(final_accuracy),
                   RNNLAB_M(loss_history), RNNLAB_M(validation_updates), RNNLAB_M(accuracy_history),
                   RNNLAB_M(validation_loss_history));

/// The BPTT rule over any described optimizer.
template <class Opt>
  requires JsonDescribed<Opt>
struct json_schema<bptt<Opt>> {
  static constexpr std::string_view name = "bptt";
  static constexpr auto members() {
    using S = bptt<Opt>;
    return std::make_tuple(RNNLAB_M(optimizer), RNNLAB_M(params), RNNLAB_M(loss), RNNLAB_M(batch_size),
                           RNNLAB_M(initial_state), RNNLAB_M(shards), RNNLAB_M(threads));
  }
};

RNNLAB_JSON_SCHEMA(genetic, RNNLAB_M(population_size), RNNLAB_M(parents), RNNLAB_M(elites), RNNLAB_M(mutation_std),
                   RNNLAB_M(loss), RNNLAB_M(batch_size), RNNLAB_M(initial_state), RNNLAB_M(initial_population),
                   RNNLAB_M(init), RNNLAB_M(threads));

// analysis
RNNLAB_JSON_SCHEMA(fixed_point_params, RNNLAB_M(tolerance), RNNLAB_M(max_iterations), RNNLAB_M(max_backtracks),
                   RNNLAB_M(dedup_tolerance), RNNLAB_M(capture), RNNLAB_M(pilot_stride), RNNLAB_M(merge_radius),
                   RNNLAB_M(slow_q_threshold), RNNLAB_M(slow_dedup_tolerance), RNNLAB_M(stationarity_tolerance),
                   RNNLAB_M(stall_decrease), RNNLAB_M(stall_window), RNNLAB_M(minimum_capture_radius),
                   RNNLAB_M(marginal_tolerance), RNNLAB_M(n_slow_modes), RNNLAB_M(classify), RNNLAB_M(chord_steps),
                   RNNLAB_M(use_symmetry), RNNLAB_M(n_threads));
RNNLAB_JSON_SCHEMA(continuation_params, RNNLAB_M(s_min), RNNLAB_M(s_max), RNNLAB_M(initial_step), RNNLAB_M(min_step),
                   RNNLAB_M(max_step), RNNLAB_M(max_steps), RNNLAB_M(tolerance), RNNLAB_M(max_corrector_iterations),
                   RNNLAB_M(fold_tolerance), RNNLAB_M(classify), RNNLAB_M(marginal_tolerance));
RNNLAB_JSON_SCHEMA(integration_params, RNNLAB_M(n_starts), RNNLAB_M(box_half_width), RNNLAB_M(coherence),
                   RNNLAB_M(pulse_steps), RNNLAB_M(relax_steps), RNNLAB_M(attractor_tolerance), RNNLAB_M(seed),
                   RNNLAB_M(fixed_points));
RNNLAB_JSON_SCHEMA(topology_signature_params, RNNLAB_M(n_neighbours), RNNLAB_M(n_roots), RNNLAB_M(label),
                   RNNLAB_M(context_scale));
RNNLAB_JSON_SCHEMA(topology_distance_params, RNNLAB_M(n_neighbours), RNNLAB_M(value_scale), RNNLAB_M(context_cost),
                   RNNLAB_M(stability_cost), RNNLAB_M(neighbour_weight), RNNLAB_M(unmatched_cost));
RNNLAB_JSON_SCHEMA(svcca_probe_params, RNNLAB_M(n_levels), RNNLAB_M(max_level), RNNLAB_M(n_steps));
RNNLAB_JSON_SCHEMA(activity_params, RNNLAB_M(kind), RNNLAB_M(x0_std), RNNLAB_M(drop_units));
RNNLAB_JSON_SCHEMA(pca_params, RNNLAB_M(variance_threshold), RNNLAB_M(rank_tolerance), RNNLAB_M(max_components));
RNNLAB_JSON_SCHEMA(cca_params, RNNLAB_M(epsilon), RNNLAB_M(rank_tolerance));
RNNLAB_JSON_SCHEMA(cka_params, RNNLAB_M(debiased));
RNNLAB_JSON_SCHEMA(svcca_params, RNNLAB_M(variance_threshold), RNNLAB_M(epsilon), RNNLAB_M(summary),
                   RNNLAB_M(rank_tolerance));
RNNLAB_JSON_SCHEMA(distance_matrix_params, RNNLAB_M(metric), RNNLAB_M(svcca), RNNLAB_M(reduction),
                   RNNLAB_M(cca_epsilon), RNNLAB_M(cka_debiased), RNNLAB_M(n_threads));
RNNLAB_JSON_SCHEMA(classical_mds_params, RNNLAB_M(dimensions));
RNNLAB_JSON_SCHEMA(smacof_params, RNNLAB_M(dimensions), RNNLAB_M(n_init), RNNLAB_M(max_iterations),
                   RNNLAB_M(tolerance), RNNLAB_M(classical_start));
RNNLAB_JSON_SCHEMA(silhouette_params, RNNLAB_M(metric));
RNNLAB_JSON_SCHEMA(silhouette_permutation_params, RNNLAB_M(metric), RNNLAB_M(n_permutations));
// results (scalars and short vectors; matrices go to .npy)
RNNLAB_JSON_SCHEMA(cca_result, RNNLAB_M(status), RNNLAB_M(correlations), RNNLAB_M(rank_x), RNNLAB_M(rank_y));
RNNLAB_JSON_SCHEMA(svcca_result, RNNLAB_M(status), RNNLAB_M(similarity), RNNLAB_M(correlations), RNNLAB_M(weights),
                   RNNLAB_M(k_x), RNNLAB_M(k_y));
RNNLAB_JSON_SCHEMA(cka_result, RNNLAB_M(status), RNNLAB_M(similarity));
RNNLAB_JSON_SCHEMA(procrustes_result, RNNLAB_M(status), RNNLAB_M(similarity), RNNLAB_M(angle), RNNLAB_M(euclidean));
RNNLAB_JSON_SCHEMA(silhouette_result, RNNLAB_M(score), RNNLAB_M(samples), RNNLAB_M(clusters),
                   RNNLAB_M(cluster_scores));
RNNLAB_JSON_SCHEMA(silhouette_permutation_result, RNNLAB_M(observed), RNNLAB_M(p_value), RNNLAB_M(n_permutations),
                   RNNLAB_M(n_at_least), RNNLAB_M(null_mean), RNNLAB_M(null_std));

#undef RNNLAB_M
#undef RNNLAB_JSON_SCHEMA

/// Every struct this header describes (the round-trip tests iterate over it).
using json_described_types =
    std::tuple<init_spec, ctrnn_config, simulate_options, shard_options, noise_level, loss_window, evidence_params,
               rdm_params, context_integration_params, validation_set_params, adam, sgd, loss_spec, gradient_options,
               initial_state_policy, stopping_criterion, train_options, training_report, bptt<adam>, bptt<sgd>, genetic,
               fixed_point_params, continuation_params, integration_params, topology_signature_params,
               topology_distance_params, svcca_probe_params, activity_params, pca_params, cca_params, cka_params,
               svcca_params, distance_matrix_params, classical_mds_params, smacof_params, silhouette_params,
               silhouette_permutation_params, cca_result, svcca_result, cka_result, procrustes_result,
               silhouette_result, silhouette_permutation_result>;

}  // namespace rnnlab::io

namespace rnnlab {

/// nlohmann_json's hook for every described struct (found by argument-dependent lookup).
template <io::JsonDescribed T>
void to_json(nlohmann::json& j, const T& v) {
  io::write_members(j, v);
}
template <io::JsonDescribed T>
void from_json(const nlohmann::json& j, T& v) {
  io::read_members(j, v);
}

/// Enums as their names (rnnlab/names.hpp); an unknown name is an io_error listing the valid ones.
template <NamedEnum E>
void to_json(nlohmann::json& j, E e) {
  j = std::string(to_name(e));
}
template <NamedEnum E>
void from_json(const nlohmann::json& j, E& e) {
  io::detail::value_from_json(j, e, "enum");
}

/// A set of parameter groups as an array of names.
inline void to_json(nlohmann::json& j, const param_set& s) {
  j = nlohmann::json::array();
  for (param p : all_params)
    if (s.contains(p)) j.push_back(std::string(to_name(p)));
}
inline void from_json(const nlohmann::json& j, param_set& s) { io::detail::value_from_json(j, s, "param_set"); }

}  // namespace rnnlab

namespace rnnlab::io {
using rnnlab::from_json;
using rnnlab::to_json;
}  // namespace rnnlab::io
