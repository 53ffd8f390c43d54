// Running every replicate of a scenario into a result file, with the GIL released. Inputs are
// checked while the GIL is held; the progress callback takes the GIL back for each call and
// gives Python a chance to act on Ctrl-C.

#include "bindings.hpp"

#include <tradeeco/models/run.hpp>
#include <tradeeco/sim/errors.hpp>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace tradeeco::python {

void callback_error::raise() {
    py::error_already_set e = *error;
    error.reset();
    if (e.matches(PyExc_KeyboardInterrupt) && !e.matches(run_cancelled_type())) {
        py::object cancelled =
            py::reinterpret_borrow<py::object>(run_cancelled_type())("run cancelled");
        // Keep the interrupt as __context__, as `raise` inside an `except` block would.
        PyException_SetContext(cancelled.ptr(), e.value().inc_ref().ptr()); // steals
        PyErr_SetObject(run_cancelled_type().ptr(), cancelled.ptr());
        throw py::error_already_set();
    }
    throw e;
}

bool call_progress(const py::object& callback, callback_error& failure, std::int32_t done,
                   std::int32_t total) {
    py::gil_scoped_acquire gil;
    if (failure) return false;
    if (PyErr_CheckSignals() != 0) {
        failure.capture();
        return false;
    }
    if (callback.is_none()) return true;
    try {
        py::object answer = callback(done, total);
        // Only an explicit False stops; None (the usual return of a function) goes on.
        return answer.ptr() != Py_False;
    } catch (py::error_already_set& e) {
        failure.error.emplace(std::move(e));
        return false;
    }
}

namespace {

// Arguments checked with the GIL held, before the run releases it.
void check_run_arguments(const models::model_spec& spec, const std::filesystem::path& out,
                         int threads, std::int32_t first_replicate, const py::object& progress) {
    if (threads < 0) throw py::value_error("threads must be >= 0 (0 = all cores)");
    if (first_replicate < 0) throw py::value_error("first_replicate must be >= 0");
    // Replicate indices are int32: past 2^31 - 1 they would wrap to other replicates'
    // random streams (found by property tests).
    if (std::int64_t(first_replicate) + spec.replicates - 1 >
        std::numeric_limits<std::int32_t>::max())
        throw py::value_error("first_replicate + replicates must be at most 2^31 (got " +
                              std::to_string(first_replicate) + " + " +
                              std::to_string(spec.replicates) + ")");
    if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
        throw py::type_error("progress must be a callable(done, total) or None");
    if (out.empty()) throw py::value_error("out must be a file path");
    if (std::filesystem::is_directory(out))
        throw sim::io_error(out.string() + ": is a folder; give a file name");
    if (out.has_parent_path() && !std::filesystem::is_directory(out.parent_path()))
        throw sim::io_error(out.string() + ": folder " + out.parent_path().string() +
                            " does not exist");
}

// Runs `run(options)` with the GIL released; the progress callback takes it back.
template <class Run>
void run_without_gil(int threads, std::int32_t first_replicate, const py::object& progress,
                     std::string history, Run&& run) {
    callback_error failure;
    models::run_options options;
    options.threads = threads;
    options.first_replicate = first_replicate;
    options.command = std::move(history);
    // Captures references only: copying the std::function must not touch refcounts.
    options.progress = [&progress, &failure](std::int32_t done, std::int32_t total) {
        return call_progress(progress, failure, done, total);
    };
    try {
        py::gil_scoped_release nogil;
        run(options);
    } catch (const models::run_cancelled&) {
        if (failure) failure.raise();
        throw;
    }
    // The run may have finished just as the callback failed: still report the failure.
    if (failure) failure.raise();
}

} // namespace

void register_run(py::module_& m) {
    m.def(
        "run_to_file",
        [](const py_spec& spec, const std::filesystem::path& out, int threads,
           std::int32_t first_replicate, const py::object& progress, std::string history,
           std::vector<const sim::state_archive*> states) {
            // Everything is checked with the GIL held; after release no Python object is touched
            // except through call_progress, which takes the GIL back.
            check_run_arguments(spec.spec, out, threads, first_replicate, progress);
            if (!states.empty() && states.size() != std::size_t(spec.spec.replicates))
                throw py::value_error("states: expected one per replicate (" +
                                      std::to_string(spec.spec.replicates) + "), found " +
                                      std::to_string(states.size()));
            run_without_gil(threads, first_replicate, progress, std::move(history),
                            [&](models::run_options o) {
                                o.start_states = states;
                                models::run_to_file(spec.spec, out, o);
                            });
            return out;
        },
        py::arg("spec"), py::arg("out"), py::arg("threads") = 1, py::arg("first_replicate") = 0,
        py::arg("progress") = py::none(), py::arg("history") = "",
        py::arg("states") = std::vector<const sim::state_archive*>{},
        R"doc(Runs every replicate of `spec` and writes one HDF5/netCDF-4 result file at `out`.

Replicates run in parallel on `threads` threads (0 = all cores); results do not depend on the
thread count. Replicate indices are [first_replicate, first_replicate + spec.replicates).
The GIL is released while the model runs. `progress(done, total)` is called after each
replicate with the GIL held; returning False cancels. Ctrl-C also cancels. A cancelled run
raises RunCancelled and leaves no file; an exception raised by `progress` propagates.
`history` is the command or call to record in the file's `history` attribute, after the UTC
start time (empty: "tradeeco::models::run_to_file(<scenario>, ...)"). `states`, if given,
holds one ModelState per replicate (Model.save_state() of replicate first_replicate + i, before
any policy of `spec`): each replicate continues from its state instead of from the population
(CheckpointError if `spec` does not fit it).
Returns `out` as a pathlib.Path.)doc");

    m.def(
        "run_many_to_files",
        [](const std::vector<py_spec>& specs, const std::vector<std::filesystem::path>& outs,
           int threads, std::int32_t first_replicate, const py::object& progress,
           std::string history, bool share_prefix) {
            if (specs.size() != outs.size())
                throw py::value_error("run_many_to_files: " + std::to_string(specs.size()) +
                                      " specs but " + std::to_string(outs.size()) +
                                      " result files");
            std::vector<models::model_spec> plain;
            for (std::size_t k = 0; k < specs.size(); ++k) {
                check_run_arguments(specs[k].spec, outs[k], threads, first_replicate, progress);
                for (std::size_t j = 0; j < k; ++j)
                    if (std::filesystem::absolute(outs[j]) == std::filesystem::absolute(outs[k]))
                        throw py::value_error("run_many_to_files: result file " + outs[k].string() +
                                              " given twice");
                plain.push_back(specs[k].spec);
            }
            run_without_gil(threads, first_replicate, progress, std::move(history),
                            [&](const models::run_options& o) {
                                models::run_many_to_files(plain, outs, o, share_prefix);
                            });
            return outs;
        },
        py::arg("specs"), py::arg("outs"), py::arg("threads") = 1, py::arg("first_replicate") = 0,
        py::arg("progress") = py::none(), py::arg("history") = "", py::arg("share_prefix") = true,
        R"doc(Runs several scenarios, `specs[k]` into the result file `outs[k]`, each file as
run_to_file would write it. With `share_prefix`, scenarios with the same parameters, seed,
population, horizon, outputs and replicates simulate the months before their first policy or
shock once per replicate and branch from a copy of that state. `progress(done, total)` counts
(replicate, scenario) pairs. Returns `outs` as pathlib.Paths.)doc");

    m.def(
        "shared_prefix_days",
        [](const std::vector<py_spec>& specs) {
            std::vector<models::model_spec> plain;
            for (const auto& s: specs) plain.push_back(s.spec);
            return models::shared_prefix_days(plain);
        },
        py::arg("specs"),
        "Days from the start that these scenarios share (the last month start before any of "
        "their policies or shocks), assuming the same parameters, seed, population and horizon; "
        "0 for fewer than two.");
}

} // namespace tradeeco::python
