// Scenarios: tradeeco._core.Spec (an immutable, validated model_spec) and the two loaders.
// Everything a Spec shows is a fresh Python object (dicts and lists are copies), so nothing
// reachable from Python can change a Spec after it was validated.

#include "bindings.hpp"

#include <tradeeco/models/levers.hpp>
#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/taxonomy.hpp>
#include <tradeeco/scenarios/load.hpp>
#include <tradeeco/scenarios/write.hpp>
#include <tradeeco/scenarios/validate.hpp>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

namespace tradeeco::python {

namespace {

py::str str(std::string_view s) { return py::str(s.data(), s.size()); }

template <class Enum, std::size_t N>
py::list enum_names(const std::vector<Enum>& values, const std::array<std::string_view, N>& table) {
    py::list out;
    for (auto v: values) {
        const auto i = static_cast<std::size_t>(v);
        out.append(i < N ? str(table[i]) : py::str("?"));
    }
    return out;
}

py::dict to_dict(const models::targeting& t) {
    py::dict d;
    d["sectors"] = enum_names(t.sectors, models::sector_names);
    d["regions"] = enum_names(t.regions, models::region_names);
    d["locations"] = enum_names(t.locations, models::location_names);
    d["routes"] = enum_names(t.routes, models::route_names);
    d["sme_only"] = t.sme_only;
    return d;
}

py::str where_text(const sim::source_location& w) {
    std::string out = w.file;
    if (w.line > 0) {
        out.append(":").append(std::to_string(w.line));
        if (w.column > 0) out.append(":").append(std::to_string(w.column));
    }
    return py::str(out);
}

py::dict to_dict(const models::instrument& in) {
    const auto& info = models::info(in.what);
    py::dict d;
    d["label"] = in.label;
    d["measure"] = in.measure;
    d["lever"] = str(info.name);
    d["start"] = to_py_date(in.start);
    d["ramp_months"] = in.ramp_months;
    d["strength"] = in.strength;
    d["unit"] = str(info.unit);
    d["target"] = to_dict(in.target);
    d["fiscal_cost_cny_per_year"] = in.fiscal_cost_cny_per_year;
    d["where"] = where_text(in.where);
    return d;
}

py::dict to_dict(const models::shock& s) {
    const auto& info = models::info(s.what);
    py::dict d;
    d["label"] = s.label;
    d["kind"] = str(info.name);
    d["start"] = to_py_date(s.start);
    d["end"] = to_py_date(s.end);
    d["magnitude"] = s.magnitude;
    d["unit"] = str(info.unit);
    d["target"] = to_dict(s.target);
    d["where"] = where_text(s.where);
    return d;
}

std::string iso(sim::date d) { return sim::to_string(d); }

std::string repr(const models::model_spec& s) {
    std::ostringstream out;
    out << "Spec(name=" << py::repr(py::str(s.name)).cast<std::string>() << ", " << iso(s.start)
        << ".." << iso(s.end) << ", seed=" << s.seed << ", replicates=" << s.replicates;
    if (s.population_scale != 1.0) out << ", population_scale=" << s.population_scale;
    out << ", " << s.instruments.size() << " instruments, " << s.shocks.size() << " shocks)";
    return out.str();
}

// An integer in [lo, hi]; bools and floats are refused rather than converted.
template <class T>
T checked_integer(const py::object& value, const char* what, T lo, T hi) {
    const auto fail = [&]() -> T {
        throw py::value_error(std::string(what) + " must be an integer in [" + std::to_string(lo) +
                              ", " + std::to_string(hi) + "], got " +
                              py::repr(value).cast<std::string>());
    };
    if (!PyLong_Check(value.ptr()) || PyBool_Check(value.ptr())) return fail();
    if (py::int_(value) < py::int_(lo) || py::int_(value) > py::int_(hi)) return fail();
    return value.cast<T>();
}

// Spec.with_(): a copy with run-time overrides (the CLI's --seed and --replicates). Checked here
// because these values bypass the scenario parser's validation.
py_spec with_overrides(const py_spec& self, const py::object& seed, const py::object& replicates,
                       const py::object& population_scale, const py::object& end) {
    py_spec out = self;
    std::ostringstream note;
    if (!seed.is_none()) {
        out.spec.seed = checked_integer<std::uint64_t>(seed, "seed", 0,
                                                       std::numeric_limits<std::uint64_t>::max());
        note << " seed = " << out.spec.seed;
    }
    if (!replicates.is_none()) {
        out.spec.replicates = checked_integer<std::int32_t>(
            replicates, "replicates", 1, std::numeric_limits<std::int32_t>::max());
        note << " replicates = " << out.spec.replicates;
    }
    if (!population_scale.is_none()) {
        if (!(PyFloat_Check(population_scale.ptr()) || PyLong_Check(population_scale.ptr())) ||
            PyBool_Check(population_scale.ptr()))
            throw py::type_error("population_scale must be a number, got " +
                                 py::repr(population_scale).cast<std::string>());
        const double scale = population_scale.cast<double>();
        if (!std::isfinite(scale) || scale <= 0)
            throw py::value_error("population_scale must be a positive number, got " +
                                  py::repr(population_scale).cast<std::string>());
        out.spec.population_scale = scale;
        note << " population_scale = " << scale;
    }
    if (!end.is_none()) {
        const sim::date e = from_py_date(end);
        if (std::chrono::sys_days(e) < std::chrono::sys_days(out.spec.start))
            throw py::value_error("end " + iso(e) + " is before the scenario's start " +
                                  iso(out.spec.start));
        out.spec.end = e;
        note << " end = " << iso(e);
    }
    // The scalar rules a scenario file obeys (population_scale in [0.001, 200], end in 2000 to
    // 2100, seed below 2^63): an override must not run what no file could, e.g. a population a
    // million times the real one. Policies and shocks are left out, so that an earlier end
    // still cuts a scenario short for a quick experiment.
    models::model_spec scalars = out.spec;
    scalars.instruments.clear();
    scalars.shocks.clear();
    scenarios::validate(scalars);
    // The resolved text is the run's provenance and must load back to this spec (parameter
    // overrides and ensembles re-read it): write the spec out again under the original header,
    // and say what was overridden.
    if (!note.str().empty()) {
        const std::string& old = self.spec.resolved_text;
        std::size_t header_end = 0;
        while (header_end < old.size() && old[header_end] == '#') {
            const auto eol = old.find('\n', header_end);
            header_end = eol == std::string::npos ? old.size() : eol + 1;
        }
        out.spec.resolved_text = old.substr(0, header_end) +
                                 "# overridden at run time (Spec.with_):" + note.str() + "\n\n" +
                                 scenarios::to_toml(out.spec);
    }
    return out;
}

// Spec.with_parameter_sets(): a copy whose replicates draw from these sets. Checked again here
// (tradeeco.posterior's loader already gave file/line messages) because a Spec must never hold
// a set the model cannot run.
py_spec with_parameter_sets(const py_spec& self, std::vector<std::string> keys,
                            std::vector<std::vector<double>> rows, std::vector<double> weights,
                            std::vector<std::pair<std::string, std::string>> provenance,
                            std::int32_t replicates_per_set,
                            std::int32_t replicates_per_driver_path) {
    py_spec out = self;
    models::parameter_sets& ps = out.spec.posterior;
    ps = {};
    if (weights.empty() && rows.empty() && keys.empty()) return out; // back to fixed parameters
    if (rows.size() != weights.size())
        throw py::value_error("parameter sets: " + std::to_string(rows.size()) + " rows but " +
                              std::to_string(weights.size()) + " weights");
    if (rows.empty()) throw py::value_error("parameter sets: no sets");
    for (std::size_t k = 0; k < keys.size(); ++k) {
        if (!models::find_parameter(keys[k]))
            throw py::value_error("parameter sets: unknown parameter '" + keys[k] +
                                  "' (tradeeco parameters lists the keys)");
        for (std::size_t j = 0; j < k; ++j)
            if (keys[j] == keys[k])
                throw py::value_error("parameter sets: parameter '" + keys[k] + "' twice");
    }
    double total = 0.0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].size() != keys.size())
            throw py::value_error("parameter sets: set " + std::to_string(i) + " has " +
                                  std::to_string(rows[i].size()) + " values for " +
                                  std::to_string(keys.size()) + " parameters");
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const auto* info = models::find_parameter(keys[k]);
            const double v = rows[i][k];
            if (!std::isfinite(v) || v < info->min || v > info->max)
                throw py::value_error("parameter sets: set " + std::to_string(i) + ", " + keys[k] +
                                      ": expected a value in [" + std::to_string(info->min) + ", " +
                                      std::to_string(info->max) + "], found " + std::to_string(v));
            ps.values.push_back(v);
        }
        if (!std::isfinite(weights[i]) || weights[i] < 0)
            throw py::value_error("parameter sets: set " + std::to_string(i) +
                                  ": weight must be finite and >= 0, found " +
                                  std::to_string(weights[i]));
        total += weights[i];
    }
    if (!(total > 0)) throw py::value_error("parameter sets: the weights sum to 0");
    for (auto& w: weights) w /= total;
    for (const auto& [k, v]: provenance) {
        const bool name_ok = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
        if (!name_ok)
            throw py::value_error("parameter sets: provenance key '" + k +
                                  "' must be lower-case letters, digits and _");
    }
    if (replicates_per_set < 1)
        throw py::value_error("replicates_per_set must be >= 1, got " +
                              std::to_string(replicates_per_set));
    if (replicates_per_driver_path < 1 || replicates_per_set % replicates_per_driver_path != 0)
        throw py::value_error("replicates_per_driver_path must be >= 1 and divide "
                              "replicates_per_set (" + std::to_string(replicates_per_set) +
                              "), got " + std::to_string(replicates_per_driver_path));
    ps.replicates_per_set = replicates_per_set;
    ps.replicates_per_driver_path = replicates_per_driver_path;
    ps.keys = std::move(keys);
    ps.weights = std::move(weights);
    ps.provenance = std::move(provenance);
    return out;
}

py::object parameter_sets_dict(const models::parameter_sets& ps) {
    if (ps.empty()) return py::none();
    py::dict d;
    d["keys"] = ps.keys;
    py::list rows;
    const auto width = std::ptrdiff_t(ps.keys.size());
    for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(ps.size()); ++i)
        rows.append(std::vector<double>(ps.values.begin() + i * width,
                                        ps.values.begin() + (i + 1) * width));
    d["values"] = rows;
    d["weights"] = ps.weights;
    d["replicates_per_set"] = ps.replicates_per_set;
    d["replicates_per_driver_path"] = ps.replicates_per_driver_path;
    py::dict prov;
    for (const auto& [k, v]: ps.provenance) prov[py::str(k)] = v;
    d["provenance"] = prov;
    return d;
}

} // namespace

py::object to_py_date(sim::date d) {
    static const auto date_type = py::module_::import("datetime").attr("date");
    return date_type(static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

sim::date from_py_date(const py::handle& obj) {
    if (py::isinstance<py::str>(obj)) {
        const auto date_type = py::module_::import("datetime").attr("date");
        return from_py_date(date_type.attr("fromisoformat")(obj));
    }
    if (!py::hasattr(obj, "year") || !py::hasattr(obj, "month") || !py::hasattr(obj, "day"))
        throw py::type_error("expected a datetime.date or an ISO date string, got " +
                             py::repr(obj).cast<std::string>());
    try {
        return sim::make_date(obj.attr("year").cast<int>(), obj.attr("month").cast<unsigned>(),
                              obj.attr("day").cast<unsigned>());
    } catch (const std::invalid_argument& e) {
        throw py::value_error(e.what());
    }
}

void register_scenarios(py::module_& m) {
    py::class_<py_spec>(m, "Spec",
                        "A validated, immutable scenario: horizon, seed, replicates, parameter "
                        "overrides, policy instruments and shocks. Made by load_scenario() or "
                        "load_scenario_string(); with_() returns a modified copy.")
        .def_property_readonly("name", [](const py_spec& s) { return s.spec.name; })
        .def_property_readonly("description", [](const py_spec& s) { return s.spec.description; })
        .def_property_readonly("seed", [](const py_spec& s) { return s.spec.seed; })
        .def_property_readonly("replicates", [](const py_spec& s) { return s.spec.replicates; })
        .def_property_readonly("start", [](const py_spec& s) { return to_py_date(s.spec.start); },
                               "First simulated day (datetime.date).")
        .def_property_readonly("end", [](const py_spec& s) { return to_py_date(s.spec.end); },
                               "Last simulated day, inclusive (datetime.date).")
        .def_property_readonly("population_scale",
                               [](const py_spec& s) { return s.spec.population_scale; })
        .def_property_readonly("resolved_text",
                               [](const py_spec& s) { return s.spec.resolved_text; },
                               "The scenario text after `extends` was applied (provenance).")
        .def_property_readonly(
            "parameters",
            [](const py_spec& s) {
                py::dict d;
                for (const auto& [k, v]: s.spec.parameters) d[py::str(k)] = v;
                return d;
            },
            "Parameter overrides by key (a copy).")
        .def_property_readonly(
            "instruments",
            [](const py_spec& s) {
                py::list out;
                for (const auto& in: s.spec.instruments) out.append(to_dict(in));
                return out;
            },
            "Policy instruments, as dicts: label, measure, lever, start, ramp_months, strength, "
            "unit, target, fiscal_cost_cny_per_year, where.")
        .def_property_readonly(
            "shocks",
            [](const py_spec& s) {
                py::list out;
                for (const auto& sh: s.spec.shocks) out.append(to_dict(sh));
                return out;
            },
            "Shocks, as dicts: label, kind, start, end, magnitude, unit, target, where.")
        .def_property_readonly(
            "outputs",
            [](const py_spec& s) {
                py::dict d;
                d["firm_snapshots"] = s.spec.outputs.firm_snapshots;
                d["train_departures"] = s.spec.outputs.train_departures;
                d["shipment_flows"] = s.spec.outputs.shipment_flows;
                return d;
            },
            "Optional outputs switched on by the scenario.")
        .def("with_", &with_overrides, py::kw_only(), py::arg("seed") = py::none(),
             py::arg("replicates") = py::none(), py::arg("population_scale") = py::none(),
             py::arg("end") = py::none(),
             "A copy with some values overridden (seed, replicates, population_scale, end date). "
             "The override is noted at the end of resolved_text.")
        .def_property_readonly(
            "parameter_sets",
            [](const py_spec& s) { return parameter_sets_dict(s.spec.posterior); },
            "The parameter sets replicates draw from (a copy: dict of keys, values (one list per "
            "set), weights (normalized) and provenance), or None for fixed parameters.")
        .def("with_parameter_sets", &with_parameter_sets, py::arg("keys"), py::arg("values"),
             py::arg("weights"),
             py::arg("provenance") = std::vector<std::pair<std::string, std::string>>{},
             py::arg("replicates_per_set") = 1, py::arg("replicates_per_driver_path") = 1,
             "A copy whose replicate r draws set draw_parameter_set(weights, seed, r // "
             "replicates_per_set) and runs with its values (explicit parameter overrides win for the same key). `values` is one list "
             "per set, in the order of `keys`; weights >= 0 are normalized; `provenance` is a list "
             "of (key, text) written as posterior_<key> root attributes of result files. All "
             "empty: fixed parameters. Blocks of replicates_per_driver_path replicates share a driver "
             "path (a nested design). Raises ValueError for an unknown key, a value outside the "
             "parameter's range or bad weights.")
        .def("__repr__", [](const py_spec& s) { return repr(s.spec); })
        .def("__copy__", [](const py_spec& s) { return s; })
        .def("__deepcopy__", [](const py_spec& s, const py::object&) { return s; });

    m.def(
        "draw_parameter_set",
        [](const std::vector<double>& weights, std::uint64_t seed,
           const std::vector<std::int32_t>& replicates) {
            std::vector<std::int32_t> out;
            out.reserve(replicates.size());
            try {
                for (const auto r: replicates)
                    out.push_back(models::draw_parameter_set(weights, seed, r));
            } catch (const std::invalid_argument& e) {
                throw py::value_error(e.what());
            }
            return out;
        },
        py::arg("weights"), py::arg("seed"), py::arg("replicates"),
        "The parameter set each replicate of a run with `seed` draws by `weights` (a list of "
        "indices, one per replicate): the same function the model uses, independent of the "
        "scenario and the thread count.");
    m.def(
        "load_scenario",
        [](const std::filesystem::path& path) { return py_spec{scenarios::load_file(path)}; },
        py::arg("path"),
        "Reads, resolves `extends` and validates a scenario file. Raises ScenarioError.");
    m.def(
        "load_scenario_string",
        [](std::string_view text, std::string_view name, const std::filesystem::path& base_dir) {
            return py_spec{scenarios::load_string(text, name, base_dir)};
        },
        py::arg("text"), py::arg("name") = "<string>", py::arg("base_dir") = ".",
        "Validates a scenario given as TOML text. `name` stands for the file name in messages; "
        "`base_dir` resolves `extends`. Raises ScenarioError.");
}

} // namespace tradeeco::python
