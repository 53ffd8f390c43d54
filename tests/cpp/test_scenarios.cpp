// Scenario files: the shipped scenarios load, extends/override/remove behave as documented in
// docs/scenarios.md, every broken file in tests/data/broken gives exactly its expected message,
// and no damaged file crashes, hangs or throws anything but scenario_error.

#include "catch.hpp"

#include <tradeeco/models/levers.hpp>
#include <tradeeco/models/parameters.hpp>
#include <tradeeco/scenarios/load.hpp>
#include <tradeeco/scenarios/validate.hpp>
#include <tradeeco/scenarios/write.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace tradeeco;

namespace {

const fs::path source_dir = TRADEECO_SOURCE_DIR;
const fs::path test_data = TRADEECO_TEST_DATA;
const fs::path shipped = source_dir / "scenarios" / "files";

/// Runs a block with another working directory, so messages carry short relative paths.
class cwd_guard {
public:
    explicit cwd_guard(const fs::path& p): old_(fs::current_path()) { fs::current_path(p); }
    ~cwd_guard() { fs::current_path(old_); }
    cwd_guard(const cwd_guard&) = delete;
    cwd_guard& operator=(const cwd_guard&) = delete;

private:
    fs::path old_;
};

/// A scratch folder removed at the end of the test.
class temp_dir {
public:
    explicit temp_dir(const std::string& tag):
        path_(fs::temp_directory_path() /
              ("tradeeco_scenarios_" + tag + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The message load_file throws, or "" if it loads.
std::string error_of(const fs::path& p) {
    try {
        (void)scenarios::load_file(p);
    } catch (const sim::scenario_error& e) {
        return e.what();
    }
    return "";
}

std::string error_of_text(const std::string& text, const fs::path& base = ".") {
    try {
        (void)scenarios::load_string(text, "test.toml", base);
    } catch (const sim::scenario_error& e) {
        return e.what();
    }
    return "";
}

std::vector<fs::path> toml_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".toml") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void check_same_targeting(const models::targeting& a, const models::targeting& b) {
    CHECK(a.sectors == b.sectors);
    CHECK(a.regions == b.regions);
    CHECK(a.locations == b.locations);
    CHECK(a.routes == b.routes);
    CHECK(a.sme_only == b.sme_only);
}

void check_same_instrument(const models::instrument& a, const models::instrument& b) {
    INFO("instrument " << a.label);
    CHECK(a.label == b.label);
    CHECK(a.measure == b.measure);
    CHECK(a.what == b.what);
    CHECK(a.start == b.start);
    CHECK(a.ramp_months == b.ramp_months);
    CHECK(a.strength == b.strength);
    CHECK(a.fiscal_cost_cny_per_year == b.fiscal_cost_cny_per_year);
    check_same_targeting(a.target, b.target);
}

/// Every field but resolved_text and the source locations.
void check_same_spec(const models::model_spec& a, const models::model_spec& b) {
    CHECK(a.name == b.name);
    CHECK(a.description == b.description);
    CHECK(a.start == b.start);
    CHECK(a.end == b.end);
    CHECK(a.seed == b.seed);
    CHECK(a.replicates == b.replicates);
    CHECK(a.population_scale == b.population_scale);
    CHECK(a.base_year == b.base_year);
    CHECK(a.parameters == b.parameters);
    CHECK(a.outputs.firm_snapshots == b.outputs.firm_snapshots);
    CHECK(a.outputs.train_departures == b.outputs.train_departures);
    CHECK(a.outputs.shipment_flows == b.outputs.shipment_flows);
    REQUIRE(a.instruments.size() == b.instruments.size());
    for (std::size_t i = 0; i < a.instruments.size(); ++i)
        check_same_instrument(a.instruments[i], b.instruments[i]);
    REQUIRE(a.shocks.size() == b.shocks.size());
    for (std::size_t i = 0; i < a.shocks.size(); ++i) {
        const auto &x = a.shocks[i], &y = b.shocks[i];
        INFO("shock " << x.label);
        CHECK(x.label == y.label);
        CHECK(x.what == y.what);
        CHECK(x.start == y.start);
        CHECK(x.end == y.end);
        CHECK(x.magnitude == y.magnitude);
        check_same_targeting(x.target, y.target);
    }
}

std::vector<std::string> labels(const models::model_spec& s) {
    std::vector<std::string> out;
    for (const auto& i : s.instruments) out.push_back(i.label);
    for (const auto& i : s.shocks) out.push_back(i.label);
    return out;
}

} // namespace

TEST_CASE("every shipped scenario loads, validates and round-trips", "[scenarios]") {
    const auto files = toml_files(shipped);
    REQUIRE(files.size() == 16);
    for (const auto& f : files) {
        INFO(f.filename().string());
        const auto spec = scenarios::load_file(f);
        CHECK(spec.name == f.stem().string());
        CHECK(!spec.description.empty());
        // The hindcast back-tests 2019-2024 from a 2018 state; the others are the forecast.
        const bool hindcast = spec.name == "hindcast";
        CHECK(spec.start == (hindcast ? sim::make_date(2019, 1, 1) : sim::make_date(2024, 1, 1)));
        CHECK(spec.end == (hindcast ? sim::make_date(2024, 12, 31) : sim::make_date(2027, 12, 31)));
        CHECK(spec.base_year == (hindcast ? 2018 : 0));
        CHECK(spec.replicates == (spec.name == "national" ? 1 : 20)); // a national replicate is slow
        CHECK(spec.seed == (hindcast ? 20190101u : 20240101u));
        CHECK_NOTHROW(scenarios::validate(spec));
        // resolved_text stands alone and gives the same spec back.
        CHECK(spec.resolved_text.find("# tradeeco scenario \"" + spec.name + "\"") == 0);
        CHECK(spec.resolved_text.find("extends") == std::string::npos);
        const auto again = scenarios::load_string(spec.resolved_text, "resolved.toml");
        check_same_spec(spec, again);
        CHECK(scenarios::to_toml(again) == scenarios::to_toml(spec));
        for (const auto& i : spec.instruments) CHECK(i.where.file == f.generic_string());
        for (const auto& s : spec.shocks) CHECK(s.where.line > 0);
    }
}

TEST_CASE("shipped scenarios say what they are", "[scenarios]") {
    const auto baseline = scenarios::load_file(shipped / "baseline.toml");
    CHECK(baseline.instruments.empty());
    CHECK(baseline.shocks.empty());
    CHECK(baseline.parameters.empty());

    for (const char* name : {"shock_red_sea", "shock_ev_tariffs", "shock_demand_slowdown",
                             "shock_border_congestion", "shock_rmb_appreciation",
                             "shock_corridor_cargo_fast", "shock_corridor_cargo_flat"}) {
        INFO(name);
        const auto s = scenarios::load_file(shipped / (std::string(name) + ".toml"));
        CHECK(s.instruments.empty());
        CHECK(!s.shocks.empty());
        CHECK(s.resolved_text.find("baseline.toml") != std::string::npos);
    }

    // The Red Sea diversion hits sea legs through Suez: the full shock on the river-sea leg to
    // the EU, a smaller one on the sea legs to the Middle East and Africa, nothing elsewhere.
    const auto red_sea = scenarios::load_file(shipped / "shock_red_sea.toml");
    REQUIRE(red_sea.shocks.size() == 4);
    const std::vector sea_routes{models::route::yangtze_river_sea,
                                 models::route::lsc_rail_sea_singapore};
    const std::vector partly_suez{models::region::middle_east, models::region::africa};
    for (const std::size_t i : {std::size_t{0}, std::size_t{2}}) {
        INFO(red_sea.shocks[i].label);
        CHECK(red_sea.shocks[i].target.routes == std::vector{models::route::yangtze_river_sea});
        CHECK(red_sea.shocks[i].target.regions == std::vector{models::region::eu});
    }
    for (const std::size_t i : {std::size_t{1}, std::size_t{3}}) {
        INFO(red_sea.shocks[i].label);
        CHECK(red_sea.shocks[i].target.routes == sea_routes);
        CHECK(red_sea.shocks[i].target.regions == partly_suez);
        CHECK(red_sea.shocks[i].magnitude < red_sea.shocks[i - 1].magnitude);
    }
    CHECK(red_sea.shocks[0].what == models::shock_kind::route_disruption);
    CHECK(red_sea.shocks[0].magnitude >= 10);
    CHECK(red_sea.shocks[0].magnitude <= 14);
    CHECK(red_sea.shocks[1].what == models::shock_kind::route_disruption);
    CHECK(red_sea.shocks[2].what == models::shock_kind::freight_rate_shock);
    CHECK(red_sea.shocks[3].what == models::shock_kind::freight_rate_shock);
    for (const auto& s : red_sea.shocks) {
        CHECK(s.start == sim::make_date(2024, 1, 1));
        CHECK(s.end == sim::make_date(2025, 12, 31));
    }

    const auto ev = scenarios::load_file(shipped / "shock_ev_tariffs.toml");
    REQUIRE(ev.shocks.size() == 1);
    CHECK(ev.shocks[0].what == models::shock_kind::tariff);
    CHECK(ev.shocks[0].start == sim::make_date(2024, 10, 30));
    CHECK(ev.shocks[0].target.sectors == std::vector{models::sector::autos_parts});
    CHECK(ev.shocks[0].target.regions == std::vector{models::region::eu});
}

TEST_CASE("the plan is the union of the five chapter packages", "[scenarios]") {
    const auto plan = scenarios::load_file(shipped / "plan.toml");
    std::map<std::string, models::instrument> from_packages;
    std::map<std::string, std::set<int>> measures_of_package;
    for (const char* pkg : {"pkg_industry_trade", "pkg_corridors", "pkg_platforms",
                            "pkg_trade_services", "pkg_digital"}) {
        const auto spec = scenarios::load_file(shipped / (std::string(pkg) + ".toml"));
        CHECK(spec.shocks.empty());
        for (const auto& i : spec.instruments) {
            CHECK(from_packages.count(i.label) == 0);
            from_packages[i.label] = i;
            measures_of_package[pkg].insert(i.measure);
        }
    }
    // Each package keeps to its chapter's measures.
    const std::map<std::string, std::pair<int, int>> chapter{
        {"pkg_industry_trade", {1, 5}}, {"pkg_corridors", {6, 9}}, {"pkg_platforms", {10, 14}},
        {"pkg_trade_services", {15, 20}}, {"pkg_digital", {21, 24}}};
    for (const auto& [pkg, ms] : measures_of_package)
        for (const int m : ms) {
            INFO(pkg << " measure " << m);
            CHECK(m >= chapter.at(pkg).first);
            CHECK(m <= chapter.at(pkg).second);
        }

    REQUIRE(plan.instruments.size() == from_packages.size());
    for (const auto& i : plan.instruments) {
        INFO(i.label);
        REQUIRE(from_packages.count(i.label) == 1);
        check_same_instrument(i, from_packages.at(i.label));
    }
    // The plan uses every lever of the catalogue.
    std::set<models::lever> used;
    for (const auto& i : plan.instruments) used.insert(i.what);
    CHECK(used.size() == models::num_levers);
    // Instruments start with the plan (2025) and carry a stated fiscal cost.
    for (const auto& i : plan.instruments) {
        INFO(i.label);
        CHECK(i.start == sim::make_date(2025, 1, 1));
        CHECK(i.fiscal_cost_cny_per_year > 0);
    }
}

TEST_CASE("extends: scalars replace, tables merge, lists append, remove drops", "[scenarios]") {
    const cwd_guard cwd(test_data);
    const auto child = scenarios::load_file("scenarios/child_override.toml");
    CHECK(child.name == "child_override");
    CHECK(child.description.empty()); // name and description belong to each file
    CHECK(child.seed == 12u);                             // replaced
    CHECK(child.replicates == 2);                         // inherited
    CHECK(child.population_scale == Approx(0.1));         // inherited
    CHECK(child.start == sim::make_date(2024, 1, 1));     // inherited
    CHECK(child.end == sim::make_date(2026, 12, 31));     // replaced
    CHECK(child.parameters.size() == 2);                  // merged by key
    CHECK(child.parameters.at("trade_elasticity") == Approx(4.5));
    CHECK(child.parameters.at("value_of_time") == Approx(0.015));
    CHECK(child.outputs.firm_snapshots);                  // inherited
    CHECK(child.outputs.train_departures);                // added
    CHECK(!child.outputs.shipment_flows);                 // default
    CHECK(labels(child) == std::vector<std::string>{"CLT under 5 days", "Forwarders", "RMB up"});

    // Inherited items keep their own file and position.
    const auto& clt = child.instruments[0];
    CHECK(clt.where.file == "scenarios/base_small.toml");
    CHECK(clt.where.line == 30);
    CHECK(clt.where.column == 1);
    CHECK(clt.where.key == "policy[1]");
    CHECK(clt.target.routes == std::vector{models::route::clt_rail});
    const auto& fw = child.instruments[1];
    CHECK(fw.where.file == "scenarios/child_override.toml");
    CHECK(fw.where.key == "policy[0]");
    CHECK(fw.start == child.start); // start defaults to the scenario's
    CHECK(fw.ramp_months == 0);
    CHECK(fw.fiscal_cost_cny_per_year == 0.0);
    CHECK(fw.strength == Approx(33.3));
    // A shock's end defaults to the (merged) scenario end.
    CHECK(child.shocks[0].end == sim::make_date(2026, 12, 31));

    CHECK(child.resolved_text.find(
              "resolved from scenarios/child_override.toml <- scenarios/base_small.toml\n") !=
          std::string::npos);

    // Two levels, through "..": the grandchild removes an item its parent added and re-uses a
    // label its parent removed.
    const auto grand = scenarios::load_file("scenarios/nested/grandchild.toml");
    CHECK(grand.replicates == 3);
    CHECK(grand.seed == 12u);
    CHECK(grand.parameters.at("trade_elasticity") == Approx(3.0));
    CHECK(grand.parameters.at("value_of_time") == Approx(0.015));
    CHECK(labels(grand) == std::vector<std::string>{"CLT under 5 days", "Fairs", "RMB up"});
    CHECK(grand.instruments[1].measure == 16);
    CHECK(grand.resolved_text.find("scenarios/nested/grandchild.toml <- "
                                   "scenarios/child_override.toml <- "
                                   "scenarios/base_small.toml") != std::string::npos);

    // The parent on its own.
    const auto base = scenarios::load_file("scenarios/base_small.toml");
    CHECK(labels(base) == std::vector<std::string>{"Fairs", "CLT under 5 days", "Red Sea"});
    const auto& fairs = base.instruments[0];
    CHECK(fairs.target.sectors == std::vector{models::sector::agri_food});
    CHECK(fairs.target.regions == std::vector{models::region::asean, models::region::eu});
    CHECK(fairs.target.sme_only);
    CHECK(fairs.fiscal_cost_cny_per_year == Approx(1e6));
}

TEST_CASE("load_string names its text and resolves extends from base_dir", "[scenarios]") {
    const std::string text = "[scenario]\nname = \"inline\"\nextends = \"baseline.toml\"\n";
    const auto spec = scenarios::load_string(text, "inline.toml", shipped);
    CHECK(spec.name == "inline");
    CHECK(spec.replicates == 20);
    CHECK(spec.resolved_text.find("resolved from inline.toml <- ") != std::string::npos);

    try {
        (void)scenarios::load_string("[scenario]\nname = 5\n", "my text");
        FAIL("no error");
    } catch (const sim::scenario_error& e) {
        CHECK(std::string(e.what()) ==
              "my text:2:8: scenario.name: expected a scenario name (a string), found an "
              "integer (5)");
        CHECK(e.where().file == "my text");
        CHECK(e.where().line == 2);
        CHECK(e.where().column == 8);
        CHECK(e.where().key == "scenario.name");
    }
}

TEST_CASE("every broken file gives exactly its expected message", "[scenarios]") {
    const fs::path dir = test_data / "broken";
    std::map<std::string, std::string> expected;
    {
        std::istringstream in(read_file(dir / "expected.txt"));
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            const auto tab = line.find('\t');
            REQUIRE(tab != std::string::npos);
            const std::string file = line.substr(0, tab);
            CHECK(expected.count(file) == 0);
            expected[file] = line.substr(tab + 1);
        }
    }
    std::set<std::string> present;
    for (const auto& p : toml_files(dir)) present.insert(p.filename().string());
    CHECK(present.size() >= 35);
    for (const auto& f : present) {
        INFO(f << " has no line in expected.txt");
        CHECK(expected.count(f) == 1);
    }
    for (const auto& [f, msg] : expected) {
        INFO(f << " is listed in expected.txt but missing");
        CHECK(present.count(f) == 1);
    }

    const cwd_guard cwd(test_data);
    for (const auto& [file, message] : expected) {
        INFO(file);
        std::string got;
        try {
            (void)scenarios::load_file(fs::path("broken") / file);
        } catch (const sim::scenario_error& e) {
            got = e.what();
            CHECK(!e.where().file.empty());
        }
        CHECK(got == message);
    }
}

TEST_CASE("unreadable inputs are errors, not crashes or hangs", "[scenarios]") {
    const temp_dir tmp("unreadable");
    const cwd_guard cwd(tmp.path());

    CHECK(error_of("missing.toml") ==
          "missing.toml: expected a readable scenario file, found no such file");
    fs::create_directory("folder.toml");
    CHECK(error_of("folder.toml") ==
          "folder.toml: expected a readable scenario file, found a directory");

    // A FIFO would block a reader forever.
    REQUIRE(::mkfifo("pipe.toml", 0600) == 0);
    CHECK(error_of("pipe.toml") ==
          "pipe.toml: expected a readable scenario file, found a special file");
    write_file("via_pipe.toml", "[scenario]\nname = \"x\"\nextends = \"pipe.toml\"\n");
    CHECK(error_of("via_pipe.toml") ==
          "via_pipe.toml:3:11: scenario.extends: expected a readable scenario file, found "
          "\"pipe.toml\" (a special file: pipe.toml)");

    // Size limit.
    {
        std::ofstream big("big.toml", std::ios::binary);
        big << "[scenario]\nname = \"big\"\n";
        const std::string comment = "# " + std::string(1022, 'x') + "\n";
        for (int i = 0; i < 8 * 1024 + 1; ++i) big << comment;
    }
    const auto size = fs::file_size("big.toml");
    CHECK(error_of("big.toml") == "big.toml: expected a readable scenario file, found a file of " +
                                      std::to_string(size) + " bytes (the limit is 8388608)");

    // A long chain of distinct files stops at the depth limit.
    for (int i = 0; i < 20; ++i)
        write_file("chain" + std::to_string(i) + ".toml",
                   "[scenario]\nname = \"c" + std::to_string(i) + "\"\nextends = \"chain" +
                       std::to_string(i + 1) + ".toml\"\n");
    write_file("chain20.toml", "[scenario]\nname = \"end\"\n");
    CHECK(error_of("chain0.toml") ==
          "chain15.toml:3:11: scenario.extends: expected at most 16 levels of extends, found "
          "\"chain16.toml\" at level 16");
    CHECK(error_of("chain5.toml").empty());
}

TEST_CASE("parameter overrides are checked against the parameter table", "[scenarios]") {
    const auto table = models::parameter_table();
    REQUIRE(!table.empty());
    const auto& p = table.front();
    const std::string key(p.key);
    const std::string head = "[scenario]\nname = \"p\"\n\n[parameters]\n";

    // In range: stored as given (also through a quoted key).
    const double mid = 0.5 * (p.min + p.max);
    std::ostringstream ok;
    ok.precision(17);
    ok << head << "\"" << key << "\" = " << std::showpoint << mid << "\n";
    const auto spec = scenarios::load_string(ok.str(), "test.toml");
    CHECK(spec.parameters.at(key) == Approx(mid));

    // Out of range: the message quotes the table's range and unit.
    const double bad = p.max + std::max(1.0, std::abs(p.max));
    std::ostringstream text;
    text.precision(17);
    text << head << key << " = " << std::showpoint << bad << "\n";
    const std::string got = error_of_text(text.str());
    const std::string prefix = "test.toml:5:" + std::to_string(key.size() + 4) + ": parameters." +
                               key + ": expected a number in [";
    CHECK(got.rfind(prefix, 0) == 0);
    CHECK(got.find("found") != std::string::npos);
    if (!p.unit.empty()) CHECK(got.find("(" + std::string(p.unit) + ")") != std::string::npos);

    // Wrong type.
    CHECK(error_of_text(head + key + " = \"high\"\n").find("found a string (\"high\")") !=
          std::string::npos);
    // Nested tables flatten to dotted keys, which must also be in the table.
    CHECK(error_of_text(head + "zzz.inner = 1.0\n") ==
          "test.toml:5:5: parameters: expected a key of the parameter table (docs/parameters.md), "
          "found \"zzz.inner\"");
    // A near miss gets a suggestion.
    if (key.size() > 6) {
        std::string typo = key;
        std::swap(typo[2], typo[3]);
        if (models::find_parameter(typo) == nullptr)
            CHECK(error_of_text(head + typo + " = 1.0\n").find("did you mean \"" + key + "\"?") !=
                  std::string::npos);
    }
}

TEST_CASE("validate() applies the file rules to specs built in code", "[scenarios]") {
    auto spec = scenarios::load_file(shipped / "plan.toml");
    CHECK_NOTHROW(scenarios::validate(spec));

    SECTION("strength out of the lever's range") {
        auto& i = spec.instruments.front();
        i.strength = 2.0;
        try {
            scenarios::validate(spec);
            FAIL("no error");
        } catch (const sim::scenario_error& e) {
            const std::string msg = e.what();
            CHECK(msg.find(": policy[0].strength: expected a number in [0, 1] (share of sunk "
                           "entry cost), found 2") != std::string::npos);
            CHECK(e.where().file == i.where.file);
        }
    }
    SECTION("a programmatic spec without locations") {
        models::model_spec s;
        s.name = "code";
        models::instrument i;
        i.label = "x";
        i.measure = 6;
        i.what = models::lever::one_bill_adoption;
        i.start = s.start;
        i.strength = 0.1;
        i.target.routes = {models::route::air};
        s.instruments.push_back(i);
        try {
            scenarios::validate(s);
            FAIL("no error");
        } catch (const sim::scenario_error& e) {
            CHECK(std::string(e.what()) ==
                  "<spec>: policy[0].target: expected no targeting (lever \"one_bill_adoption\" "
                  "applies to everyone), found \"routes\"");
        }
        s.instruments[0].target = {};
        s.instruments.push_back(s.instruments[0]);
        try {
            scenarios::validate(s);
            FAIL("no error");
        } catch (const sim::scenario_error& e) {
            CHECK(std::string(e.what()) == "<spec>: policy[1].label: expected a unique label, "
                                           "found \"x\" (also the label of policy[0])");
        }
    }
    SECTION("dates and names") {
        spec.shocks.push_back({});
        auto& s = spec.shocks.back();
        s.label = "late";
        s.what = models::shock_kind::tariff;
        s.start = sim::make_date(2027, 6, 1);
        s.end = sim::make_date(2027, 1, 1);
        s.magnitude = 0.1;
        CHECK_THROWS_AS(scenarios::validate(spec), sim::scenario_error);
        s.end = sim::make_date(2027, 12, 31);
        CHECK_NOTHROW(scenarios::validate(spec));
        spec.name = "has space";
        CHECK_THROWS_AS(scenarios::validate(spec), sim::scenario_error);
    }
}

TEST_CASE("damaged files only ever throw scenario_error", "[scenarios]") {
    // Every prefix of a real scenario (cut at a stride) and random byte damage: the loader must
    // not crash, hang or throw anything else. extends resolves against the shipped folder.
    for (const char* name : {"plan.toml", "shock_red_sea.toml"}) {
        const std::string text = read_file(shipped / name);
        REQUIRE(!text.empty());
        std::size_t loaded = 0, rejected = 0;
        const auto attempt = [&](const std::string& t) {
            try {
                (void)scenarios::load_string(t, "damaged.toml", shipped);
                ++loaded;
            } catch (const sim::scenario_error&) {
                ++rejected;
            }
        };
        for (std::size_t cut = 0; cut < text.size(); cut += 13) attempt(text.substr(0, cut));
        std::mt19937 rng(20240101);
        const std::string alphabet = "[]{}\"'=.,#\n\t 0123456789-_aeinrstxz\x01\xff\xc3";
        for (int k = 0; k < 600; ++k) {
            std::string t = text;
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits; ++e) {
                const std::size_t at = rng() % t.size();
                const char c = alphabet[rng() % alphabet.size()];
                switch (rng() % 3) {
                case 0: t[at] = c; break;
                case 1: t.insert(t.begin() + static_cast<std::ptrdiff_t>(at), c); break;
                default: t.erase(at, 1 + rng() % 8); break;
                }
                if (t.empty()) t = "x";
            }
            attempt(t);
        }
        INFO(name << ": " << loaded << " loaded, " << rejected << " rejected");
        CHECK(rejected > 0);
        CHECK(loaded + rejected > 600);
    }
}

TEST_CASE("docs/scenarios.md's example loads", "[scenarios]") {
    // The first ```toml block of the format reference must be a valid scenario that extends
    // the shipped baseline.
    const std::string doc = read_file(source_dir / "docs" / "scenarios.md");
    const auto open = doc.find("```toml\n");
    REQUIRE(open != std::string::npos);
    const auto close = doc.find("```", open + 8);
    REQUIRE(close != std::string::npos);
    const std::string example = doc.substr(open + 8, close - open - 8);
    const auto spec = scenarios::load_string(example, "docs/scenarios.md", shipped);
    CHECK(!spec.instruments.empty());
    CHECK(!spec.shocks.empty());
}

TEST_CASE("docs/scenarios.md lists every lever and shock kind as the catalogue has it",
          "[scenarios]") {
    const std::string doc = read_file(source_dir / "docs" / "scenarios.md");
    const auto num = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    const auto keys = [](std::uint8_t mask) {
        const char* names[] = {"sectors", "regions", "locations", "routes", "sme_only"};
        std::string out;
        for (int i = 0; i < 5; ++i)
            if (mask & (1 << i)) out += (out.empty() ? "" : ", ") + std::string(names[i]);
        return out.empty() ? std::string("(none)") : out;
    };
    for (const auto& l : models::lever_catalogue()) {
        std::string measures;
        for (const int m : l.measures)
            measures += (measures.empty() ? "" : ", ") + std::to_string(m);
        const std::string row = "| `" + std::string(l.name) + "` | " + std::string(l.unit) +
                                " | [" + num(l.min) + ", " + num(l.max) + "] | " + measures +
                                " | " + keys(l.targeting) + " |\n";
        INFO(row);
        CHECK(doc.find(row) != std::string::npos);
    }
    for (const auto& s : models::shock_catalogue()) {
        const std::string row = "| `" + std::string(s.name) + "` | " + std::string(s.unit) +
                                " | [" + num(s.min) + ", " + num(s.max) + "] | " +
                                keys(s.targeting) + " |\n";
        INFO(row);
        CHECK(doc.find(row) != std::string::npos);
    }
}

TEST_CASE("the national scenario runs at national scale from a file", "[scenarios]") {
    const auto spec = scenarios::load_file(shipped / "national.toml");
    CHECK(spec.population_scale == Approx(126.0));
    CHECK(spec.replicates == 1);
    CHECK(spec.instruments.empty());
}
