// Version, provenance and the model's catalogues (parameters, levers, shocks) as plain Python
// lists of dicts: they are small, read once, and easy to turn into a pandas.DataFrame.

#include "bindings.hpp"

#include <tradeeco/models/levers.hpp>
#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/run.hpp>
#include <tradeeco/models/taxonomy.hpp>

#include <pybind11/stl.h>

namespace tradeeco::python {

namespace {

py::str str(std::string_view s) { return py::str(s.data(), s.size()); }

py::list targeting_keys(std::uint8_t keys) {
    py::list out;
    if (keys & models::target_sectors) out.append("sectors");
    if (keys & models::target_regions) out.append("regions");
    if (keys & models::target_locations) out.append("locations");
    if (keys & models::target_routes) out.append("routes");
    if (keys & models::target_sme_only) out.append("sme_only");
    return out;
}

template <std::size_t N>
py::list names(const std::array<std::string_view, N>& table) {
    py::list out;
    for (auto n: table) out.append(str(n));
    return out;
}

} // namespace

void register_info(py::module_& m) {
    m.def("version", &models::version, "tradeeco's version, e.g. '0.1.0'.");
    m.def("git_revision", &models::git_revision,
          "The git revision tradeeco was built from ('unknown' outside a git checkout).");

    m.def(
        "parameter_table",
        [] {
            py::list out;
            for (const auto& p: models::parameter_table()) {
                py::dict d;
                d["key"] = str(p.key);
                d["value"] = p.value;
                d["unit"] = str(p.unit);
                d["min"] = p.min;
                d["max"] = p.max;
                d["description"] = str(p.description);
                d["source"] = str(p.source);
                d["prior"] = str(models::prior_name(p.prior));
                d["pinned"] = p.pinned;
                d["used_by"] = str(p.used_by);
                out.append(d);
            }
            return out;
        },
        "Every model parameter: list of dicts with key, value, unit, min, max, description, "
        "source, prior (uniform, triangular, normal or lognormal over [min, max]), pinned (set "
        "by the calibration to 2024 data) and used_by (the mechanism files in models/src that "
        "read it). Scenarios may override values by key within [min, max].");

    m.def(
        "lever_catalogue",
        [] {
            py::list out;
            for (const auto& l: models::lever_catalogue()) {
                py::dict d;
                d["name"] = str(l.name);
                d["unit"] = str(l.unit);
                d["min"] = l.min;
                d["max"] = l.max;
                d["targeting"] = targeting_keys(l.targeting);
                d["measures"] = py::list(py::cast(std::vector<int>(l.measures.begin(), l.measures.end())));
                d["description"] = str(l.description);
                out.append(d);
            }
            return out;
        },
        "The policy levers a scenario can use: list of dicts with name, unit, min, max (allowed "
        "strength), targeting (accepted targeting keys), measures (plan measures it can "
        "represent) and description.");

    m.def(
        "shock_catalogue",
        [] {
            py::list out;
            for (const auto& s: models::shock_catalogue()) {
                py::dict d;
                d["name"] = str(s.name);
                d["unit"] = str(s.unit);
                d["min"] = s.min;
                d["max"] = s.max;
                d["targeting"] = targeting_keys(s.targeting);
                d["description"] = str(s.description);
                out.append(d);
            }
            return out;
        },
        "The shocks a scenario can apply: list of dicts with name, unit, min, max, targeting and "
        "description.");

    m.def(
        "taxonomy",
        [] {
            py::dict d;
            d["sectors"] = names(models::sector_names);
            d["regions"] = names(models::region_names);
            d["locations"] = names(models::location_names);
            d["ownerships"] = names(models::ownership_names);
            d["routes"] = names(models::route_names);
            return d;
        },
        "The model's category names (sectors, regions, locations, ownerships, routes), as used "
        "in scenario files and result files.");
}

} // namespace tradeeco::python
