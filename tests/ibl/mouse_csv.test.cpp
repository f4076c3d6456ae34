#include <doctest/doctest.h>

#include <rnnlab/ibl/mouse_csv.hpp>

#include <support/scratch.hpp>

#include <fstream>

using namespace rnnlab;

namespace {

const char* const ibl_csv_header =
    "trial_num,session_num,stim_probability_left,contrast,position,response_choice,trial_correct,reaction_time\n";

std::filesystem::path ibl_csv_write(const std::string& name, const std::string& body) {
  const auto path = test::fresh("ibl_csv") / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << body;
  return path;
}

std::string ibl_csv_error(const std::filesystem::path& path) {
  try {
    ibl_read_mouse_csv(path);
  } catch (const io_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("IBL mouse CSV: good rows, CRLF, empty reaction time, no side at zero contrast") {
  const auto path = ibl_csv_write("good.csv", std::string(ibl_csv_header) +
                                                  "1,1,0.5,0.25,-35.0,-1,1.0,1.06\r\n"
                                                  "2,1,0.8,0.0,-0.0,0,0.0,59.9\r\n"
                                                  "3,1,0.8,1.0,35.0,1,1.0,\r\n"
                                                  "4,1,0.8,1.0,35.0,1,1.0,-1.82\r\n");
  const auto d = ibl_read_mouse_csv(path);
  REQUIRE(d.trials.size() == 4);
  CHECK(d.trials[3].reaction_time == -1.82);  // kept as read
  CHECK(d.skipped_rows == 0);
  CHECK(d.trials[0].position == -35);
  CHECK(d.trials[0].trial_correct);
  CHECK(d.trials[1].response_choice == 0);
  CHECK(std::isnan(d.trials[2].reaction_time));
  const auto b = ibl_behaviour_from(d.trials);
  CHECK(b[0].signed_contrast == -0.25);
  CHECK(b[1].stimulus_side == 0);
  CHECK(b[1].block_side == -1);
  CHECK(b[2].block_side == -1);
  CHECK(b[2].concordant() == false);  // right stimulus in a left block
  CHECK(b[2].discordant());
  CHECK(std::isnan(b[3].reaction));  // a negative time is unknown for the chronometric curves
}

TEST_CASE("IBL mouse CSV: malformed files give an error naming the file, the line and the field") {
  struct bad_case {
    const char* row;
    const char* field;
  };
  const bad_case cases[] = {
      {"1,1,0.5,0.25,-35.0,-1,1.0\n", "expected 8 fields, got 7"},
      {"1,1,0.5,0.25,-35.0,-1,1.0,0.3,9\n", "expected 8 fields, got 9"},
      {"1,1,,0.25,-35.0,-1,1.0,0.3\n", "'stim_probability_left'"},
      {"1,1,0.5,abc,-35.0,-1,1.0,0.3\n", "'contrast'"},
      {"1,1,0.5,0.25,12.0,-1,1.0,0.3\n", "'position'"},
      {"1,1,0.5,0.25,0.0,-1,1.0,0.3\n", "'position'"},  // no side at a non-zero contrast
      {"1,1,0.5,0.25,35.0,2,1.0,0.3\n", "'response_choice'"},
      {"1,1,0.5,0.25,35.0,1,0.5,0.3\n", "'trial_correct'"},
      {"1,1,1.5,0.25,35.0,1,1.0,0.3\n", "'stim_probability_left'"},
      {"1.5,1,0.5,0.25,35.0,1,1.0,0.3\n", "'trial_num'"},
      {"1,1,0.5,0.25,35.0,1,1.0,0.3s\n", "'reaction_time'"},
  };
  for (const auto& c : cases) {
    const auto path = ibl_csv_write("bad.csv", std::string(ibl_csv_header) + "1,1,0.5,0.25,-35.0,-1,1.0,1.06\n" + c.row);
    const std::string msg = ibl_csv_error(path);
    INFO(msg);
    CHECK(msg.find("bad.csv") != std::string::npos);
    CHECK(msg.find("line 3") != std::string::npos);
    CHECK(msg.find(c.field) != std::string::npos);
  }
  CHECK(ibl_csv_error(ibl_csv_write("header.csv", "a,b,c\n1,2,3\n")).find("line 1") != std::string::npos);
  CHECK(ibl_csv_error(ibl_csv_write("empty.csv", "")).find("empty") != std::string::npos);
  CHECK(ibl_csv_error(ibl_csv_write("norows.csv", ibl_csv_header)).find("no rows") != std::string::npos);
  CHECK(ibl_csv_error(test::scratch_dir() / "missing.csv").find("cannot open") != std::string::npos);
}

TEST_CASE("IBL mouse CSV: bad rows skipped and counted on request") {
  const auto path = ibl_csv_write("mixed.csv", std::string(ibl_csv_header) +
                                                   "1,1,0.5,0.25,-35.0,-1,1.0,1.06\n"
                                                   "2,1,0.5,0.25,-35.0,7,1.0,1.06\n"
                                                   "3,1,0.5,0.25,35.0,1,1.0,0.5\n"
                                                   "4,1,0.5\n");
  CHECK_THROWS_AS(ibl_read_mouse_csv(path), io_error);
  const auto d = ibl_read_mouse_csv(path, true);
  CHECK(d.trials.size() == 2);
  CHECK(d.skipped_rows == 2);
  REQUIRE(d.first_bad_rows.size() == 2);
  CHECK(d.first_bad_rows[0].find("line 3") == 0);
  CHECK(d.first_bad_rows[1].find("line 5") == 0);
}

TEST_CASE("IBL mouse CSV: block changes counted in the session") {
  // Session 1: 0.5, 0.5, 0.8, 0.8, 0.2, 0.2, 0.2; session 2: 0.8.
  std::vector<ibl_mouse_trial> m(8);
  const double p[] = {0.5, 0.5, 0.8, 0.8, 0.2, 0.2, 0.2, 0.2};
  for (std::size_t i = 0; i < m.size(); ++i) {
    m[i].session_num = i < 7 ? 1 : 2;
    m[i].stim_probability_left = p[i];
    m[i].position = 35;
    m[i].contrast = 0.25;
    m[i].response_choice = 1;
  }
  const auto b = ibl_behaviour_from(m);
  const int expected[] = {-1, -1, -1, -1, 0, 1, 2, -1};
  for (std::size_t i = 0; i < m.size(); ++i) CHECK(b[i].trials_since_change == expected[i]);
}

TEST_CASE("IBL mouse CSV: the shipped mice read and behave as mice do") {
  const std::filesystem::path dir = std::filesystem::path(RNNLAB_DATA_DIR) / "fixtures" / "ibl_mouse_behaviour";
  for (const char* mouse : {"CSHL_010", "KS004", "ZM_1091"}) {
    const auto d = ibl_read_mouse_csv(dir / (std::string(mouse) + ".csv"));
    CHECK(d.trials.size() > 2000);
    std::size_t consistent = 0, sided = 0;
    for (const auto& t : d.trials)
      if (t.position != 0 && t.response_choice != 0) {
        ++sided;
        consistent += t.trial_correct == ((t.position > 0) == (t.response_choice > 0));
      }
    // response_choice −1 = left, like position −35: the correctness column agrees row by row.
    CHECK(consistent == sided);
    const auto b = ibl_behaviour_from(d.trials);
    const auto curve = ibl_psychometric(b, ibl_trial_split::all, ibl_contrast_axis::absolute_contrast);
    REQUIRE(curve.x.back() == 1.0);
    CHECK(curve.value.back() > 0.85);               // full contrast: mice are nearly always right
    CHECK(curve.value.back() > curve.value.front());  // and better than at zero contrast
  }
}
