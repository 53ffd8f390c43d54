#pragma once
/// A model_spec back to scenario text. Every field is written out, defaults included, so the text
/// stands alone (no `extends`) and load_string() of it gives the same spec. load_file() stores
/// this text, under a header naming the source files, in model_spec::resolved_text.

#include <tradeeco/models/spec.hpp>

#include <string>

namespace tradeeco::scenarios {

/// TOML text of a spec: [scenario], [parameters], [outputs], then [[policy]] and [[shock]] in
/// order.
std::string to_toml(const models::model_spec& spec);

} // namespace tradeeco::scenarios
