// The parameter table: every row complete (unit, a range with low < high around the value, a
// prior, a source), and its `used_by` column equal to what a scan of models/src finds, so that
// the mechanisms listed for a parameter cannot drift from the code.
#include "catch.hpp"

#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/taxonomy.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace tradeeco;

namespace {

const std::filesystem::path model_sources = std::filesystem::path(TRADEECO_SOURCE_DIR) / "models" / "src";

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// key -> the stems of the files in models/src that read it: as params.key (the typed parameters
// of model_parameters.hpp) or par["key"], or as one of a family
// of keys `<prefix>_<name>` through par_by_sector, par_by_region, par_by_location or
// par_by_leader("prefix").
std::map<std::string, std::set<std::string>> scan_uses() {
    std::map<std::string, std::set<std::string>> uses;
    const std::regex read_key(R"re((?:par\["|params\.)([a-z0-9_]+))re");
    const std::regex by_sector(R"re(par_by_sector\("([a-z0-9_]+)"\))re");
    const std::regex by_region(R"re(par_by_region\("([a-z0-9_]+)"\))re");
    const std::regex by_location(R"re(par_by_location\("([a-z0-9_]+)"\))re");
    const std::regex by_leader(R"re(par_by_leader\("([a-z0-9_]+)"\))re");
    // The chain leaders' names, as model_common.hpp lists them.
    std::vector<std::string> leader_names;
    const std::string common = read(model_sources / "model_common.hpp");
    const std::regex leader_name(R"re(ownership::\w+, "([a-z0-9_]+)"\})re");
    for (std::sregex_iterator it(common.begin(), common.end(), leader_name), end; it != end; ++it)
        leader_names.push_back((*it)[1].str());
    REQUIRE(leader_names.size() == 12);
    for (const auto& entry: std::filesystem::directory_iterator(model_sources)) {
        const auto& p = entry.path();
        if (p.filename() == "parameters.cpp" || p.filename() == "model_parameters.hpp" ||
            (p.extension() != ".cpp" && p.extension() != ".hpp"))
            continue;
        const std::string text = read(p);
        const std::string stem = p.stem().string();
        for (std::sregex_iterator it(text.begin(), text.end(), read_key), end; it != end; ++it)
            uses[(*it)[1].str()].insert(stem);
        for (std::sregex_iterator it(text.begin(), text.end(), by_sector), end; it != end; ++it)
            for (auto s: models::sector_names) uses[(*it)[1].str() + "_" + std::string(s)].insert(stem);
        for (std::sregex_iterator it(text.begin(), text.end(), by_region), end; it != end; ++it)
            for (auto r: models::region_names) uses[(*it)[1].str() + "_" + std::string(r)].insert(stem);
        for (std::sregex_iterator it(text.begin(), text.end(), by_location), end; it != end; ++it)
            for (auto l: models::location_names) uses[(*it)[1].str() + "_" + std::string(l)].insert(stem);
        for (std::sregex_iterator it(text.begin(), text.end(), by_leader), end; it != end; ++it)
            for (const auto& l: leader_names) uses[(*it)[1].str() + "_" + l].insert(stem);
    }
    return uses;
}

std::set<std::string> split_list(std::string_view s) {
    std::set<std::string> out;
    std::string cur;
    for (char c: s) {
        if (c == ',') {
            if (!cur.empty()) out.insert(cur);
            cur.clear();
        } else if (c != ' ')
            cur += c;
    }
    if (!cur.empty()) out.insert(cur);
    return out;
}

} // namespace

TEST_CASE("every parameter row has a unit, low < high around its value, a prior and a source", "[parameters]") {
    // Issue 11: the table holds the model's behaviour-shaping numbers (tests/python/
    // test_model_literals.py keeps new ones out of the code).
    CHECK(models::parameter_table().size() >= 150);
    for (const auto& p: models::parameter_table()) {
        INFO(p.key);
        CHECK(!p.unit.empty());
        CHECK(p.min < p.max);
        CHECK(p.min <= p.value);
        CHECK(p.value <= p.max);
        CHECK(!p.source.empty());
        CHECK(!p.description.empty());
        CHECK(!models::prior_name(p.prior).empty());
        // A lognormal prior needs a positive range.
        if (p.prior == models::prior_kind::lognormal) CHECK(p.min > 0);
    }
}

TEST_CASE("keys are unique and each names the mechanisms that read it, as a scan of models/src finds", "[parameters]") {
    const auto uses = scan_uses();
    std::set<std::string> keys;
    for (const auto& p: models::parameter_table()) {
        INFO(p.key);
        CHECK(keys.insert(std::string(p.key)).second);
        const auto it = uses.find(std::string(p.key));
        // A parameter nothing reads does not shape behaviour: remove it or use it.
        REQUIRE(it != uses.end());
        std::string found;
        for (const auto& f: it->second) found += (found.empty() ? "" : ", ") + f;
        INFO("used_by says \"" << p.used_by << "\"; models/src reads it in \"" << found << "\"");
        CHECK(split_list(p.used_by) == it->second);
    }
    for (const auto& [key, files]: uses) {
        INFO(key << " is read in models/src but not in the parameter table");
        CHECK(keys.count(key) == 1);
    }
}
