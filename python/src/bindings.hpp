#pragma once
// Shared by the register_<area>.cpp files of tradeeco._core.

#include <tradeeco/models/spec.hpp>
#include <tradeeco/sim/calendar.hpp>

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tradeeco::python {

namespace py = pybind11;

// Called by module.cpp in this order: errors first, so every later area can raise them.
void register_errors(py::module_& m);
void register_info(py::module_& m);
void register_scenarios(py::module_& m);
void register_run(py::module_& m);
void register_model(py::module_& m);

// The Python-side scenario: an immutable model_spec. Held by value; copies are cheap enough
// (a scenario is a few kilobytes) and keep every Spec independent of the others.
struct py_spec {
    models::model_spec spec;
};

// sim::date <-> datetime.date. Needs the GIL.
py::object to_py_date(sim::date d);
sim::date from_py_date(const py::handle& obj);

// A Python error raised inside a callback that C++ called with the GIL released. C++ cannot
// carry it through its own stack, so the callback stores it here, returns "stop", and the binding
// raises it again once C++ has unwound. Defined in register_run.cpp.
struct callback_error {
    std::optional<py::error_already_set> error;

    // Takes the current Python error (the GIL must be held).
    void capture() { error.emplace(); }
    explicit operator bool() const noexcept { return error.has_value(); }
    // Raises it again; a KeyboardInterrupt becomes tradeeco.RunCancelled (itself a
    // KeyboardInterrupt), so Ctrl-C and cancelling from a callback read the same.
    [[noreturn]] void raise();
};

// Called from C++ with the GIL released: takes the GIL, lets Python handle pending signals
// (Ctrl-C), then calls `callback(done, total)` unless it is None. Returns false to stop: on a
// signal, an exception (stored in `failure`) or an explicit `False` from the callback.
bool call_progress(const py::object& callback, callback_error& failure, std::int32_t done,
                   std::int32_t total);

// The exception class objects, for code that raises them directly.
py::handle scenario_error_type();
py::handle run_cancelled_type();

} // namespace tradeeco::python
