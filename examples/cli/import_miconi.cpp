// Subcommand `import-miconi`: a network saved by Miconi's Hebbian program (text files
// <prefix>_win.txt and <prefix>_J.txt, as the reference code's importHeb reads them) into a network
// folder (io/miconi.hpp), so that every analysis of rnnlab takes it.
#include "commands.hpp"

#include <rnnlab/io/miconi.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace rnnlab::cli {
namespace {

struct import_miconi_args {
  std::string prefix;
  std::optional<std::string> win, J;
  std::string out;
  double alpha = 0.1;
  bool no_clamp = false;
  std::string dtype = "float64";
};

template <class Scalar>
void do_import_miconi(const import_miconi_args& a) {
  io::miconi_import_options o;
  o.alpha = a.alpha;
  if (a.no_clamp) o.clamped.clear();
  const std::filesystem::path win = a.win ? *a.win : a.prefix + "_win.txt";
  const std::filesystem::path J = a.J ? *a.J : a.prefix + "_J.txt";
  const auto net = io::import_miconi_network<Scalar>(win, J, a.out, o);
  std::cout << "imported a " << net.n_units() << "-unit tanh network with " << net.n_inputs() << " inputs from "
            << win.string() << " and " << J.string() << " (output = unit " << net.readout_unit() << ", "
            << net.clamped_units().size() << " clamped units, alpha " << a.alpha << "); wrote " << a.out << "\n";
}

const bool registered_import_miconi = register_command("import-miconi", [](CLI::App& app) {
  auto args = std::make_shared<import_miconi_args>();
  auto* sub = app.add_subcommand(
      "import-miconi",
      "Import a network saved by Miconi's Hebbian program (PREFIX_win.txt: N x (1 + M) input weights whose column 0 "
      "is unused; PREFIX_J.txt: N x N recurrent weights, row = receiving unit) into a network folder: tanh units, "
      "units 1 and 10 clamped at +1 and 11 at -1, output read from unit 0 (the reference code's importHeb)");
  sub->add_option("prefix", args->prefix, "File prefix (PREFIX_win.txt, PREFIX_J.txt)")->required();
  sub->add_option("--win", args->win, "Input-weight file (default PREFIX_win.txt)")->check(CLI::ExistingFile);
  sub->add_option("--J", args->J, "Recurrent-weight file (default PREFIX_J.txt)")->check(CLI::ExistingFile);
  sub->add_option("--out", args->out, "Network folder to write")->required();
  sub->add_option("--alpha", args->alpha, "dt / tau of the imported network (the reference analyses at 0.1)")
      ->capture_default_str();
  sub->add_flag("--no-clamp", args->no_clamp, "Do not clamp units 1, 10, 11");
  sub->add_option("--dtype", args->dtype, "float64 or float32 (the folder's .npy type)")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  sub->callback([args] { args->dtype == "float32" ? do_import_miconi<float>(*args) : do_import_miconi<double>(*args); });
});

}  // namespace
}  // namespace rnnlab::cli
