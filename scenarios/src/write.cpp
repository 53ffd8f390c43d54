#include <tradeeco/scenarios/write.hpp>

#include "rules.hpp"

#include <algorithm>

namespace tradeeco::scenarios {

using namespace detail;

namespace {

std::string toml_key(std::string_view key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
    return bare ? std::string(key) : toml_string(key);
}

template <class E, std::size_t N>
void write_names(std::string& out, std::string_view key, const std::vector<E>& values,
                 const std::array<std::string_view, N>& names) {
    if (values.empty()) return;
    out.append(key).append(" = [");
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out.append(", ");
        const auto k = static_cast<std::size_t>(values[i]);
        out.append(toml_string(k < N ? names[k] : std::string_view("?")));
    }
    out.append("]\n");
}

void write_target(std::string& out, std::string_view table, const models::targeting& t) {
    if (t.sectors.empty() && t.regions.empty() && t.locations.empty() && t.routes.empty() &&
        !t.sme_only)
        return;
    out.append("[").append(table).append(".target]\n");
    write_names(out, "sectors", t.sectors, models::sector_names);
    write_names(out, "regions", t.regions, models::region_names);
    write_names(out, "locations", t.locations, models::location_names);
    write_names(out, "routes", t.routes, models::route_names);
    if (t.sme_only) out.append("sme_only = true\n");
}

const char* boolean(bool b) { return b ? "true" : "false"; }

} // namespace

std::string to_toml(const models::model_spec& spec) {
    std::string out;
    out.append("[scenario]\n");
    out.append("name = ").append(toml_string(spec.name)).append("\n");
    out.append("description = ").append(toml_string(spec.description)).append("\n");
    out.append("start = ").append(sim::to_string(spec.start)).append("\n");
    out.append("end = ").append(sim::to_string(spec.end)).append("\n");
    out.append("seed = ").append(std::to_string(spec.seed)).append("\n");
    out.append("replicates = ").append(std::to_string(spec.replicates)).append("\n");
    out.append("population_scale = ").append(float_text(spec.population_scale)).append("\n");
    if (spec.base_year != 0) out.append("base_year = ").append(std::to_string(spec.base_year)).append("\n");

    out.append("\n[parameters]\n");
    for (const auto& [k, v] : spec.parameters)
        out.append(toml_key(k)).append(" = ").append(float_text(v)).append("\n");

    out.append("\n[outputs]\n");
    out.append("firm_snapshots = ").append(boolean(spec.outputs.firm_snapshots)).append("\n");
    out.append("train_departures = ").append(boolean(spec.outputs.train_departures)).append("\n");
    out.append("shipment_flows = ").append(boolean(spec.outputs.shipment_flows)).append("\n");

    for (const auto& p : spec.instruments) {
        const auto l = static_cast<std::size_t>(p.what);
        out.append("\n[[policy]]\n");
        out.append("label = ").append(toml_string(p.label)).append("\n");
        out.append("measure = ").append(std::to_string(p.measure)).append("\n");
        out.append("lever = ")
            .append(toml_string(l < models::num_levers ? models::info(p.what).name : "?"))
            .append("\n");
        out.append("start = ").append(sim::to_string(p.start)).append("\n");
        out.append("ramp_months = ").append(std::to_string(p.ramp_months)).append("\n");
        out.append("strength = ").append(float_text(p.strength)).append("\n");
        out.append("fiscal_cost_cny_per_year = ")
            .append(float_text(p.fiscal_cost_cny_per_year))
            .append("\n");
        write_target(out, "policy", p.target);
    }
    for (const auto& s : spec.shocks) {
        const auto k = static_cast<std::size_t>(s.what);
        out.append("\n[[shock]]\n");
        out.append("label = ").append(toml_string(s.label)).append("\n");
        out.append("kind = ")
            .append(toml_string(k < models::num_shock_kinds ? models::info(s.what).name : "?"))
            .append("\n");
        out.append("start = ").append(sim::to_string(s.start)).append("\n");
        out.append("end = ").append(sim::to_string(s.end)).append("\n");
        out.append("magnitude = ").append(float_text(s.magnitude)).append("\n");
        write_target(out, "shock", s.target);
    }
    return out;
}

} // namespace tradeeco::scenarios
