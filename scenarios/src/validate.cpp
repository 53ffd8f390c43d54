#include <tradeeco/scenarios/validate.hpp>

#include "rules.hpp"

#include <algorithm>
#include <map>

namespace tradeeco::scenarios {

using namespace detail;

namespace {

// Where an instrument or shock was defined; specs built in code have no file, so they get
// "<spec>" and "policy[i]" / "shock[i]" by position.
sim::source_location item_where(const sim::source_location& where, std::string_view kind,
                                std::size_t i) {
    sim::source_location out = where;
    if (out.file.empty()) out.file = "<spec>";
    if (out.key.empty()) out.key = std::string(kind) + "[" + std::to_string(i) + "]";
    return out;
}

template <class E, std::size_t N>
void check_list(const std::vector<E>& values, const std::array<std::string_view, N>& names,
                std::string_view what, const sim::source_location& where) {
    std::vector<std::size_t> seen;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto k = static_cast<std::size_t>(values[i]);
        const auto w = at(where, where.key + "[" + std::to_string(i) + "]");
        if (k >= N)
            fail(w, "a " + std::string(what), "the value " + std::to_string(k));
        if (std::find(seen.begin(), seen.end(), k) != seen.end())
            fail(w, "each " + std::string(what) + " once", in_quotes(names[k]) + " again");
        seen.push_back(k);
    }
}

void check_targeting(const models::targeting& t, std::uint8_t mask, std::string_view owner,
                     const sim::source_location& where) {
    const auto keys = target_keys();
    const bool present[] = {!t.sectors.empty(), !t.regions.empty(), !t.locations.empty(),
                            !t.routes.empty(), t.sme_only};
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (present[i]) check_target_key(mask, keys[i], owner, at(where, where.key + ".target"));
    const auto sub = [&](std::string_view k) {
        return at(where, where.key + ".target." + std::string(k));
    };
    check_list(t.sectors, models::sector_names, "sector", sub("sectors"));
    check_list(t.regions, models::region_names, "region", sub("regions"));
    check_list(t.locations, models::location_names, "location", sub("locations"));
    check_list(t.routes, models::route_names, "route", sub("routes"));
}

} // namespace

void validate(const models::model_spec& spec) {
    const sim::source_location top{"<spec>", 0, 0, {}};
    check_scenario_name(spec.name, at(top, "scenario.name"));
    check_year(spec.start, at(top, "scenario.start"));
    check_year(spec.end, at(top, "scenario.end"));
    check_month_start(spec.start, at(top, "scenario.start"));
    check_month_end(spec.end, at(top, "scenario.end"));
    check_end_after(spec.end, spec.start, "scenario.start", at(top, "scenario.end"));
    if (spec.seed > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        fail(at(top, "scenario.seed"), "an integer in [0, 9223372036854775807]",
             std::to_string(spec.seed));
    check_in(static_cast<std::int64_t>(spec.replicates), replicates_range,
             at(top, "scenario.replicates"));
    check_in(spec.population_scale, population_scale_range, at(top, "scenario.population_scale"));
    if (spec.base_year != 0) check_base_year(spec.base_year, spec.start, at(top, "scenario.base_year"));
    for (const auto& [k, v] : spec.parameters) {
        const auto w = at(top, "parameters." + k);
        check_parameter_key(k, w);
        check_parameter_value(k, v, w);
    }

    std::map<std::string, std::string, std::less<>> labels;
    const auto unique = [&](const std::string& label, const sim::source_location& w) {
        const auto [it, inserted] = labels.emplace(label, w.key);
        if (!inserted)
            fail(at(w, w.key + ".label"), "a unique label",
                 in_quotes(label) + " (also the label of " + it->second + ")");
    };

    for (std::size_t i = 0; i < spec.instruments.size(); ++i) {
        const auto& p = spec.instruments[i];
        const auto w = item_where(p.where, "policy", i);
        const auto key = [&](std::string_view k) { return at(w, w.key + "." + std::string(k)); };
        check_label(p.label, key("label"));
        if (static_cast<std::size_t>(p.what) >= models::num_levers)
            fail(key("lever"), "a lever", "the value " + std::to_string(static_cast<int>(p.what)));
        check_measure(p.what, p.measure, key("measure"));
        check_year(p.start, key("start"));
        check_within(p.start, spec.start, spec.end, key("start"));
        check_in(static_cast<std::int64_t>(p.ramp_months), ramp_months_range, key("ramp_months"));
        check_strength(p.what, p.strength, key("strength"));
        check_in(p.fiscal_cost_cny_per_year, fiscal_cost_range, key("fiscal_cost_cny_per_year"),
                 "CNY a year");
        check_targeting(p.target, models::info(p.what).targeting,
                        "lever \"" + std::string(models::info(p.what).name) + "\"", w);
        unique(p.label, w);
    }
    for (std::size_t i = 0; i < spec.shocks.size(); ++i) {
        const auto& s = spec.shocks[i];
        const auto w = item_where(s.where, "shock", i);
        const auto key = [&](std::string_view k) { return at(w, w.key + "." + std::string(k)); };
        check_label(s.label, key("label"));
        if (static_cast<std::size_t>(s.what) >= models::num_shock_kinds)
            fail(key("kind"), "a shock kind",
                 "the value " + std::to_string(static_cast<int>(s.what)));
        check_year(s.start, key("start"));
        check_year(s.end, key("end"));
        check_within(s.start, spec.start, spec.end, key("start"));
        check_within(s.end, spec.start, spec.end, key("end"));
        check_end_after(s.end, s.start, w.key + ".start", key("end"));
        check_magnitude(s.what, s.magnitude, key("magnitude"));
        check_targeting(s.target, models::info(s.what).targeting,
                        "shock \"" + std::string(models::info(s.what).name) + "\"", w);
        unique(s.label, w);
    }
}

} // namespace tradeeco::scenarios
