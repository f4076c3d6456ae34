#include <doctest/doctest.h>

#include <rnnlab/io/network.hpp>
#include <rnnlab/io/trial_batch.hpp>
#include <rnnlab/tasks/context_integration.hpp>

#include <filesystem>

#include "../support/scratch.hpp"

using namespace rnnlab;
namespace fs = std::filesystem;


TEST_CASE_TEMPLATE("network save -> load round trip is bit-exact", S, float, double) {
  rng g(9);
  auto net = make_ctrnn<S, activations::tanh>(ctrnn_config::reference_code(20), 4, 2, g);
  net.parameters().b.setRandom();
  net.parameters().x0.setRandom();
  const auto dir = test::fresh("net");
  io::save_network(dir, net, {"reference_code", 1234, {{"note", "test"}}});
  const auto loaded = io::load_network<S, activations::tanh>(dir);
  CHECK(loaded == net);
  const auto info = io::read_network_info(dir);
  CHECK(info.activation == "tanh");
  CHECK(info.readout == readout_source::state);
  CHECK(info.n_inputs == 4);
  CHECK(info.seed == std::optional<std::uint64_t>(1234));
  CHECK(info.extra["note"] == "test");
  // visit_network dispatches on the activation written in the folder.
  const std::string name = io::visit_network<double>(dir, [](const auto& n) {
    return std::string(std::decay_t<decltype(n)>::activation_type::name);
  });
  CHECK(name == "tanh");
}

TEST_CASE("a float64 folder loads as float (and the other way round)") {
  rng g(2);
  auto net = make_ctrnn<double>(ctrnn_config::paper_text(6), 1, 1, g);
  const auto dir = test::fresh("net64");
  io::save_network(dir, net);
  const auto f = io::load_network<float>(dir);
  CHECK((f.parameters().W_rec.cast<double>() - net.parameters().W_rec).cwiseAbs().maxCoeff() < 1e-7);
}

TEST_CASE("corrupt or mismatched network folders give io_error naming the file") {
  rng g(4);
  auto net = make_ctrnn<double>(ctrnn_config::paper_text(5), 2, 1, g);
  const auto dir = test::fresh("bad");
  io::save_network(dir, net);
  CHECK_THROWS_WITH_AS((io::load_network<double, activations::relu>(dir)), doctest::Contains("activation"), io_error);
  // W_in with the wrong number of rows.
  io::write_npy(dir / "W_in.npy", Eigen::MatrixXd::Zero(4, 2));
  CHECK_THROWS_WITH_AS(io::load_network<double>(dir), doctest::Contains("W_in.npy"), io_error);
  io::save_network(dir, net);
  fs::remove(dir / "W_out.npy");
  CHECK_THROWS_WITH_AS(io::load_network<double>(dir), doctest::Contains("W_out.npy"), io_error);
  io::save_network(dir, net);
  io::write_text(dir / "network.json", "{\"activation\": \"sigmoid\", \"alpha\": 0.1, \"readout\": \"rates\"}");
  CHECK_THROWS_WITH_AS(io::load_network<double>(dir), doctest::Contains("sigmoid"), io_error);
  io::write_text(dir / "network.json", "{\"activation\": \"tanh\", \"alpha\": 0.1");
  CHECK_THROWS_WITH_AS(io::read_network_info(dir), doctest::Contains("not valid JSON"), io_error);
  io::write_text(dir / "network.json", "{\"activation\": \"one_plus_tanh\", \"readout\": \"rates\"}");
  CHECK_THROWS_WITH_AS(io::read_network_info(dir), doctest::Contains("'alpha'"), io_error);
  // A NaN weight is caught at load time too.
  io::save_network(dir, net);
  Eigen::MatrixXd w = net.parameters().W_rec;
  w(0, 0) = std::nan("");
  io::write_npy(dir / "W_rec.npy", w);
  CHECK_THROWS_AS(io::load_network<double>(dir), io_error);
}

TEST_CASE("a minimal folder (three weight files and three JSON fields, as from PyTorch) loads") {
  const auto dir = test::fresh("minimal");
  fs::create_directories(dir);
  Eigen::MatrixXf W = Eigen::MatrixXf::Random(3, 3), Win = Eigen::MatrixXf::Random(3, 2), Wout = Eigen::MatrixXf::Random(1, 3);
  io::write_npy(dir / "W_rec.npy", W);
  io::write_npy(dir / "W_in.npy", Win);
  io::write_npy(dir / "W_out.npy", Wout);
  io::write_text(dir / "network.json", R"({"activation": "tanh", "alpha": 1.0, "readout": "rates"})");
  const auto net = io::load_network<double, activations::tanh>(dir);
  CHECK(net.n_units() == 3);
  CHECK(net.alpha() == 1.0);
  CHECK(net.parameters().b.isZero());
  CHECK(net.parameters().W_in(2, 1) == static_cast<double>(Win(2, 1)));
}

TEST_CASE("trial batch save -> load round trip is bit-exact, metadata included") {
  rng g(5);
  const context_integration task(context_integration_params::paper_text(3));
  const auto batch = task.sample<float>(12, g);
  const auto dir = test::fresh("batch");
  io::save_trial_batch(dir, batch, {{"task", "3-cdi"}});
  const auto back = io::load_evidence_batch<float>(dir);
  CHECK(back.inputs == batch.inputs);
  CHECK(back.targets == batch.targets);
  CHECK(back.mask == batch.mask);
  CHECK(back.label == batch.label);
  CHECK(back.context == batch.context);
  CHECK(back.coherence == batch.coherence);
  CHECK(back.stream_means == batch.stream_means);
  // A mask whose T does not match the inputs is rejected.
  io::write_npy(dir / "mask.npy", tensor<float, 2>({5, 12}));
  CHECK_THROWS_WITH_AS(io::load_evidence_batch<float>(dir), doctest::Contains("mask.npy"), io_error);
}

TEST_CASE("a linear network round-trips through a folder; names come from the one activation table") {
  rng g(12);
  auto net = make_ctrnn<double, activations::linear>(ctrnn_config::paper_text(4), 2, 1, g);
  const auto dir = test::fresh("linear");
  io::save_network(dir, net);
  CHECK(io::read_network_info(dir).activation == "linear");
  CHECK(io::load_network<double, activations::linear>(dir) == net);
  const std::string name = io::visit_network<double>(dir, [](const auto& n) {
    return std::string(std::decay_t<decltype(n)>::activation_type::name);
  });
  CHECK(name == "linear");
  // An unknown activation name lists every valid one.
  io::write_text(dir / "network.json", "{\"activation\": \"sigmoid\", \"alpha\": 0.1, \"readout\": \"rates\"}");
  CHECK_THROWS_WITH_AS(io::read_network_info(dir), doctest::Contains("tanh, one_plus_tanh, relu, softplus, linear"), io_error);
  // Output feedback (W_fb.npy), the output nonlinearity and a single-unit readout round-trip
  // (FORCE and full-FORCE networks).
  auto fed = net;
  fed.parameters().W_fb = (Eigen::VectorXd(4) << 1, 2, 3, 4).finished();
  fed.set_output_activation<activations::tanh>();
  const auto fed_dir = test::fresh("fed");
  io::save_network(fed_dir, fed);
  CHECK(io::read_network_info(fed_dir).output_activation == "tanh");
  CHECK(io::load_network<double, activations::linear>(fed_dir) == fed);
  auto unit = net;
  unit.set_readout_unit(2);
  const auto unit_dir = test::fresh("unit");
  io::save_network(unit_dir, unit);
  CHECK(io::load_network<double, activations::linear>(unit_dir) == unit);
  CHECK(!std::filesystem::exists(unit_dir / "W_fb.npy"));
  // All of them at once (a full-FORCE-style readout on a network with clamped units) round-trip too.
  auto all = fed;
  all.set_clamped_units({{0, 1.0}});
  const auto all_dir = test::fresh("all_options");
  io::save_network(all_dir, all);
  CHECK(io::load_network<double, activations::linear>(all_dir) == all);
}

TEST_CASE("clamped units and a single-unit readout round-trip through a network folder") {
  rng g(4);
  auto net = make_ctrnn<double, activations::tanh>(ctrnn_config::paper_text(12), 1, 1, g);
  net.set_clamped_units({{1, 1.0}, {10, 1.0}, {11, -1.0}});
  net.set_readout_unit(0);
  const auto dir = test::fresh("clamped_net");
  io::save_network(dir, net);
  const auto loaded = io::load_network<double, activations::tanh>(dir);
  CHECK(loaded == net);
  CHECK(loaded.readout_unit() == 0);
  CHECK(loaded.clamped_units() == net.clamped_units());
  // A folder naming a clamped unit outside the network is refused, naming the folder.
  auto j = io::read_json(dir / "network.json");
  j["clamped_units"][0]["unit"] = 12;
  io::write_json(dir / "network.json", j);
  CHECK_THROWS_WITH_AS((io::load_network<double, activations::tanh>(dir)), doctest::Contains("clamped_net"), io_error);
  j["clamped_units"] = "1,10,11";
  io::write_json(dir / "network.json", j);
  CHECK_THROWS_WITH_AS(io::read_network_info(dir), doctest::Contains("clamped_units"), io_error);
}
