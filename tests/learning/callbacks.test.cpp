#include <doctest/doctest.h>

#include <rnnlab/learning/bptt.hpp>
#include <rnnlab/learning/callbacks.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <filesystem>
#include <fstream>

#include "../support/archetype_rule.hpp"
#include "../support/archetype_task.hpp"
#include "../support/easy_training.hpp"
#include "../support/scratch.hpp"

using namespace rnnlab;

namespace {

train_options ck_options() {
  train_options o = test::easy_options();
  o.seed = 9;
  return o;
}

struct ck_stop_at {
  Index update;
  bool stop_requested(const training_progress& p) const { return p.updates >= update; }
};

}  // namespace

TEST_CASE("a run interrupted and resumed from its checkpoint ends bit-identical to an uninterrupted one") {
  const auto task = test::easy_rdm();
  // Uninterrupted.
  auto net_a = test::easy_net(1);
  const auto a = train(net_a, task, test::easy_rule(), ck_options());
  REQUIRE(a.status == training_status::converged);
  REQUIRE(a.updates > 12);

  // Interrupted at update 7 (a callback stops the run; the checkpoint holds update 7), then
  // resumed by a new process-like run: a fresh network object from the same initialisation.
  const auto path = test::fresh("rdm.ckpt");
  auto net_b = test::easy_net(1);
  checkpoint_file ck(path, 1);
  const auto b1 = train(net_b, task, test::easy_rule(), ck_options(), ck, ck_stop_at{7});
  CHECK(b1.status == training_status::stopped);
  CHECK(b1.updates == 7);
  CHECK_FALSE(ck.resumed());
  REQUIRE(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));

  auto net_c = test::easy_net(1);
  checkpoint_file ck2(path, 5);
  const auto c = train(net_c, task, test::easy_rule(), ck_options(), ck2);
  CHECK(ck2.resumed());
  CHECK(c.status == a.status);
  CHECK(c.updates == a.updates);
  CHECK(c.trials == a.trials);
  CHECK(c.loss_history == a.loss_history);
  CHECK(c.accuracy_history == a.accuracy_history);
  CHECK(c.validation_updates == a.validation_updates);
  CHECK(c.final_accuracy == a.final_accuracy);
  CHECK(net_c.parameters() == net_a.parameters());  // bit-identical

  SUBCASE("the checkpoint of a finished run returns its report without updating") {
    auto net_d = test::easy_net(2);  // another initialisation: must be replaced by the checkpoint's
    checkpoint_file ck3(path, 1);
    const auto d = train(net_d, task, test::easy_rule(), ck_options(), ck3);
    CHECK(ck3.resumed());
    CHECK(d.status == training_status::converged);
    CHECK(d.updates == a.updates);
    CHECK(d.loss_history == a.loss_history);
    CHECK(net_d.parameters() == net_a.parameters());
  }
  SUBCASE("resume = false starts afresh") {
    auto net_e = test::easy_net(1);
    checkpoint_file ck4(path, 1, false);
    const auto e = train(net_e, task, test::easy_rule(), ck_options(), ck4, ck_stop_at{3});
    CHECK_FALSE(ck4.resumed());
    CHECK(e.updates == 3);
  }
}

TEST_CASE("a checkpoint of another network, or not a checkpoint, is an io_error naming the file") {
  const auto task = test::easy_rdm();
  const auto path = test::fresh("other.ckpt");
  {
    auto g = make_stream(1, 0, stream_purpose::initialization);
    auto net30 = make_ctrnn<float>(ctrnn_config::reference_code(30), 1, 1, g);
    checkpoint_file ck(path, 1);
    train(net30, task, test::easy_rule(), ck_options(), ck, ck_stop_at{1});
  }
  auto net20 = test::easy_net(1);
  checkpoint_file ck(path, 1);
  CHECK_THROWS_WITH_AS(train(net20, task, test::easy_rule(), ck_options(), ck), doctest::Contains("other.ckpt"), io_error);
  // A double network cannot resume a float checkpoint.
  auto gd = make_stream(1, 0, stream_purpose::initialization);
  auto netd = make_ctrnn<double>(ctrnn_config::reference_code(30), 1, 1, gd);
  CHECK_THROWS_WITH_AS(train(netd, task, test::easy_rule(), ck_options(), ck), doctest::Contains("scalar size"), io_error);
  // Garbage.
  { std::ofstream(path, std::ios::binary) << "not a checkpoint at all"; }
  CHECK_THROWS_WITH_AS(train(net20, task, test::easy_rule(), ck_options(), ck), doctest::Contains("bad magic"), io_error);
  // Truncated.
  {
    auto net = test::easy_net(1);
    checkpoint_file w(path, 1, false);
    train(net, task, test::easy_rule(), ck_options(), w, ck_stop_at{2});
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  CHECK_THROWS_WITH_AS(train(net20, task, test::easy_rule(), ck_options(), ck), doctest::Contains("truncated"), io_error);
  CHECK_THROWS_AS(checkpoint_file("", 1), argument_error);
  CHECK_THROWS_AS(checkpoint_file(path, 0), argument_error);
}

TEST_CASE("a per-trial rule's state round-trips through a checkpoint too") {
  archetypes::hold_value_task<false> task;
  archetypes::online_readout_rule rule;
  train_options o;
  o.stop.rule = stopping_rule::never;
  o.max_updates = 40;
  o.progress = progress_display::never;
  auto full = test::easy_net(3);
  train(full, task, rule, o);
  const auto path = test::fresh("lms.ckpt");
  auto part = test::easy_net(3);
  checkpoint_file ck(path, 4);
  train(part, task, rule, o, ck, ck_stop_at{13});
  auto resumed = test::easy_net(3);
  const auto r = train(resumed, task, rule, o, ck);
  CHECK(r.updates == 40);
  CHECK(resumed.parameters() == full.parameters());
}

TEST_CASE("the stopping rules as callbacks") {
  training_report report;
  report.score_name = "decision accuracy";
  auto net = test::easy_net(1);
  int state = 0;
  rng g(1);
  training_context<ctrnn<float>, int> ctx(net, state, g, report);
  const stop_on_score s{stopping_rule::min_of_last, 0.9, 3};
  report.accuracy_history = {0.95, 0.85, 0.91, 0.92};
  s.on_validation(ctx);
  CHECK_FALSE(ctx.stop_pending());  // min(0.85, 0.91, 0.92) < 0.9
  report.accuracy_history.push_back(0.9);
  s.on_validation(ctx);  // min(0.91, 0.92, 0.90) >= 0.9
  CHECK(ctx.stop_pending());
  CHECK(report.status == training_status::converged);
  CHECK(report.reason.find("decision accuracy") != std::string::npos);

  training_context<ctrnn<float>, int> ctx2(net, state, g, report);
  const stop_on_loss l{stopping_rule::min_of_last, 0.1, 2};
  report.validation_loss_history = {0.05, 0.2, 0.09};
  l.on_validation(ctx2);
  CHECK_FALSE(ctx2.stop_pending());  // max(0.2, 0.09) > 0.1
  report.validation_loss_history.push_back(0.1);
  l.on_validation(ctx2);
  CHECK(ctx2.stop_pending());

  training_context<ctrnn<float>, int> ctx3(net, state, g, report);
  ctx3.updates = 5;
  update_budget{6}.check_stop(ctx3);
  CHECK_FALSE(ctx3.stop_pending());
  update_budget{5}.check_stop(ctx3);
  CHECK(ctx3.stop_pending());
  CHECK(report.status == training_status::budget_exhausted);
  ctx3.request_stop(training_status::stopped, "later");  // the first request wins
  CHECK(report.status == training_status::budget_exhausted);
}
