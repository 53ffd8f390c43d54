// Scenario files into a model_spec, in three steps:
//   1. each file is parsed (toml++) and checked on its own into a `layer`: keys, types, ranges,
//      names, the measures and targeting each lever accepts; key paths count items in that file;
//   2. `extends` chains are followed parent first and the layers merged (scalars replace,
//      [parameters] and [outputs] merge by key, [[policy]] and [[shock]] append after the
//      parent's items named in `remove` are dropped);
//   3. the merged scenario is checked as a whole (horizon, dates inside it, unique labels) and
//      turned into the spec, whose resolved_text is the merged scenario written back out.
// Every message names the file and position where the offending value was written, even when it
// was inherited, so an error in a parent file points into the parent.

#include <tradeeco/scenarios/load.hpp>
#include <tradeeco/scenarios/validate.hpp>
#include <tradeeco/scenarios/write.hpp>

#include "rules.hpp"

#include <tradeeco/models/drivers.hpp>
#include <tradeeco/models/parameters.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

namespace tradeeco::scenarios {

namespace fs = std::filesystem;
using namespace detail;

namespace {

struct located_date {
    sim::date value{};
    sim::source_location where;
};

struct policy_item {
    models::instrument value; // value.start is filled in at step 3 when `start` is absent
    std::optional<located_date> start;
    sim::source_location label_where;
};

struct shock_item {
    models::shock value;
    std::optional<located_date> start, end;
    sim::source_location label_where;
};

constexpr std::array<std::string_view, 3> output_keys{"firm_snapshots", "train_departures",
                                                      "shipment_flows"};

// What one file says (step 1), and after merging, what a chain of files says (step 2).
struct layer {
    std::vector<std::string> files; // this file first, then the files it extends
    std::string name;
    std::string description;
    std::optional<std::string> extends;
    sim::source_location extends_where;
    std::vector<std::pair<std::string, sim::source_location>> remove;
    sim::source_location remove_where;
    std::optional<located_date> start, end;
    std::optional<std::uint64_t> seed;
    std::optional<std::int32_t> replicates;
    std::optional<double> population_scale;
    std::optional<std::pair<std::int32_t, sim::source_location>> base_year;
    std::map<std::string, double> parameters;
    std::array<std::optional<bool>, output_keys.size()> outputs;
    std::vector<policy_item> policies;
    std::vector<shock_item> shocks;
};

// ---- step 1: one file -----------------------------------------------------------------------

constexpr std::array<std::string_view, 5> top_keys{"scenario", "parameters", "outputs", "policy",
                                                   "shock"};
constexpr std::array<std::string_view, 10> scenario_keys{
    "name", "description", "extends", "remove", "start", "end", "seed", "replicates",
    "population_scale", "base_year"};
constexpr std::array<std::string_view, 8> policy_keys{
    "label", "measure", "lever", "start", "ramp_months", "strength", "fiscal_cost_cny_per_year",
    "target"};
constexpr std::array<std::string_view, 6> shock_keys{"label", "kind",      "start",
                                                     "end",   "magnitude", "target"};

bool before(const toml::source_region& a, const toml::source_region& b) {
    return std::pair{a.begin.line, a.begin.column} < std::pair{b.begin.line, b.begin.column};
}

// A table's entries in the order they were written (toml++ keeps them sorted by key).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
    std::vector<std::pair<const toml::key*, const toml::node*>> out;
    for (auto&& [k, v] : t) out.emplace_back(&k, &v);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return before(a.first->source(), b.first->source());
    });
    return out;
}

std::string join_path(std::string_view parent, std::string_view key) {
    std::string out(parent);
    if (!out.empty()) out.push_back('.');
    out.append(key);
    return out;
}

std::string index_path(std::string_view parent, std::size_t i) {
    std::string out(parent);
    out.append("[").append(std::to_string(i)).append("]");
    return out;
}

template <class T>
std::string streamed(const T& v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

// "a string ("abc")", "an integer (5)", "an array"...
std::string found_text(const toml::node& n) {
    switch (n.type()) {
    case toml::node_type::string: return "a string (" + in_quotes(n.as_string()->get()) + ")";
    case toml::node_type::integer:
        return "an integer (" + std::to_string(n.as_integer()->get()) + ")";
    case toml::node_type::floating_point:
        return "a float (" + float_text(n.as_floating_point()->get()) + ")";
    case toml::node_type::boolean:
        return n.as_boolean()->get() ? "a boolean (true)" : "a boolean (false)";
    case toml::node_type::date: return "a date (" + streamed(n.as_date()->get()) + ")";
    case toml::node_type::time: return "a time (" + streamed(n.as_time()->get()) + ")";
    case toml::node_type::date_time:
        return "a date-time (" + streamed(n.as_date_time()->get()) + ")";
    case toml::node_type::array: return n.as_array()->empty() ? "an empty array" : "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
    }
    return "nothing";
}

constexpr std::string_view required = "nothing (the key is required)";

// Reads the nodes of one parsed file, turning positions into source_locations.
class reader {
public:
    explicit reader(std::string file): file_(std::move(file)) {}

    const std::string& file() const noexcept { return file_; }

    sim::source_location where(const toml::source_region& s, std::string key) const {
        return {file_, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column),
                std::move(key)};
    }
    sim::source_location where(const toml::node& n, std::string key) const {
        return where(n.source(), std::move(key));
    }

    // The first key (in file order) not in `allowed` is an error.
    void check_keys(const toml::table& t, std::span<const std::string_view> allowed,
                    const std::string& path, std::string_view what) const {
        const toml::key* bad = nullptr;
        for (auto&& [k, v] : t) {
            if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
            if (bad == nullptr || before(k.source(), bad->source())) bad = &k;
        }
        if (bad != nullptr) check_name(bad->str(), allowed, what, where(bad->source(), path));
    }

    const toml::table& table(const toml::node& n, const std::string& path,
                             std::string_view expected = "a table") const {
        if (const auto* t = n.as_table()) return *t;
        fail(where(n, path), expected, found_text(n));
    }

    const toml::array& array(const toml::node& n, const std::string& path,
                             std::string_view expected) const {
        if (const auto* a = n.as_array()) return *a;
        fail(where(n, path), expected, found_text(n));
    }

    const std::string& string(const toml::node& n, const std::string& path,
                              std::string_view expected = "a string") const {
        if (const auto* s = n.as_string()) return s->get();
        fail(where(n, path), expected, found_text(n));
    }

    bool boolean(const toml::node& n, const std::string& path) const {
        if (const auto* b = n.as_boolean()) return b->get();
        fail(where(n, path), "a boolean (true or false)", found_text(n));
    }

    std::int64_t integer(const toml::node& n, const std::string& path, const interval& r) const {
        const auto* i = n.as_integer();
        if (i == nullptr) fail(where(n, path), describe(r), found_text(n));
        check_in(i->get(), r, where(n, path));
        return i->get();
    }

    // Integers are accepted where a number is expected.
    double number(const toml::node& n, const std::string& path, const interval& r,
                  std::string_view unit = {}) const {
        double v = 0;
        std::string as_written;
        if (const auto* f = n.as_floating_point()) {
            v = f->get();
            as_written = float_text(v);
        } else if (const auto* i = n.as_integer()) {
            v = static_cast<double>(i->get());
            as_written = std::to_string(i->get());
        } else {
            std::string expected = describe(r);
            if (!unit.empty()) expected.append(" (").append(unit).append(")");
            fail(where(n, path), expected, found_text(n));
        }
        check_in(v, r, where(n, path), unit, as_written);
        return v;
    }

    located_date date(const toml::node& n, const std::string& path) const {
        const auto* d = n.as_date();
        if (d == nullptr)
            fail(where(n, path), "a date (YYYY-MM-DD, without quotes)", found_text(n));
        const toml::date v = d->get();
        const sim::date out{std::chrono::year{int(v.year)}, std::chrono::month{unsigned(v.month)},
                            std::chrono::day{unsigned(v.day)}};
        check_year(out, where(n, path));
        return {out, where(n, path)};
    }

private:
    std::string file_;
};

template <std::size_t N>
std::vector<std::size_t> read_names(const reader& r, const toml::node& n, const std::string& path,
                                    const std::array<std::string_view, N>& names,
                                    std::string_view what) {
    const std::string expected = "a non-empty array of " + std::string(what) +
                                 " names (leave the key out to mean all)";
    const auto& a = r.array(n, path, expected);
    if (a.empty()) fail(r.where(n, path), expected, "an empty array");
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string p = index_path(path, i);
        const auto& s = r.string(a[i], p, "a " + std::string(what) + " name");
        const std::size_t k = check_name(s, names, "a " + std::string(what), r.where(a[i], p));
        if (std::find(out.begin(), out.end(), k) != out.end())
            fail(r.where(a[i], p), "each " + std::string(what) + " once", in_quotes(s) + " again");
        out.push_back(k);
    }
    return out;
}

template <class E>
std::vector<E> as_enums(const std::vector<std::size_t>& v) {
    std::vector<E> out;
    for (const auto i : v) out.push_back(static_cast<E>(i));
    return out;
}

models::targeting read_target(const reader& r, const toml::node& n, const std::string& path,
                              std::uint8_t mask, std::string_view owner) {
    const auto& t = r.table(n, path, "a table of targeting keys");
    const auto keys = in_file_order(t);

    std::array<std::string_view, 5> names{};
    for (std::size_t i = 0; i < names.size(); ++i) names[i] = target_keys()[i].name;

    models::targeting out;
    for (const auto& [k, v] : keys) {
        const std::size_t which = check_name(k->str(), names, "a targeting key",
                                             r.where(k->source(), path));
        check_target_key(mask, target_keys()[which], owner, r.where(k->source(), path));
        const std::string p = join_path(path, k->str());
        switch (which) {
        case 0:
            out.sectors = as_enums<models::sector>(
                read_names(r, *v, p, models::sector_names, "sector"));
            break;
        case 1:
            out.regions = as_enums<models::region>(
                read_names(r, *v, p, models::region_names, "region"));
            break;
        case 2:
            out.locations = as_enums<models::location>(
                read_names(r, *v, p, models::location_names, "location"));
            break;
        case 3:
            out.routes =
                as_enums<models::route>(read_names(r, *v, p, models::route_names, "route"));
            break;
        default: out.sme_only = r.boolean(*v, p); break;
        }
    }
    return out;
}

std::string lever_owner(models::lever l) {
    return "lever \"" + std::string(models::info(l).name) + "\"";
}

std::string shock_owner(models::shock_kind k) {
    return "shock \"" + std::string(models::info(k).name) + "\"";
}

// Reads and checks the `label` that every policy and shock has.
template <class Item>
void read_label(const reader& r, const toml::table& t, const std::string& path, Item& out) {
    const auto* label = t.get("label");
    if (label == nullptr) fail(r.where(t, join_path(path, "label")), "a label (a string)", required);
    out.value.label = r.string(*label, path + ".label", "a label (a string)");
    out.label_where = r.where(*label, path + ".label");
    check_label(out.value.label, out.label_where);
}

policy_item read_policy(const reader& r, const toml::table& t, const std::string& path) {
    r.check_keys(t, policy_keys, path, "a policy key");
    const auto missing = [&](std::string_view key, std::string_view expected) {
        fail(r.where(t, join_path(path, key)), expected, required);
    };
    policy_item out;
    out.value.where = r.where(t, path);

    read_label(r, t, path, out);

    const auto* lever = t.get("lever");
    if (lever == nullptr) missing("lever", "a lever name (a string)");
    const auto& lever_name = r.string(*lever, path + ".lever", "a lever name (a string)");
    out.value.what = static_cast<models::lever>(
        check_name(lever_name, lever_names(), "a lever", r.where(*lever, path + ".lever")));
    const auto& li = models::info(out.value.what);

    const auto* measure = t.get("measure");
    if (measure == nullptr) missing("measure", describe(measure_range));
    const auto m = r.integer(*measure, path + ".measure", measure_range);
    check_measure(out.value.what, m, r.where(*measure, path + ".measure"));
    out.value.measure = static_cast<int>(m);

    if (const auto* start = t.get("start")) out.start = r.date(*start, path + ".start");

    if (const auto* ramp = t.get("ramp_months"))
        out.value.ramp_months =
            static_cast<std::int32_t>(r.integer(*ramp, path + ".ramp_months", ramp_months_range));

    const interval strength_range{li.min, li.max};
    const auto* strength = t.get("strength");
    if (strength == nullptr)
        missing("strength", describe(strength_range) + " (" + std::string(li.unit) + ")");
    out.value.strength = r.number(*strength, path + ".strength", strength_range, li.unit);

    if (const auto* cost = t.get("fiscal_cost_cny_per_year"))
        out.value.fiscal_cost_cny_per_year =
            r.number(*cost, path + ".fiscal_cost_cny_per_year", fiscal_cost_range, "CNY a year");

    if (const auto* target = t.get("target"))
        out.value.target = read_target(r, *target, path + ".target", li.targeting,
                                       lever_owner(out.value.what));
    return out;
}

shock_item read_shock(const reader& r, const toml::table& t, const std::string& path) {
    r.check_keys(t, shock_keys, path, "a shock key");
    const auto missing = [&](std::string_view key, std::string_view expected) {
        fail(r.where(t, join_path(path, key)), expected, required);
    };
    shock_item out;
    out.value.where = r.where(t, path);

    read_label(r, t, path, out);

    const auto* kind = t.get("kind");
    if (kind == nullptr) missing("kind", "a shock kind (a string)");
    const auto& kind_name = r.string(*kind, path + ".kind", "a shock kind (a string)");
    out.value.what = static_cast<models::shock_kind>(
        check_name(kind_name, shock_names(), "a shock kind", r.where(*kind, path + ".kind")));
    const auto& si = models::info(out.value.what);

    if (const auto* start = t.get("start")) out.start = r.date(*start, path + ".start");
    if (const auto* end = t.get("end")) out.end = r.date(*end, path + ".end");
    if (out.start && out.end)
        check_end_after(out.end->value, out.start->value, path + ".start", out.end->where);

    const interval magnitude_range{si.min, si.max};
    const auto* magnitude = t.get("magnitude");
    if (magnitude == nullptr)
        missing("magnitude", describe(magnitude_range) + " (" + std::string(si.unit) + ")");
    out.value.magnitude = r.number(*magnitude, path + ".magnitude", magnitude_range, si.unit);

    if (const auto* target = t.get("target"))
        out.value.target = read_target(r, *target, path + ".target", si.targeting,
                                       shock_owner(out.value.what));
    return out;
}

void read_parameters(const reader& r, const toml::table& t, const std::string& path,
                     const std::string& prefix, std::map<std::string, double>& out) {
    // Nested tables ([parameters.firm] or firm.x = 1) flatten to dotted keys ("firm.x").
    const auto keys = in_file_order(t);
    for (const auto& [k, v] : keys) {
        const std::string key =
            prefix.empty() ? std::string(k->str()) : prefix + "." + std::string(k->str());
        const std::string p = join_path(path, k->str());
        if (const auto* sub = v->as_table()) {
            read_parameters(r, *sub, p, key, out);
            continue;
        }
        // Unknown keys are reported against [parameters] with the whole dotted key as found.
        check_parameter_key(key, r.where(k->source(), "parameters"));
        if (out.count(key) != 0)
            fail(r.where(k->source(), "parameters"), "each parameter once",
                 in_quotes(key) + " again");
        const auto* info = models::find_parameter(key);
        out[key] = r.number(*v, p, interval{info->min, info->max}, info->unit);
    }
}

void read_scenario_table(const reader& r, const toml::table& s, layer& out) {
    r.check_keys(s, scenario_keys, "scenario", "a key of [scenario]");

    const auto* name = s.get("name");
    if (name == nullptr) fail(r.where(s, "scenario.name"), "a scenario name (a string)", required);
    out.name = r.string(*name, "scenario.name", "a scenario name (a string)");
    check_scenario_name(out.name, r.where(*name, "scenario.name"));

    if (const auto* d = s.get("description"))
        out.description = r.string(*d, "scenario.description");

    if (const auto* e = s.get("extends")) {
        out.extends = r.string(*e, "scenario.extends", "a path to a scenario file (a string)");
        out.extends_where = r.where(*e, "scenario.extends");
        if (out.extends->empty())
            fail(out.extends_where, "a path to a scenario file", "an empty string");
    }

    if (const auto* rm = s.get("remove")) {
        const auto& a = r.array(*rm, "scenario.remove", "an array of labels");
        out.remove_where = r.where(*rm, "scenario.remove");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string p = index_path("scenario.remove", i);
            const auto& label = r.string(a[i], p, "a label (a string)");
            for (const auto& [seen, w] : out.remove)
                if (seen == label)
                    fail(r.where(a[i], p), "each label once", in_quotes(label) + " again");
            out.remove.emplace_back(label, r.where(a[i], p));
        }
        if (!out.extends)
            fail(out.remove_where, "remove only together with scenario.extends",
                 "no scenario.extends");
    }

    if (const auto* v = s.get("start")) out.start = r.date(*v, "scenario.start");
    if (const auto* v = s.get("end")) out.end = r.date(*v, "scenario.end");
    if (const auto* v = s.get("seed"))
        out.seed = static_cast<std::uint64_t>(r.integer(*v, "scenario.seed", seed_range));
    if (const auto* v = s.get("replicates"))
        out.replicates =
            static_cast<std::int32_t>(r.integer(*v, "scenario.replicates", replicates_range));
    if (const auto* v = s.get("population_scale"))
        out.population_scale = r.number(*v, "scenario.population_scale", population_scale_range);
    if (const auto* v = s.get("base_year"))
        out.base_year = {static_cast<std::int32_t>(r.integer(*v, "scenario.base_year", year_range)),
                         r.where(*v, "scenario.base_year")};
}

layer read_layer(const reader& r, const toml::table& root) {
    layer out;
    out.files.push_back(r.file());
    // A [scenario] key written above every table is a common slip: say where it belongs.
    const toml::key* first_unknown = nullptr;
    for (auto&& [k, v] : root)
        if (std::find(top_keys.begin(), top_keys.end(), k.str()) == top_keys.end() &&
            (first_unknown == nullptr || before(k.source(), first_unknown->source())))
            first_unknown = &k;
    if (first_unknown != nullptr &&
        std::find(scenario_keys.begin(), scenario_keys.end(), first_unknown->str()) !=
            scenario_keys.end())
        fail(r.where(first_unknown->source(), ""),
             "a top-level table (one of " + join(top_keys) + ")",
             in_quotes(first_unknown->str()) + ", a key of [scenario]; write it under [scenario]");
    r.check_keys(root, top_keys, "", "a top-level table");

    const auto* s = root.get("scenario");
    if (s == nullptr)
        fail({r.file(), 0, 0, "scenario.name"}, "a scenario name (a string) in [scenario]",
             required);
    read_scenario_table(r, r.table(*s, "scenario", "a table ([scenario])"), out);

    if (const auto* p = root.get("parameters"))
        read_parameters(r, r.table(*p, "parameters", "a table ([parameters])"), "parameters", "",
                        out.parameters);

    if (const auto* o = root.get("outputs")) {
        const auto& t = r.table(*o, "outputs", "a table ([outputs])");
        r.check_keys(t, output_keys, "outputs", "a key of [outputs]");
        for (std::size_t i = 0; i < output_keys.size(); ++i)
            if (const auto* v = t.get(output_keys[i]))
                out.outputs[i] = r.boolean(*v, join_path("outputs", output_keys[i]));
    }

    if (const auto* p = root.get("policy")) {
        const auto& a = r.array(*p, "policy", "an array of tables ([[policy]])");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string path = index_path("policy", i);
            out.policies.push_back(read_policy(r, r.table(a[i], path), path));
        }
    }
    if (const auto* p = root.get("shock")) {
        const auto& a = r.array(*p, "shock", "an array of tables ([[shock]])");
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string path = index_path("shock", i);
            out.shocks.push_back(read_shock(r, r.table(a[i], path), path));
        }
    }
    return out;
}

// ---- step 2: extends ------------------------------------------------------------------------

// Reads a whole file; on failure returns nullopt and says why in `problem` ("no such file").
std::optional<std::string> read_text(const fs::path& p, std::string& problem) {
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
        problem = "no such file";
        return std::nullopt;
    }
    if (fs::is_directory(st)) {
        problem = "a directory";
        return std::nullopt;
    }
    // Never open FIFOs or devices: reading them could block forever.
    if (!fs::is_regular_file(st)) {
        problem = "a special file";
        return std::nullopt;
    }
    const auto size = fs::file_size(p, ec);
    if (ec) {
        problem = "a file whose size cannot be read";
        return std::nullopt;
    }
    if (size > max_file_bytes) {
        problem = "a file of " + std::to_string(size) + " bytes (the limit is " +
                  std::to_string(max_file_bytes) + ")";
        return std::nullopt;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        problem = "a file that cannot be opened";
        return std::nullopt;
    }
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (in.bad()) {
        problem = "a file that cannot be read";
        return std::nullopt;
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

toml::table parse_toml(std::string_view text, const std::string& file) {
    try {
        return toml::parse(text, std::string_view(file));
    } catch (const toml::parse_error& e) {
        const auto& b = e.source().begin;
        throw sim::scenario_error(
            {file, static_cast<int>(b.line), static_cast<int>(b.column), {}},
            std::string(e.description()));
    }
}

// The files being read, outermost first, to catch cycles.
struct open_file {
    fs::path canonical; // empty for text given to load_string
    std::string display;
};

std::string_view label_of(const policy_item& p) { return p.value.label; }
std::string_view label_of(const shock_item& s) { return s.value.label; }

void apply_remove(layer& parent, const layer& child) {
    for (const auto& [label, where] : child.remove) {
        const auto match = [&](const auto& item) { return label_of(item) == label; };
        auto p = std::find_if(parent.policies.begin(), parent.policies.end(), match);
        if (p != parent.policies.end()) {
            parent.policies.erase(p);
            continue;
        }
        auto s = std::find_if(parent.shocks.begin(), parent.shocks.end(), match);
        if (s != parent.shocks.end()) {
            parent.shocks.erase(s);
            continue;
        }
        std::vector<std::string_view> labels;
        for (const auto& i : parent.policies) labels.push_back(i.value.label);
        for (const auto& i : parent.shocks) labels.push_back(i.value.label);
        std::string found = in_quotes(label);
        const auto guess = closest(label, labels);
        if (!guess.empty()) found.append("; did you mean ").append(in_quotes(guess)).append("?");
        fail(where, "the label of a policy or shock in " + parent.files.front(), found);
    }
}

layer merge(layer parent, layer child) {
    apply_remove(parent, child);
    layer out = std::move(child);
    out.files.insert(out.files.end(), parent.files.begin(), parent.files.end());
    if (!out.start) out.start = std::move(parent.start);
    if (!out.end) out.end = std::move(parent.end);
    if (!out.seed) out.seed = parent.seed;
    if (!out.replicates) out.replicates = parent.replicates;
    if (!out.population_scale) out.population_scale = parent.population_scale;
    if (!out.base_year) out.base_year = std::move(parent.base_year);
    for (auto& [k, v] : out.parameters) parent.parameters[k] = v;
    out.parameters = std::move(parent.parameters);
    for (std::size_t i = 0; i < out.outputs.size(); ++i)
        if (!out.outputs[i]) out.outputs[i] = parent.outputs[i];
    parent.policies.insert(parent.policies.end(), std::make_move_iterator(out.policies.begin()),
                           std::make_move_iterator(out.policies.end()));
    out.policies = std::move(parent.policies);
    parent.shocks.insert(parent.shocks.end(), std::make_move_iterator(out.shocks.begin()),
                         std::make_move_iterator(out.shocks.end()));
    out.shocks = std::move(parent.shocks);
    out.remove.clear();
    out.extends.reset();
    return out;
}

layer resolve(std::string_view text, const std::string& display, const fs::path& base_dir,
              std::vector<open_file>& open) {
    const toml::table root = parse_toml(text, display);
    layer here = read_layer(reader(display), root);
    if (!here.extends) return here;

    const fs::path parent_path = (base_dir / fs::path(*here.extends)).lexically_normal();
    const std::string parent_display = parent_path.generic_string();
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(parent_path, ec);
    for (std::size_t i = 0; i < open.size(); ++i) {
        if (ec || open[i].canonical.empty() || open[i].canonical != canonical) continue;
        std::string cycle;
        for (std::size_t j = i; j < open.size(); ++j) cycle.append(open[j].display).append(" -> ");
        cycle.append(parent_display);
        fail(here.extends_where, "a file that is not already being extended",
             in_quotes(*here.extends) + " (cycle: " + cycle + ")");
    }
    if (open.size() >= static_cast<std::size_t>(max_extends_depth))
        fail(here.extends_where,
             "at most " + std::to_string(max_extends_depth) + " levels of extends",
             in_quotes(*here.extends) + " at level " + std::to_string(open.size()));

    std::string problem;
    const auto parent_text = read_text(parent_path, problem);
    if (!parent_text)
        fail(here.extends_where, "a readable scenario file",
             in_quotes(*here.extends) + " (" + problem + ": " + parent_display + ")");

    open.push_back({ec ? fs::path{} : canonical, parent_display});
    layer parent = resolve(*parent_text, parent_display, parent_path.parent_path(), open);
    open.pop_back();
    return merge(std::move(parent), std::move(here));
}

// ---- step 3: the whole scenario -------------------------------------------------------------

models::model_spec finish(layer&& m) {
    models::model_spec spec;
    spec.name = m.name;
    spec.description = m.description;
    if (m.start) spec.start = m.start->value;
    if (m.end) spec.end = m.end->value;
    if (m.start) check_month_start(spec.start, m.start->where);
    if (m.end) check_month_end(spec.end, m.end->where);
    if (m.end)
        check_end_after(spec.end, spec.start, "scenario.start", m.end->where);
    else if (m.start && std::chrono::sys_days{spec.start} > std::chrono::sys_days{spec.end})
        fail(m.start->where, "a date on or before scenario.end (" + sim::to_string(spec.end) + ")",
             sim::to_string(spec.start));
    // The drivers must cover the run's years (and 2024, where the national vehicle figure sits).
    if (const auto cover = models::driver_coverage(); int(spec.end.year()) > cover.last)
        fail(m.end ? m.end->where : sim::source_location{m.files.front(), 0, 0, "scenario.end"},
             "an end date on or before " + std::to_string(cover.last) +
                 "-12-31 (the last year of data/drivers.csv)",
             sim::to_string(spec.end));
    else if (std::min(int(spec.start.year()), int(models::forecast_origin_year)) < cover.first)
        fail(m.start ? m.start->where : sim::source_location{m.files.front(), 0, 0, "scenario.start"},
             "a start date in " + std::to_string(cover.first) + " or later (data/drivers.csv has growth rates for every " +
                 "driver the model reads in " + std::to_string(cover.first) + "-" + std::to_string(cover.last) +
                 " only: add realized rows for the earlier years)",
             sim::to_string(spec.start));
    if (m.seed) spec.seed = *m.seed;
    if (m.replicates) spec.replicates = *m.replicates;
    if (m.population_scale) spec.population_scale = *m.population_scale;
    if (m.base_year) {
        spec.base_year = m.base_year->first;
        check_base_year(spec.base_year, spec.start, m.base_year->second);
    }
    spec.parameters = std::move(m.parameters);
    if (m.outputs[0]) spec.outputs.firm_snapshots = *m.outputs[0];
    if (m.outputs[1]) spec.outputs.train_departures = *m.outputs[1];
    if (m.outputs[2]) spec.outputs.shipment_flows = *m.outputs[2];

    // Labels are unique across policies and shocks: `remove` names either.
    std::map<std::string, sim::source_location, std::less<>> labels;
    const auto unique = [&](const std::string& label, const sim::source_location& where,
                            const sim::source_location& item) {
        const auto [it, inserted] = labels.emplace(label, item);
        if (inserted) return;
        const auto& first = it->second;
        fail(where, "a unique label",
             in_quotes(label) + " (also the label of " + first.key + " at " + first.file + ":" +
                 std::to_string(first.line) + ":" + std::to_string(first.column) + ")");
    };

    for (auto& p : m.policies) {
        unique(p.value.label, p.label_where, p.value.where);
        p.value.start = spec.start;
        if (p.start) {
            check_within(p.start->value, spec.start, spec.end, p.start->where);
            p.value.start = p.start->value;
        }
        spec.instruments.push_back(std::move(p.value));
    }
    for (auto& s : m.shocks) {
        unique(s.value.label, s.label_where, s.value.where);
        s.value.start = spec.start;
        s.value.end = spec.end;
        if (s.start) {
            check_within(s.start->value, spec.start, spec.end, s.start->where);
            s.value.start = s.start->value;
        }
        if (s.end) {
            check_within(s.end->value, spec.start, spec.end, s.end->where);
            s.value.end = s.end->value;
        }
        spec.shocks.push_back(std::move(s.value));
    }

    std::string header = "# tradeeco scenario \"" + spec.name + "\", resolved from ";
    for (std::size_t i = 0; i < m.files.size(); ++i) {
        if (i > 0) header.append(" <- ");
        header.append(m.files[i]);
    }
    header.append(
        "\n# Inherited and default values are written out; this text loads on its own.\n\n");
    spec.resolved_text = header + to_toml(spec);
#if TRADEECO_CHECKED
    // The file rules and the spec rules must agree.
    validate(spec);
#endif
    return spec;
}

} // namespace

models::model_spec load_file(const std::filesystem::path& path) {
    const std::string display = path.generic_string();
    std::string problem;
    const auto text = read_text(path, problem);
    if (!text) fail({display, 0, 0, {}}, "a readable scenario file", problem);
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(path, ec);
    std::vector<open_file> open{{ec ? fs::path{} : canonical, display}};
    return finish(resolve(*text, display, path.parent_path(), open));
}

models::model_spec load_string(std::string_view text, std::string_view name,
                               const std::filesystem::path& base_dir) {
    const std::string display(name);
    std::vector<open_file> open{{fs::path{}, display}};
    return finish(resolve(text, display, base_dir, open));
}

} // namespace tradeeco::scenarios
