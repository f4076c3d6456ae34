// Every shipped task × learning rule × analysis, instantiated together: building this file is the
// test. A combination that stops compiling here is a broken seam (DESIGN.md: "any task × any rule ×
// any analysis must compile and run together"). The functions are never called; each instantiates
// the whole pipeline for one combination: sample → train → fixed points → activity on the SVCCA
// probes → distance matrix over every metric policy → embedding, and the per-step API.
#include <rnnlab/rnnlab.hpp>

#include <span>
#include <vector>

namespace rnnlab::static_checks_combinations {

template <class Net, class Task, class Rule>
void pipeline(Net& net, const Task& task, const Rule& rule, rng& g) {
  static_assert(LearningRule<Rule, Net, Task>);
  static_assert(TaskFor<Task, Net>);
  using S = typename Net::scalar_type;
  // learning: the generic loop with its callbacks
  train_options options;
  options.max_updates = 1;
  const training_report report = train(net, task, rule, options);
  (void)report;
  // the task's own evaluation
  const auto validation = task.template validation_set<S>(g);
  const auto outputs = simulate_sharded(net, validation.inputs, net.parameters().x0);
  (void)task.score(outputs, validation);
  // the per-step API with an observer
  auto ws = net.make_workspace(2);
  net.reset(ws, net.parameters().x0);
  const sequence<S> one_step({1, 2, task.n_inputs()});
  net.step(ws, one_step.slice(0), [](Index, const auto&, const auto&, const auto&) {});
  // dynamics: fixed points of the trained network under a zero input
  const Eigen::VectorXd u = Eigen::VectorXd::Zero(task.n_inputs());
  const auto fp = find_fixed_points(net, u, box_starts(net.n_units(), 8, 1.0, g));
  (void)fp;
  const fixed_point_system<typename Net::activation_type> system(net, u);
  static_assert(FixedPointSystem<decltype(system)>);
  // similarity: activity on the SVCCA probes, every metric policy, and an embedding
  const auto probes = svcca_probe_inputs<S>(task);
  const std::vector<Eigen::MatrixXd> activity{record_activity(net, probes, activity_params{}, g),
                                              record_activity(net, probes, activity_params{}, g)};
  const std::span<const Eigen::MatrixXd> acts(activity);
  const auto d1 = distance_matrix(acts, svcca_metric{});
  const auto d2 = distance_matrix(acts, cca_metric{});
  const auto d3 = distance_matrix(acts, cka_metric{});
  const auto d4 = distance_matrix(acts, procrustes_metric{});
  (void)d2, (void)d3, (void)d4;
  const auto mds = classical_mds(d1.distances);
  (void)mds;
}

template <class Net>
void every_task_and_rule(Net& net, rng& g) {
  const random_dots rdm(rdm_params::reference_code(1.0));
  const context_integration cdi(context_integration_params::reference_code(2));
  pipeline(net, rdm, bptt<adam>::reference_code(), g);
  pipeline(net, rdm, bptt<sgd>{}, g);
  pipeline(net, cdi, bptt<adam>::reference_code(), g);
  pipeline(net, cdi, bptt<sgd>{}, g);
}

// One network type per scalar, with the paper's activation and the Hebbian/FORCE one.
[[maybe_unused]] void instantiate_all(ctrnn<float, activations::one_plus_tanh>& a,
                                      ctrnn<double, activations::tanh>& b, rng& g) {
  every_task_and_rule(a, g);
  every_task_and_rule(b, g);
}

}  // namespace rnnlab::static_checks_combinations
