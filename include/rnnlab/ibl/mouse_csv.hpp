#pragma once
/// \file ibl/mouse_csv.hpp
/// Reader of the IBL mouse behaviour CSVs published with the paper's code (int-brain-lab/ann-rnns,
/// data/ibl-data-may2020; reference_code_spec 2.6), and their conversion to behaviour records
/// (ibl/behaviour.hpp). A sample of three mice ships in data/fixtures/ibl_mouse_behaviour/ (provenance in
/// its README.md).
///
/// Columns (header required, this order): trial_num, session_num, stim_probability_left,
/// contrast, position, response_choice, trial_correct, reaction_time. Valid values:
///   trial_num, session_num        integers >= 0
///   stim_probability_left         a probability (0.8 / 0.2 left / right block, 0.5 unbiased; the
///                                 files also hold a few other values, kept as read)
///   contrast                      in [0, 1]
///   position                      −35 (left), +35 (right) or ±0 (no side, at zero contrast)
///   response_choice               −1 (left), +1 (right), 0 (no response)
///   trial_correct                 0 or 1
///   reaction_time                 seconds, or empty (not recorded: NaN); kept as read — the
///                                 published files hold a few negative times (21 of 27,700 rows
///                                 in the sample), which `ibl_behaviour_from` treats as unknown
/// Windows line ends are accepted. Any other row is bad: by default the reader throws io_error
/// naming the file, the line and the field; with `skip_bad_rows` it skips the row and counts it.

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/ibl/behaviour.hpp>

namespace rnnlab {

/// One row of an IBL behaviour CSV.
struct ibl_mouse_trial {
  long trial_num = 0;
  long session_num = 0;
  double stim_probability_left = 0.5;
  double contrast = 0;
  double position = 0;
  int response_choice = 0;
  bool trial_correct = false;
  double reaction_time = std::numeric_limits<double>::quiet_NaN();
};

/// What `ibl_read_mouse_csv` returns: the good rows, and the bad rows skipped (only with
/// `skip_bad_rows`; `first_bad_rows` holds up to 10 "line N: reason" messages).
struct ibl_mouse_data {
  std::vector<ibl_mouse_trial> trials;
  std::size_t skipped_rows = 0;
  std::vector<std::string> first_bad_rows;
};

namespace detail {

/// Parses a whole field as a double; false on empty, partial or non-finite text.
inline bool ibl_parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return errno == 0 && end == s.c_str() + s.size() && std::isfinite(out);
}

/// Checks one row; returns "" when good, else the reason (naming the field).
inline std::string ibl_parse_row(const std::string& line, ibl_mouse_trial& t) {
  std::vector<std::string> f;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    f.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (f.size() != 8) return "expected 8 fields, got " + std::to_string(f.size());
  static const char* names[8] = {"trial_num", "session_num", "stim_probability_left", "contrast",
                                 "position",  "response_choice", "trial_correct", "reaction_time"};
  double v[8];
  for (int i = 0; i < 7; ++i)
    if (!ibl_parse_double(f[static_cast<std::size_t>(i)], v[i]))
      return std::string("field '") + names[i] + "': expected a number, got '" + f[static_cast<std::size_t>(i)] + "'";
  auto bad = [&](int i, const char* expected) {
    return std::string("field '") + names[i] + "': expected " + expected + ", got '" + f[static_cast<std::size_t>(i)] + "'";
  };
  if (v[0] < 0 || v[0] != std::floor(v[0])) return bad(0, "an integer >= 0");
  if (v[1] < 0 || v[1] != std::floor(v[1])) return bad(1, "an integer >= 0");
  if (v[2] < 0 || v[2] > 1) return bad(2, "a probability in [0, 1]");
  if (v[3] < 0 || v[3] > 1) return bad(3, "a contrast in [0, 1]");
  if (std::abs(v[4]) != 35 && v[4] != 0) return bad(4, "-35, 35 or 0");
  if (v[4] == 0 && v[3] != 0) return bad(4, "-35 or 35 (a side) at a non-zero contrast");
  if (v[5] != -1 && v[5] != 0 && v[5] != 1) return bad(5, "-1, 0 or 1");
  if (v[6] != 0 && v[6] != 1) return bad(6, "0 or 1");
  double rt = std::numeric_limits<double>::quiet_NaN();
  if (!f[7].empty() && !ibl_parse_double(f[7], rt)) return bad(7, "seconds or empty");
  t.trial_num = static_cast<long>(v[0]);
  t.session_num = static_cast<long>(v[1]);
  t.stim_probability_left = v[2];
  t.contrast = v[3];
  t.position = v[4];
  t.response_choice = static_cast<int>(v[5]);
  t.trial_correct = v[6] == 1;
  t.reaction_time = rt;
  return {};
}

}  // namespace detail

/// Reads one IBL behaviour CSV (see the file comment). Throws io_error if the file cannot be read,
/// its header differs, it has no rows, or (unless `skip_bad_rows`) a row is bad.
inline ibl_mouse_data ibl_read_mouse_csv(const std::filesystem::path& path, bool skip_bad_rows = false) {
  constexpr const char* fn = "rnnlab::ibl_read_mouse_csv";
  std::ifstream in(path);
  if (!in) throw io_error(detail::concat(fn, ": cannot open '", path.string(), "'"));
  std::string line;
  auto strip = [](std::string& s) {
    if (!s.empty() && s.back() == '\r') s.pop_back();
  };
  if (!std::getline(in, line)) throw io_error(detail::concat(fn, ": '", path.string(), "' is empty"));
  strip(line);
  const std::string header =
      "trial_num,session_num,stim_probability_left,contrast,position,response_choice,trial_correct,reaction_time";
  if (line != header)
    throw io_error(detail::concat(fn, ": '", path.string(), "' line 1: expected the header '", header, "', got '",
                                  line, "'"));
  ibl_mouse_data data;
  std::size_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    strip(line);
    if (line.empty()) continue;
    ibl_mouse_trial t;
    const std::string reason = detail::ibl_parse_row(line, t);
    if (reason.empty()) {
      data.trials.push_back(t);
      continue;
    }
    if (!skip_bad_rows)
      throw io_error(detail::concat(fn, ": '", path.string(), "' line ", line_no, ": ", reason));
    ++data.skipped_rows;
    if (data.first_bad_rows.size() < 10) data.first_bad_rows.push_back(detail::concat("line ", line_no, ": ", reason));
  }
  if (data.trials.empty() && data.skipped_rows == 0)
    throw io_error(detail::concat(fn, ": '", path.string(), "' has a header but no rows"));
  return data;
}

/// Behaviour records of a mouse (ibl/behaviour.hpp). Block side from stim_probability_left: 0.8 →
/// left (−1), 0.2 → right (+1), anything else 0 (unbiased or unknown). A block starts where
/// stim_probability_left or the session changes; `trials_since_change` counts from the start of
/// a biased block that directly follows the opposite biased block in the same session (a
/// change-point), −1 elsewhere. Reaction = reaction_time in seconds (NaN when missing or negative).
inline std::vector<ibl_behaviour_trial> ibl_behaviour_from(const std::vector<ibl_mouse_trial>& mouse) {
  std::vector<ibl_behaviour_trial> out;
  out.reserve(mouse.size());
  auto block_of = [](double p) { return p == 0.8 ? -1 : p == 0.2 ? 1 : 0; };
  int since = -1;
  for (std::size_t i = 0; i < mouse.size(); ++i) {
    const auto& m = mouse[i];
    ibl_behaviour_trial b;
    b.stimulus_side = m.position < 0 ? -1 : m.position > 0 ? 1 : 0;
    b.signed_contrast = b.stimulus_side * m.contrast;
    b.block_side = block_of(m.stim_probability_left);
    b.action = m.response_choice;
    b.correct = m.trial_correct;
    b.reaction = m.reaction_time >= 0 ? m.reaction_time : std::numeric_limits<double>::quiet_NaN();
    const bool new_block = i == 0 || m.session_num != mouse[i - 1].session_num ||
                           m.stim_probability_left != mouse[i - 1].stim_probability_left;
    if (new_block) {
      const bool change = i > 0 && m.session_num == mouse[i - 1].session_num && b.block_side != 0 &&
                          block_of(mouse[i - 1].stim_probability_left) == -b.block_side;
      since = change ? 0 : -1;
    } else if (since >= 0) {
      ++since;
    }
    b.trials_since_change = since;
    out.push_back(b);
  }
  return out;
}

}  // namespace rnnlab
