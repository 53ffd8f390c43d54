// tradeeco._core: the compiled core of the tradeeco package. Users import `tradeeco`, whose
// pure-Python modules build the friendly API on top of what is registered here.

#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
    using namespace tradeeco::python;
    m.doc() = "Compiled core of tradeeco (C++ model, scenario parser, result writer). "
              "Use the `tradeeco` package rather than this module.";
    register_errors(m);
    register_info(m);
    register_scenarios(m);
    register_run(m);
    register_model(m);
}
