// Tests include/rnnlab/io/serialize.hpp (JSON of every described struct and named enum) and the
// enum name tables of include/rnnlab/names.hpp.
#include <doctest/doctest.h>

#include <rnnlab/io/npy.hpp>
#include <rnnlab/io/serialize.hpp>

#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

using namespace rnnlab;
using nlohmann::json;

namespace {

// ---- enums -------------------------------------------------------------------------------------

using library_named_enums =
    std::tuple<param, readout_source, noise_convention, zero_coherence_label, accuracy_convention, stream_purpose,
               loss_kind, loss_normalization, initial_state_mode, stopping_rule, progress_display, training_status,
               similarity_status, svcca_summary, integration_mechanism, silhouette_metric, similarity_metric, fp_status,
               stability_class, continuation_status, mds_status, pca_status, activity_kind, topology_label,
               topology_status, io::npy_dtype>;

template <class Tuple, class Fn>
void for_each_listed_type(Fn&& fn) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (fn.template operator()<std::tuple_element_t<I, Tuple>>(), ...);
  }(std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

bool message_has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("every enum's table names each enumerator once, and names round-trip") {
  for_each_listed_type<library_named_enums>([]<class E>() {
    const auto values = enum_values<E>();
    CAPTURE(valid_names<E>());
    REQUIRE(values.size() >= 2);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string_view name = to_name(values[i]);
      CHECK(name != "?");
      CHECK(!name.empty());
      CHECK(from_name<E>(name) == values[i]);
      CHECK(json(values[i]) == json(std::string(name)));
      CHECK(json(values[i]).template get<E>() == values[i]);
      for (std::size_t k = 0; k < i; ++k) {
        CHECK(values[k] != values[i]);
        CHECK(to_name(values[k]) != name);
      }
    }
    // Enumerators are 0..n-1 for all but the bit flags and the 1-based stream purposes: then
    // every value in that range has a name (an enumerator missing from its table is caught).
    if constexpr (!std::is_same_v<E, param> && !std::is_same_v<E, stream_purpose>) {
      for (std::size_t i = 0; i < values.size(); ++i) CHECK(to_name(static_cast<E>(i)) != "?");
      CHECK(to_name(static_cast<E>(values.size())) == "?");
    }
  });
  // The bit flags: one name per bit of all_params.
  CHECK(enum_values<param>().size() == all_params.size());
  CHECK(to_name(static_cast<stream_purpose>(6)) == "?");
}

TEST_CASE("an unknown name is an argument_error naming the function, the argument and the valid names") {
  try {
    (void)from_name<loss_kind>("mae", "rnnlab train", "--loss");
    FAIL("accepted");
  } catch (const argument_error& e) {
    const std::string what = e.what();
    CHECK(message_has(what, "rnnlab train"));
    CHECK(message_has(what, "--loss"));
    CHECK(message_has(what, "mse, cross_entropy"));
    CHECK(message_has(what, "'mae'"));
  }
  CHECK(from_name<noise_convention>("std") == noise_convention::stddev);  // the CLI's spelling
  CHECK(to_name(similarity_metric::procrustes) == "procrustes");
  CHECK(valid_names<readout_source>(" | ") == "rates | state");
  CHECK_THROWS_AS(json("sideways").get<readout_source>(), io_error);
  CHECK_THROWS_AS(json(3).get<readout_source>(), io_error);
}

// ---- structs -----------------------------------------------------------------------------------

namespace {

/// Changes a value so that it differs from the one given (and from the default).
template <class M>
void perturb_value(M& v) {
  using io::detail::is_eigen_vector;
  using io::detail::is_optional;
  using io::detail::is_std_vector;
  if constexpr (std::is_same_v<M, bool>) {
    v = !v;
  } else if constexpr (std::is_floating_point_v<M>) {
    v = std::isnan(v) ? M(1.25) : v + M(0.5);
  } else if constexpr (std::is_integral_v<M>) {
    v = static_cast<M>(v + 3);
  } else if constexpr (std::is_same_v<M, std::string>) {
    v += "x";
  } else if constexpr (NamedEnum<M>) {
    const auto values = enum_values<M>();
    std::size_t i = 0;
    while (values[i] != v) ++i;
    v = values[(i + 1) % values.size()];
  } else if constexpr (is_optional<M>::value) {
    typename M::value_type inner{};
    if (v) inner = *v;
    perturb_value(inner);
    v = inner;
  } else if constexpr (is_std_vector<M>::value) {
    typename M::value_type e{};
    perturb_value(e);
    v.push_back(e);
  } else if constexpr (is_eigen_vector<M>::value) {
    v.conservativeResize(v.size() + 1);
    v(v.size() - 1) = 0.75;
  } else if constexpr (io::detail::is_string_map<M>::value) {
    v["perturbed"] = 0.5;
  } else if constexpr (std::is_same_v<M, param_set>) {
    v = v == param_set{param::b_out} ? param_set{param::x0, param::W_rec} : param_set{param::b_out};
  } else {
    static_assert(io::JsonDescribed<M>);
    std::apply([&](const auto& first, const auto&...) { perturb_value(v.*(first.ptr)); }, io::json_schema<M>::members());
  }
}

/// A JSON value of the wrong type for a field that holds `good`.
json json_of_wrong_type(const json& good) { return good.is_string() ? json(42) : json("not this"); }

template <class T>
void check_json_struct() {
  const std::string name(io::json_schema<T>::name);
  CAPTURE(name);
  const T defaults{};
  const json jd = defaults;
  REQUIRE(jd.is_object());
  CHECK(json(jd.template get<T>()) == jd);
  std::size_t n_members = 0;
  std::apply(
      [&](const auto&... m) {
        (
            [&] {
              ++n_members;
              const std::string key(m.key);
              CAPTURE(key);
              REQUIRE(jd.contains(key));
              // A changed member shows in its key and survives the round trip.
              T changed{};
              perturb_value(changed.*(m.ptr));
              const json jc = changed;
              CHECK(jc[key] != jd[key]);
              const T back = jc.template get<T>();
              CHECK(json(back) == jc);
              if constexpr (io::JsonDescribed<std::decay_t<decltype(changed.*(m.ptr))>>)
                CHECK(json(back.*(m.ptr)) == json(changed.*(m.ptr)));
              else
                CHECK(back.*(m.ptr) == changed.*(m.ptr));
              // Missing and mistyped: io_error naming the field.
              json missing = jd;
              missing.erase(key);
              try {
                (void)missing.template get<T>();
                FAIL("a missing field was accepted");
              } catch (const io_error& e) {
                CHECK(message_has(e.what(), "'" + name + "." + key + "'"));
                CHECK(message_has(e.what(), "missing"));
              }
              json mistyped = jd;
              mistyped[key] = json_of_wrong_type(jd[key]);
              try {
                (void)mistyped.template get<T>();
                FAIL("a mistyped field was accepted");
              } catch (const io_error& e) {
                CHECK(message_has(e.what(), "'" + name + "." + key));
                CHECK(message_has(e.what(), "expected"));
              }
            }(),
            ...);
      },
      io::json_schema<T>::members());
  CHECK(jd.size() == n_members);
  json unknown = jd;
  unknown["bogus_field"] = 1;
  try {
    (void)unknown.template get<T>();
    FAIL("an unknown field was accepted");
  } catch (const io_error& e) {
    CHECK(message_has(e.what(), "'" + name + ".bogus_field'"));
    CHECK(message_has(e.what(), "unknown field"));
  }
  CHECK_THROWS_AS(json::array().get<T>(), io_error);
}

}  // namespace

TEST_CASE("every described struct round-trips, member by member, and rejects missing, unknown and mistyped fields") {
  std::size_t n = 0;
  for_each_listed_type<io::json_described_types>([&]<class T>() {
    ++n;
    check_json_struct<T>();
  });
  CHECK(n == std::tuple_size_v<io::json_described_types>);
}

TEST_CASE("the JSON of presets: names, nested objects, NaN and optional as null") {
  const json rdm = rdm_params::reference_code();
  CHECK(rdm["noise"] == json{{"value", rdm_params::reference_code().noise.value}, {"convention", "std"}});
  CHECK(rdm["zero_label"] == "random_sign");
  CHECK(rdm["evidence_off_step"].is_null());
  CHECK(json(context_integration_params::paper_text(4))["n_contexts"] == 4);
  const auto rule = bptt<adam>::reference_code();
  const json jr = rule;
  CHECK(jr["params"] == json::array({"W_rec"}));
  CHECK(jr["optimizer"]["learning_rate"] == rule.optimizer.learning_rate);
  CHECK(jr["loss"]["kind"] == std::string(to_name(rule.loss.kind)));
  const auto back = jr.get<bptt<adam>>();
  CHECK(back.params == rule.params);
  CHECK(back.batch_size == rule.batch_size);
  // A report before any validation: accuracy NaN <-> null.
  training_report r;
  r.loss_history = {1.0, 0.5};
  const json jrep = r;
  CHECK(jrep["final_accuracy"].is_null());
  CHECK(jrep["status"] == "budget_exhausted");
  CHECK(std::isnan(jrep.get<training_report>().final_accuracy));
  // Nested paths in messages.
  json opt = train_options::reference_code();
  opt["stop"]["rule"] = "sometimes";
  try {
    (void)opt.get<train_options>();
    FAIL("accepted");
  } catch (const io_error& e) {
    CHECK(message_has(e.what(), "'train_options.stop.rule'"));
    CHECK(message_has(e.what(), "min_of_last, threshold, never"));
  }
  json cfg = ctrnn_config::paper_text(20);
  cfg["init"]["w_rec_std"] = "big";
  CHECK_THROWS_WITH_AS((void)cfg.get<ctrnn_config>(), doctest::Contains("'ctrnn_config.init.w_rec_std'"), io_error);
  json ps = bptt<adam>::paper_text();
  ps["params"] = json::array({"W_rec", "W_hat"});
  CHECK_THROWS_WITH_AS((void)ps.get<bptt<adam>>(), doctest::Contains("'bptt.params[1]'"), io_error);
  json neg = fixed_point_params{};
  neg["n_threads"] = 2.5;  // not an integer
  CHECK_THROWS_AS((void)neg.get<fixed_point_params>(), io_error);
  json big = distance_matrix_params{};
  big["n_threads"] = "two";  // not a number
  CHECK_THROWS_WITH_AS((void)big.get<distance_matrix_params>(), doctest::Contains("n_threads"), io_error);
  // thread_count is signed: a negative count is read as written and refused where it is used
  big["n_threads"] = -1;
  const auto neg_threads = big.get<distance_matrix_params>();
  CHECK(neg_threads.n_threads == -1);
  CHECK_THROWS_WITH_AS(neg_threads.validate(), doctest::Contains("n_threads"), argument_error);
}
