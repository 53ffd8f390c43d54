// The one place where tradeeco's C++ errors become Python exceptions. Messages pass through
// unchanged, so Python shows exactly what the C++ said (file:line:column: key: ...).
//
//   sim::error            -> tradeeco.TradeecoError(Exception)
//   sim::scenario_error   -> tradeeco.ScenarioError(TradeecoError, ValueError)
//                            with .file, .line, .column, .key from the error's source_location
//   sim::model_error      -> tradeeco.ModelError(TradeecoError, RuntimeError)
//   sim::io_error         -> tradeeco.ResultIOError(TradeecoError, OSError)
//   sim::checkpoint_error -> tradeeco.CheckpointError(ResultIOError): a checkpoint that cannot be
//                            restored (damaged, another format version, another scenario layout)
//   models::run_cancelled -> tradeeco.RunCancelled(KeyboardInterrupt): a cancelled run is not an
//                            error, and `except Exception` must not swallow a Ctrl-C.

#include "bindings.hpp"

#include <tradeeco/models/run.hpp>
#include <tradeeco/sim/errors.hpp>

namespace tradeeco::python {

namespace {

// Created once per process; the module keeps a reference too, so these never dangle.
PyObject* tradeeco_error = nullptr;
PyObject* scenario_error = nullptr;
PyObject* model_error = nullptr;
PyObject* result_io_error = nullptr;
PyObject* checkpoint_error = nullptr;
PyObject* run_cancelled = nullptr;

PyObject* new_exception(py::module_& m, const char* name, const char* doc, py::tuple bases) {
    // "tradeeco.X" rather than "tradeeco._core.X": tracebacks show the name users import.
    const std::string qualified = std::string("tradeeco.") + name;
    PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
    if (!type) throw py::error_already_set();
    m.add_object(name, py::handle(type)); // add_object takes its own reference
    return type;
}

void raise_scenario_error(const sim::scenario_error& e) {
    const auto& where = e.where();
    py::object exc = py::reinterpret_borrow<py::object>(scenario_error)(e.what());
    exc.attr("file") = where.file;
    exc.attr("line") = where.line;
    exc.attr("column") = where.column;
    exc.attr("key") = where.key;
    PyErr_SetObject(scenario_error, exc.ptr());
}

} // namespace

py::handle scenario_error_type() { return scenario_error; }
py::handle run_cancelled_type() { return run_cancelled; }

void register_errors(py::module_& m) {
    auto builtin = [](PyObject* t) { return py::reinterpret_borrow<py::object>(t); };

    tradeeco_error = new_exception(m, "TradeecoError", "Base class of every tradeeco error.",
                                   py::make_tuple(builtin(PyExc_Exception)));
    scenario_error = new_exception(
        m, "ScenarioError",
        "A scenario file or string is invalid. The message reads "
        "'file:line:column: key: expected X, found Y'; the attributes file, line, column and key "
        "hold the parts (line and column are 0 when unknown).",
        py::make_tuple(builtin(tradeeco_error), builtin(PyExc_ValueError)));
    model_error = new_exception(m, "ModelError",
                                "The model reached a state it cannot continue from.",
                                py::make_tuple(builtin(tradeeco_error), builtin(PyExc_RuntimeError)));
    result_io_error = new_exception(m, "ResultIOError", "Reading or writing a result file failed.",
                                    py::make_tuple(builtin(tradeeco_error), builtin(PyExc_OSError)));
    checkpoint_error = new_exception(
        m, "CheckpointError",
        "A checkpoint cannot be restored: it is damaged (truncated, a flipped bit), of another "
        "format version or tradeeco build, or made for a scenario layout the one given does not "
        "fit. The message names the file, what was expected and what was found.",
        py::make_tuple(builtin(result_io_error)));
    run_cancelled = new_exception(
        m, "RunCancelled",
        "A run was cancelled: by Ctrl-C, or by a progress callback returning False. It derives "
        "from KeyboardInterrupt (not Exception), so `except Exception` does not swallow it. No "
        "result file is left behind.",
        py::make_tuple(builtin(PyExc_KeyboardInterrupt)));

    py::register_exception_translator([](std::exception_ptr p) {
        // Most derived first: one catch chain instead of one translator per type, so the order of
        // registration cannot change which class a C++ error maps to.
        try {
            if (p) std::rethrow_exception(p);
        } catch (const models::run_cancelled& e) {
            PyErr_SetString(run_cancelled, e.what());
        } catch (const sim::scenario_error& e) {
            raise_scenario_error(e);
        } catch (const sim::model_error& e) {
            PyErr_SetString(model_error, e.what());
        } catch (const sim::checkpoint_error& e) {
            PyErr_SetString(checkpoint_error, e.what());
        } catch (const sim::io_error& e) {
            PyErr_SetString(result_io_error, e.what());
        } catch (const sim::error& e) {
            PyErr_SetString(tradeeco_error, e.what());
        }
    });

    // Test hooks: raise each C++ error type through the real translator.
    m.def(
        "_raise",
        [](const std::string& kind, const std::string& message) {
            if (kind == "scenario")
                throw sim::scenario_error({"test.toml", 3, 7, "policy[0].strength"}, message);
            if (kind == "model") throw sim::model_error(message);
            if (kind == "io") throw sim::io_error(message);
            if (kind == "checkpoint") throw sim::checkpoint_error(message);
            if (kind == "cancelled") throw models::run_cancelled();
            if (kind == "base") throw sim::error(message);
            throw std::invalid_argument("unknown error kind: " + kind);
        },
        py::arg("kind"), py::arg("message") = "",
        "Raises a C++ tradeeco error of the given kind ('scenario', 'model', 'io', 'checkpoint', "
        "'cancelled' or "
        "'base'), for testing the exception mapping.");
}

} // namespace tradeeco::python
