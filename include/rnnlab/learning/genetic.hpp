#pragma once
/// \file learning/genetic.hpp
/// The genetic algorithm (GA) of McMahan et al. 2021 Sec. 2.3 (after Such et al. 2017, "Deep
/// neuroevolution"): a population of P networks evolves by truncation selection and Gaussian
/// mutation, without gradients. One `update` is one generation g:
///
///     1. members:   generation 0: P members (drawn afresh from `init`, or the given network and
///                   P − 1 mutants of it); generation g ≥ 1, from the K parents θ_(1) … θ_(K)
///                   of generation g − 1 (best first):
///                       θ_i = θ_(i+1)                              i < E   (elites, unmutated)
///                       θ_i = θ_(k_i) + σ_G ⊙ ε_i,  k_i ~ U{1..K}, ε_i ~ N(0, I)   E ≤ i < P
///                   with one mutation std σ_G per parameter group G (W_rec, W_in, W_out, ...;
///                   a group without a std is copied unchanged);
///     2. scoring:   one fresh batch of B trials and one set of initial states, the same for
///                   every member; L_i = masked loss of member i (learning/loss.hpp);
///     3. selection: members sorted by L_i (ascending, stable: ties keep the lower index; a
///                   non-finite loss ranks last); the K best become the parents of g + 1;
///     4. report:    the network given to `train` receives the best member θ_(1), so the trainer
///                   validates it after every generation; the update reports L_(1) and P·B trials.
///
/// Members are independent networks (copies of the trained network's structure: α, activation,
/// readout policy, clamped units) evaluated in parallel on the executor (kernels/parallel.hpp),
/// one member per task — never one block-diagonal "super network" as the reference code builds.
///
/// Randomness: the update draws one 64-bit key from the training generator per generation; member
/// i's parent choice and mutation noise come from make_stream(key, {i, training}) and its
/// generation-0 draw from make_stream(key, {i, initialization}); the batch and the initial states
/// are drawn from the training generator after the key. A generation's result therefore depends
/// only on (seed, generation, member, purpose) — never on the thread count — and a checkpoint
/// (the generator's state plus `genetic_state::serialize`) resumes bit-identically.
///
/// Presets (reference_code_spec §1.5 and the paper's text; docs/learning.md "Genetic algorithm"):
///   - `reference_code(P)`: P = 50 (RDM) or 20 (CDI / N-CDI), K = 5 parents, E = 1 elite,
///     mutation std 0.005 on W_rec, W_in, W_out, batch 500, loss = batch sum / B of the task's
///     reference loss (`loss_normalization::per_trial`), one x0 ~ N(0, 0.3²) shared by the batch
///     and the population, generation 0 drawn afresh with the reference initialisation
///     (W_in std 0.5, W_rec std 1/50, W_out std 0.1).
///   - `paper_text(N)`: 5 elites and 50 mutated children per generation (P = 55), mutation
///     N(0, 0.005) read as a variance (std √0.005 ≈ 0.0707) on every weight matrix, "lowest MSE"
///     (mean over the masked entries), x0 ~ N(0, 0.3) per trial (variance), generation 0 drawn
///     with the paper's initialisation for N units.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/concepts.hpp>
#include <rnnlab/learning/loss.hpp>
#include <rnnlab/names.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/tasks/concepts.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// How generation 0 of a genetic algorithm is made.
enum class initial_population_mode {
  /// Every member drawn independently from `genetic::init` (core/ctrnn.hpp `initialize`: W_in,
  /// W_rec, W_out, b, b_out; x0 and the network's structure copied from the trained network).
  /// The reference code's.
  fresh,
  /// Member 0 is the trained network as given; members 1 … P−1 are mutants of it (one mutation,
  /// as in later generations). For continuing from a pre-trained or hand-made network.
  network,
};

/// The names of initial_population_mode (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<initial_population_mode, std::string_view>, 2> enum_names(initial_population_mode) {
  return {{{initial_population_mode::fresh, "fresh"}, {initial_population_mode::network, "network"}}};
}

/// The parameter type of a network (what `net.parameters()` returns, without reference or const).
template <class Net>
using network_parameters_t = std::remove_cvref_t<decltype(std::declval<Net&>().parameters())>;

/// The per-run state of `genetic`: the parents of the next generation and the generation count.
/// The population itself is rebuilt from the parents at the start of every update.
template <class Params>
struct genetic_state {
  using scalar_type = typename Params::scalar_type;
  using matrix_type = Eigen::Matrix<scalar_type, Eigen::Dynamic, Eigen::Dynamic>;

  std::int64_t generation = 0;       ///< generations evaluated so far
  std::vector<Params> parents;       ///< the K best members of the last generation, best first
  std::vector<double> parent_losses; ///< their losses on that generation's batch

  // Scratch, rewritten by every update.
  std::vector<Params> population;  ///< the P members of the current generation
  std::vector<double> losses;      ///< L_i of the current generation
  std::vector<Index> order;        ///< member indices sorted by loss
  matrix_type x0;                  ///< the generation's initial states (N × 1 or N × B)

  /// What a checkpoint stores: the generation count, the parents and their losses (the
  /// population is rebuilt from them; the generator's state is stored by the checkpoint).
  template <class Ar>
  void serialize(Ar& ar) {
    ar(generation);
    std::uint64_t k = parents.size();
    ar(k);
    if (k != parents.size())
      throw io_error(detail::concat("rnnlab::genetic_state::serialize: a checkpoint with ", k,
                                    " parents where the rule has ", parents.size(),
                                    " (a checkpoint of another rule or hyper-parameters)"));
    for (auto& p : parents) ar(p);
    ar(parent_losses);
  }
};

/// The genetic algorithm (see the file comment). A cheap value of hyper-parameters.
struct genetic {
  Index population_size = 50;  ///< P: members per generation, elites included
  Index parents = 5;           ///< K: the best members of a generation that breed the next
  Index elites = 1;            ///< E ≤ K: the best parents copied unmutated into the next generation
  /// σ_G per parameter group name (W_rec, W_in, W_out, b, b_out, x0, W_fb, or another model's
  /// group): the standard deviation of the Gaussian noise added to every entry of G. A group not
  /// listed is inherited unchanged.
  std::map<std::string, double> mutation_std{{"W_rec", 0.005}, {"W_in", 0.005}, {"W_out", 0.005}};
  loss_spec loss{loss_kind::mse, loss_normalization::per_trial};  ///< the score of a member on a batch
  Index batch_size = 500;  ///< B: trials of the one batch every member of a generation is scored on
  /// Initial states of the scoring trials (shared by every member of a generation).
  initial_state_policy initial_state = initial_state_policy::reference_code();
  initial_population_mode initial_population = initial_population_mode::fresh;
  init_spec init = init_spec::reference_code();  ///< generation 0's distribution (mode fresh)
  thread_count threads = 0;  ///< threads evaluating members; 0 = automatic (never changes the result)

  /// The published code (reference_code_spec §1.5): population 50 for RDM, 20 for CDI / N-CDI
  /// (`train_models.py`); 5 parents; 1 elite; mutation std 0.005 on W_rec, W_in, W_out; batch
  /// 500; loss = (batch sum of the task's reference loss) / 500; one x0 ~ N(0, 0.3²) shared by
  /// the batch and the population; generation 0 drawn with the reference initialisation.
  static genetic reference_code(Index population = 50) {
    genetic r;
    r.population_size = population;
    return r;
  }

  /// The paper's text (Sec. 2.3): the 5 best breed 50 mutants and are kept unmutated too (P = 55
  /// from generation 1; generation 0 has 55 members here, not the text's 50); noise N(0, 0.005)
  /// read as a variance on every weight matrix; "lowest MSE" (mean over masked entries); x0 ~
  /// N(0, 0.3) per trial (variance); generation 0 with the paper's initialisation (Sec. 2.1) for
  /// `n_units` units.
  static genetic paper_text(Index n_units = 50) {
    genetic r;
    r.population_size = 55;
    r.parents = 5;
    r.elites = 5;
    const double s = std::sqrt(0.005);
    r.mutation_std = {{"W_rec", s}, {"W_in", s}, {"W_out", s}};
    r.loss = loss_spec::paper_text();
    r.initial_state = initial_state_policy::paper_text();
    r.init = init_spec::paper_text(n_units);
    return r;
  }

  /// The population the reference code uses for a task with `n_contexts` contexts: 50 for RDM
  /// (1 context), 20 for CDI and N-CDI.
  static Index reference_population(int n_contexts) { return n_contexts <= 1 ? 50 : 20; }

  /// Throws argument_error naming the field, the expected and the actual value.
  void validate() const {
    constexpr std::string_view fn = "rnnlab::genetic::validate";
    require(population_size >= 2, fn, "population_size", ">= 2 (at least one elite or parent and one child)",
            population_size);
    require(parents >= 1 && parents <= population_size, fn, "parents",
            detail::concat("a count in [1, population_size = ", population_size, "]"), parents);
    require(elites >= 0 && elites <= parents, fn, "elites", detail::concat("a count in [0, parents = ", parents, "]"),
            elites);
    require(elites < population_size, fn, "elites",
            detail::concat("< population_size = ", population_size, " (at least one mutated child)"), elites);
    require(!mutation_std.empty(), fn, "mutation_std", "at least one parameter group with a std",
            "an empty map");
    bool any = false;
    for (const auto& [group, s] : mutation_std) {
      require(!group.empty(), fn, "mutation_std", "non-empty group names", "an empty name");
      require(std::isfinite(s) && s >= 0, fn, detail::concat("mutation_std[", group, "]"), "a finite std >= 0", s);
      any = any || s > 0;
    }
    require(any, fn, "mutation_std", "some group with a std > 0 (else no child ever differs)", "all zero");
    require(batch_size >= 1, fn, "batch_size", ">= 1", batch_size);
    require(std::isfinite(initial_state.stddev) && initial_state.stddev >= 0, fn, "initial_state.stddev",
            "a finite value >= 0", initial_state.stddev);
    require(threads >= 0, fn, "threads", ">= 0 (0 = automatic)", threads);
    if (initial_population == initial_population_mode::fresh) init.validate();
  }

  /// The state for `net`: room for K parents and P members of the network's shapes. Throws
  /// argument_error (before any work) for a mutation group the network does not have (or has
  /// empty, as W_fb without output feedback).
  template <Network Net>
  genetic_state<network_parameters_t<Net>> make_state(const Net& net) const {
    validate();
    using P = network_parameters_t<Net>;
    static_assert(ParameterGroups<P>, "rnnlab::genetic: the network's parameters must expose named groups "
                                      "(learning/concepts.hpp ParameterGroups)");
    const P& p = net.parameters();
    for (const auto& entry : mutation_std) {
      bool found = false;
      for (const auto& g : p.groups())
        if (g.name == entry.first && g.values.size() > 0) found = true;
      std::string names;
      for (const auto& g : p.groups())
        if (g.values.size() > 0) names += (names.empty() ? "" : ", ") + std::string(g.name);
      require(found, "rnnlab::genetic::make_state", "mutation_std",
              "groups of the network (" + names + ")", "'" + entry.first + "'");
    }
    genetic_state<P> s;
    s.parents.assign(static_cast<std::size_t>(parents), p);
    s.parent_losses.assign(static_cast<std::size_t>(parents), std::numeric_limits<double>::quiet_NaN());
    s.population.assign(static_cast<std::size_t>(population_size), p);
    s.losses.assign(static_cast<std::size_t>(population_size), 0.0);
    s.order.resize(static_cast<std::size_t>(population_size));
    return s;
  }

  /// One generation (see the file comment): builds the members from the parents, scores them on
  /// one fresh batch in parallel, keeps the K best as parents and puts the best into `net`.
  /// Returns the best loss and P·B trials. A generation whose every member has a non-finite loss
  /// reports that loss (the trainer then reports divergence and restores `net`).
  template <Network Net, class T, class G>
    requires TaskFor<T, Net>
  update_result update(Net& net, genetic_state<network_parameters_t<Net>>& state, const T& task, G& g) const;

  /// Member i of generation `generation` built from the parents (or, for generation 0, from the
  /// network `base`) with the key of that generation: what `update` evaluates. Exposed for tests.
  template <Network Net, class Params>
  void make_member(const Net& base, const std::vector<Params>& parent_set, std::int64_t generation,
                   std::uint64_t key, Index i, Params& out) const;

  /// Adds σ_G ε (ε ~ N(0, 1) per entry) to every group of `p` listed in `mutation_std`, drawing
  /// the groups in the order of `p.groups()` and each group's entries in storage order.
  template <class Params, class Gen>
  void mutate(Params& p, Gen& gen) const {
    for (auto group : p.groups()) {
      const auto it = mutation_std.find(std::string(group.name));
      if (it == mutation_std.end() || it->second == 0) continue;
      using S = typename Params::scalar_type;
      S* v = group.values.data();
      for (Index j = 0; j < group.values.size(); ++j)
        v[j] += static_cast<S>(it->second * standard_normal(gen));
    }
  }
};

// LearningRule<genetic, Net, Task> for every shipped task: tests/static/learning.cpp.

// ---------------------------------------------------------------------------------------------
// Definitions

template <Network Net, class Params>
void genetic::make_member(const Net& base, const std::vector<Params>& parent_set, std::int64_t generation,
                          std::uint64_t key, Index i, Params& out) const {
  const auto id = static_cast<std::uint64_t>(i);
  if (generation == 0) {
    if (initial_population == initial_population_mode::fresh) {
      auto gi = make_stream(key, {id, static_cast<std::uint64_t>(stream_purpose::initialization)});
      if constexpr (requires(Net& n) { initialize(n, init, gi); }) {
        Net copy = base;
        initialize(copy, init, gi);
        out = copy.parameters();
      } else {
        static_assert(requires(Net& n) { initialize(n, init, gi); },
                      "rnnlab::genetic: initial_population_mode::fresh needs initialize(net, init_spec, rng) for "
                      "this network type; use initial_population_mode::network");
      }
      return;
    }
    out = base.parameters();
    if (i == 0) return;
    auto gm = make_stream(key, {id, static_cast<std::uint64_t>(stream_purpose::training)});
    mutate(out, gm);
    return;
  }
  if (i < elites) {
    out = parent_set[static_cast<std::size_t>(i)];
    return;
  }
  auto gm = make_stream(key, {id, static_cast<std::uint64_t>(stream_purpose::training)});
  const auto k = uniform_index(gm, static_cast<std::uint64_t>(parent_set.size()));
  out = parent_set[static_cast<std::size_t>(k)];
  mutate(out, gm);
}

template <Network Net, class T, class G>
  requires TaskFor<T, Net>
update_result genetic::update(Net& net, genetic_state<network_parameters_t<Net>>& state, const T& task,
                              G& g) const {
  constexpr std::string_view fn = "rnnlab::genetic::update";
  using Scalar = typename Net::scalar_type;
  check_task_fits(task, net, fn);
  const auto P = static_cast<std::size_t>(population_size);
  require(state.population.size() == P && state.parents.size() == static_cast<std::size_t>(parents), fn, "state",
          "a state made by this rule's make_state",
          detail::concat(state.population.size(), " members and ", state.parents.size(), " parents"));

  // 1. The generation's key, batch and initial states (all members see the same).
  const std::uint64_t key = g();
  const auto batch = task.template sample<Scalar>(batch_size, g);
  const Index N = net.n_units(), B = batch.n_trials(), T_ = batch.n_steps(), O = net.n_outputs();
  const init_spec x0_spec{0, 0, 0, initial_state.stddev, 0, 0};
  switch (initial_state.mode) {
    case initial_state_mode::network: state.x0.resize(0, 0); break;  // each member's own x0
    case initial_state_mode::shared_random: state.x0 = draw_initial_states<Scalar>(x0_spec, N, 1, g); break;
    case initial_state_mode::per_trial_random: state.x0 = draw_initial_states<Scalar>(x0_spec, N, B, g); break;
  }

  // 2. Build and score every member, one member per task on the executor. Per-worker scratch: a
  // copy of the network (its structure; parameters replaced per member), a workspace and outputs.
  const double work = static_cast<double>(population_size) * static_cast<double>(N) *
                      static_cast<double>(N + net.n_inputs()) * static_cast<double>(B * T_);
  const int n_workers = resolve_threads(threads, population_size, work_estimate{work});
  struct worker_scratch {
    Net member;
    typename Net::workspace_type ws;
    sequence<Scalar> outputs;
  };
  std::vector<worker_scratch> scratch;
  scratch.reserve(static_cast<std::size_t>(n_workers));
  for (int w = 0; w < n_workers; ++w) scratch.push_back({net, {}, {}});
  const std::int64_t generation = state.generation;
  parallel_dynamic(population_size, n_workers, 1, [&](int w, Index i) {
    auto& s = scratch[static_cast<std::size_t>(w)];
    auto& theta = state.population[static_cast<std::size_t>(i)];
    make_member(net, state.parents, generation, key, i, theta);
    s.member.parameters() = theta;
    if constexpr (requires { s.member.run(s.ws, batch.inputs, Index{0}, s.outputs); }) {
      // The CTRNN's fused loop (the loop of simulate), on buffers reused across members.
      if (s.ws.batch_size() != B) s.ws = s.member.make_workspace(B);
      if (s.outputs.shape(0) != T_ || s.outputs.shape(1) != B || s.outputs.shape(2) != O)
        s.outputs = sequence<Scalar>({T_, B, O});
      if (state.x0.size() == 0)
        s.member.reset(s.ws, theta.x0);
      else
        s.member.reset(s.ws, state.x0);
      s.member.run(s.ws, batch.inputs, Index{0}, s.outputs);
    } else if constexpr (requires { s.member.simulate(batch.inputs, state.x0); }) {
      s.outputs = state.x0.size() == 0 ? s.member.simulate(batch.inputs).outputs
                                       : s.member.simulate(batch.inputs, state.x0).outputs;
    } else {
      s.outputs = s.member.simulate(batch.inputs).outputs;
    }
    state.losses[static_cast<std::size_t>(i)] = masked_loss(s.outputs, batch, loss);
  });

  // 3. Selection: stable ascending order, non-finite losses last.
  std::iota(state.order.begin(), state.order.end(), Index{0});
  const auto rank = [&](Index i) {
    const double L = state.losses[static_cast<std::size_t>(i)];
    return std::isfinite(L) ? L : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(state.order.begin(), state.order.end(), [&](Index a, Index b) { return rank(a) < rank(b); });
  for (std::size_t k = 0; k < state.parents.size(); ++k) {
    const auto m = static_cast<std::size_t>(state.order[k]);
    state.parents[k] = state.population[m];
    state.parent_losses[k] = state.losses[m];
  }
  ++state.generation;

  // 4. The best member is the network the trainer validates.
  net.parameters() = state.parents.front();
  return {population_size * B, state.parent_losses.front()};
}

}  // namespace rnnlab
