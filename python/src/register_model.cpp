// tradeeco._core.Model: one replicate of the trade model, stepped from Python.
//
// columns() gives zero-copy, read-only numpy views of the agent columns, whose base is the Model
// object (so the memory cannot be freed while a view is alive). They are only valid until the
// next advance()/run(): births and exits compact the columns and move their storage. series(),
// events() and the copying accessors in the Python package are safe at any time.

#include "bindings.hpp"

#include <tradeeco/models/trade_model.hpp>
#include <tradeeco/sim/executor.hpp>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace tradeeco::python {

namespace {

struct py_model {
    // The spec lives here, at a fixed address, because the model may keep a reference to it.
    models::model_spec spec;
    std::int32_t replicate = 0;
    std::unique_ptr<sim::executor> ex;
    std::unique_ptr<models::trade_model> model;
    // Held while the model runs with the GIL released, so a second Python thread cannot step
    // or read the model at the same time.
    std::mutex busy;
};

// Locks the model for a read from Python; a model running in another thread is an error rather
// than a wait, because waiting with the GIL held would deadlock a progress callback.
std::unique_lock<std::mutex> lock_for_read(py_model& m) {
    std::unique_lock<std::mutex> lock(m.busy, std::try_to_lock);
    if (!lock.owns_lock())
        throw std::runtime_error("Model is busy: advance() or run() is running in another thread");
    return lock;
}

py::dtype dtype_of(char kind, std::size_t itemsize) {
    return py::dtype(std::string(1, kind) + std::to_string(itemsize));
}

// A read-only view of `size` elements at `data`, kept alive by `owner`.
py::array view(const py::dtype& dt, const void* data, std::size_t size, const py::object& owner) {
    py::array out;
    if (size == 0 || data == nullptr) {
        out = py::array(dt, std::vector<py::ssize_t>{0}, std::vector<py::ssize_t>{});
    } else {
        const auto n = static_cast<py::ssize_t>(size);
        out = py::array(dt, std::vector<py::ssize_t>{n},
                        std::vector<py::ssize_t>{static_cast<py::ssize_t>(dt.itemsize())}, data, owner);
    }
    out.attr("flags").attr("writeable") = false;
    return out;
}

py::dict calendar_info(const sim::calendar& c) {
    py::dict d;
    d["start"] = to_py_date(c.start());
    d["end"] = to_py_date(c.end());
    d["num_days"] = c.num_days();
    d["num_months"] = c.num_months();
    d["num_years"] = c.num_years();
    py::list months, years;
    for (std::int32_t i = 0; i < c.num_months(); ++i) months.append(to_py_date(c.first_day_of_month(i)));
    for (std::int32_t i = 0; i < c.num_years(); ++i) years.append(c.year_of(i));
    d["months"] = months;
    d["years"] = years;
    return d;
}

py::dict attributes_dict(const sim::attributes& a) {
    py::dict d;
    for (const auto& [k, v]: a.text) d[py::str(k)] = v;
    for (const auto& [k, v]: a.number) d[py::str(k)] = v;
    return d;
}

// Runs f() with the GIL released and the model locked.
template <class F>
auto locked_nogil(py_model& m, F&& f) {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(m.busy);
    return f();
}

} // namespace

void register_model(py::module_& m) {
    py::class_<sim::state_archive>(
        m, "ModelState",
        "A model's whole state between months, in memory (Model.save_state()): "
        "what a checkpoint file holds. Restore it with "
        "Model(spec, state=..., threads=...), as often as needed.")
        .def_property_readonly("payload_bytes", &sim::state_archive::payload_bytes,
                               "Bytes of the state's values.")
        .def("sha256", &sim::state_archive::sha256, "SHA-256 (hex) of the state.");
    m.def(
        "layout_key", [](const py_spec& spec) { return models::layout_key(spec.spec); },
        py::arg("spec"),
        "The scenario's fields that shape a replicate apart from its policies and shocks (horizon, "
        "seed, population scale, parameters, outputs), as canonical text: scenarios with equal "
        "keys can branch from one state saved before their first policy.");

    m.def(
        "checkpoint_info",
        [](const std::filesystem::path& path) {
            const auto i = models::read_checkpoint_info(path);
            py::dict d;
            d["scenario_name"] = i.scenario_name;
            d["scenario_text"] = i.scenario_text;
            d["seed"] = i.seed;
            d["replicate"] = i.replicate;
            d["population_scale"] = i.population_scale;
            d["month"] = i.month;
            d["days_done"] = i.days_done;
            d["tradeeco_version"] = i.tradeeco_version;
            d["git_revision"] = i.git_revision;
            d["created_at"] = i.created_at;
            d["format_version"] = i.format_version;
            return d;
        },
        py::arg("path"),
        "What a checkpoint file holds (its seal, format and version checked; CheckpointError "
        "otherwise): dict with scenario_name, scenario_text, seed, replicate, population_scale, "
        "month (first month not yet simulated, 'YYYY-MM', or 'end'), days_done, "
        "tradeeco_version, git_revision, created_at, format_version.");

    py::class_<py_model>(m, "Model",
                         "One replicate of the trade model, advanced one day at a time. Results "
                         "depend only on (spec, replicate), never on `threads`.")
        .def(py::init([](const py_spec& spec, std::int32_t replicate, int threads) {
                 if (replicate < 0) throw py::value_error("replicate must be >= 0");
                 if (threads < 0) throw py::value_error("threads must be >= 0 (0 = all cores)");
                 auto out = std::make_unique<py_model>();
                 out->spec = spec.spec;
                 out->replicate = replicate;
                 // Building the starting population can take a while: let other threads run.
                 py::gil_scoped_release nogil;
                 out->ex = std::make_unique<sim::executor>(threads);
                 out->model = std::make_unique<models::trade_model>(out->spec, replicate, *out->ex);
                 return out;
             }),
             py::arg("spec"), py::arg("replicate") = 0, py::arg("threads") = 1)
        .def(
            py::init([](const py_spec& spec, const std::filesystem::path& checkpoint, int threads) {
                if (threads < 0) throw py::value_error("threads must be >= 0 (0 = all cores)");
                auto out = std::make_unique<py_model>();
                out->spec = spec.spec;
                py::gil_scoped_release nogil;
                out->replicate = models::read_checkpoint_info(checkpoint).replicate;
                out->ex = std::make_unique<sim::executor>(threads);
                out->model = models::trade_model::restore(out->spec, checkpoint, *out->ex);
                return out;
            }),
            py::arg("spec"), py::kw_only(), py::arg("checkpoint"), py::arg("threads") = 1,
            "Restores a model from a checkpoint file for `spec` (its own scenario, or a branch "
            "of it whose policies start after the checkpoint). Raises CheckpointError.")
        .def(py::init([](const py_spec& spec, const sim::state_archive& state, int threads) {
                 if (threads < 0) throw py::value_error("threads must be >= 0 (0 = all cores)");
                 auto out = std::make_unique<py_model>();
                 out->spec = spec.spec;
                 py::gil_scoped_release nogil;
                 out->replicate = state.get_value<std::int32_t>("identity.replicate");
                 out->ex = std::make_unique<sim::executor>(threads);
                 out->model = std::make_unique<models::trade_model>(out->spec, state, *out->ex);
                 return out;
             }),
             py::arg("spec"), py::kw_only(), py::arg("state"), py::arg("threads") = 1,
             "Restores a model from a ModelState for `spec` (its own scenario, or a branch of it "
             "whose policies start after the saved day). Raises CheckpointError.")
        .def(
            "save_state",
            [](py_model& self) {
                return locked_nogil(self, [&] { return self.model->save_state(); });
            },
            "The whole state, in memory (a ModelState): like checkpoint() without a file. Only "
            "between months (ModelError otherwise).")
        .def(
            "checkpoint",
            [](py_model& self, const std::filesystem::path& path) {
                locked_nogil(self, [&] { self.model->checkpoint(path); });
            },
            py::arg("path"),
            "Writes the model's whole state to an HDF5 checkpoint file (complete or absent: "
            "written under a temporary name and renamed). The model must be between months "
            "(at_month_boundary); ModelError otherwise.")
        .def_property_readonly(
            "at_month_boundary",
            [](py_model& self) {
                auto lock = lock_for_read(self);
                return self.model->at_month_boundary();
            },
            "True when nothing of the current month has been simulated yet (or the run is over): "
            "the points where checkpoint() can save the state.")
        .def_property_readonly(
            "spec", [](const py_model& self) { return py_spec{self.spec}; },
            "The scenario this model runs (a copy).")
        .def_property_readonly("replicate", [](const py_model& self) { return self.replicate; })
        .def_property_readonly("threads", [](const py_model& self) { return self.ex->threads(); })
        .def(
            "advance",
            [](py_model& self, std::int32_t days) {
                if (days < 0) throw py::value_error("days must be >= 0");
                return locked_nogil(self, [&] { return self.model->advance(days); });
            },
            py::arg("days") = 1,
            "Advances up to `days` days (stopping at the end of the horizon) with the GIL "
            "released. Returns the number of days advanced. Invalidates earlier columns() views.")
        .def(
            "run",
            [](py_model& self, const py::object& progress) {
                if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
                    throw py::type_error("progress must be a callable(days_done, days_total) or None");
                callback_error failure;
                const bool finished = locked_nogil(self, [&] {
                    return self.model->run([&](std::int32_t done, std::int32_t total) {
                        return call_progress(progress, failure, done, total);
                    });
                });
                if (failure) failure.raise();
                return finished;
            },
            py::arg("progress") = py::none(),
            "Runs to the end of the horizon with the GIL released. `progress(days_done, "
            "days_total)` is called with the GIL held; returning False stops early (the model "
            "stays valid and can go on). Ctrl-C raises RunCancelled, also leaving a valid model. "
            "Returns True when the horizon was reached.")
        .def_property_readonly("finished",
                               [](py_model& self) {
                                   auto lock = lock_for_read(self);
                                   return self.model->finished();
                               })
        .def_property_readonly(
            "days_done",
            [](py_model& self) {
                auto lock = lock_for_read(self);
                return self.model->days_done();
            },
            "Days simulated so far.")
        .def(
            "calendar",
            [](py_model& self) {
                auto lock = lock_for_read(self);
                return calendar_info(self.model->clock());
            },
            "The run's calendar: dict with start, end, num_days, num_months, num_years, months "
            "(first day of each month) and years (calendar year of each year index).")
        .def(
            "table_names",
            [](py_model& self) {
                auto lock = lock_for_read(self);
                return self.model->agent_table_names();
            },
            "Names of the agent tables (e.g. 'firms', 'forwarders', 'services').")
        .def(
            "columns",
            [](py::object self_obj, const std::string& table) {
                auto& self = self_obj.cast<py_model&>();
                auto lock = lock_for_read(self);
                const auto names = self.model->agent_table_names();
                if (std::find(names.begin(), names.end(), table) == names.end())
                    throw py::key_error("no agent table '" + table + "'");
                auto& t = self.model->agents(table);
                py::dict out;
                const auto& ids = t.ids();
                out["id"] = view(py::dtype::of<sim::agent_id>(), ids.data(), ids.size(), self_obj);
                for (const auto& name: t.column_names()) {
                    const auto raw = t.raw(name);
                    out[py::str(name)] =
                        view(dtype_of(raw.kind, raw.itemsize), raw.data, raw.size, self_obj);
                }
                return out;
            },
            py::arg("table"),
            "Agent columns of `table` as a dict name -> read-only numpy array, without copying "
            "(plus 'id', the stable agent ids). Each array's base is this Model. The views are "
            "valid only until the next advance() or run(), which may move the storage: copy what "
            "you keep (np.array(view) or Model.agents()).")
        .def(
            "series",
            [](py_model& self) {
                auto lock = lock_for_read(self);
                const auto& rec = self.model->record();
                py::dict out;
                for (std::size_t i = 0; i < rec.series_specs().size(); ++i) {
                    const auto& v = rec.values(i);
                    out[py::str(rec.series_specs()[i].name)] =
                        py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
                }
                return out;
            },
            "Everything recorded so far: dict series name -> numpy array (a copy), one value per "
            "month or per year (see series_info()); periods not reached yet are NaN.")
        .def(
            "series_info",
            [](py_model& self) {
                auto lock = lock_for_read(self);
                py::list out;
                for (const auto& s: self.model->record().series_specs()) {
                    py::dict d;
                    d["name"] = s.name;
                    d["unit"] = s.unit;
                    d["unit_label"] = s.unit_label;
                    d["long_name"] = s.long_name;
                    d["frequency"] = s.freq == sim::frequency::monthly ? "monthly" : "yearly";
                    d["attrs"] = attributes_dict(s.attrs);
                    out.append(d);
                }
                return out;
            },
            "Metadata of each recorded series: list of dicts with name, unit (UDUNITS-2, as "
            "the file's `units`), unit_label (as people write it, e.g. '100m CNY'), long_name, "
            "frequency ('monthly' or 'yearly') and attrs.")
        .def(
            "events",
            [](py_model& self) {
                auto lock = lock_for_read(self);
                const auto& rec = self.model->record();
                py::dict out;
                for (std::size_t t = 0; t < rec.table_specs().size(); ++t) {
                    const auto& spec = rec.table_specs()[t];
                    py::dict cols;
                    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
                        const auto& v = rec.table_column(t, c);
                        py::array_t<double> a(static_cast<py::ssize_t>(v.size()), v.data());
                        if (spec.columns[c].type == sim::column_type::i64)
                            cols[py::str(spec.columns[c].name)] = a.attr("astype")("int64");
                        else
                            cols[py::str(spec.columns[c].name)] = a;
                    }
                    out[py::str(spec.name)] = cols;
                }
                return out;
            },
            "Event tables recorded so far: dict table -> dict column -> numpy array (copies).")
        .def("__repr__", [](py_model& self) {
            std::unique_lock<std::mutex> lock(self.busy, std::try_to_lock);
            std::string state = lock.owns_lock()
                                    ? std::to_string(self.model->days_done()) + "/" +
                                          std::to_string(self.model->clock().num_days()) + " days"
                                    : std::string("running");
            return "Model(" + py::repr(py::str(self.spec.name)).cast<std::string>() +
                   ", replicate=" + std::to_string(self.replicate) + ", " + state + ")";
        });
}

} // namespace tradeeco::python
