#pragma once
/// Typed errors shared by every layer. Python maps each to its own exception class in one place
/// (python/src/register_errors.cpp).

#include <stdexcept>
#include <string>

namespace tradeeco::sim {

/// Base of every tradeeco error.
class error: public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where in an input file something went wrong.
struct source_location {
    std::string file;
    int line = 0;    ///< 1-based; 0 when unknown
    int column = 0;  ///< 1-based; 0 when unknown
    std::string key; ///< dotted key path, e.g. "policy[2].strength"
};

/// Bad scenario or input data. The message reads
/// `file:line:column: key: expected X, found Y`.
class scenario_error: public error {
public:
    scenario_error(source_location where, const std::string& what);
    const source_location& where() const noexcept { return where_; }

private:
    source_location where_;
};

/// The model reached a state it cannot continue from (an invariant broke).
class model_error: public error {
public:
    using error::error;
};

/// Reading or writing a file failed.
class io_error: public error {
public:
    using error::error;
};

/// A checkpoint cannot be restored: it is damaged (truncated, a flipped bit), of another format
/// version, or made for another scenario layout. The message reads
/// `<file>: <what>: expected X, found Y`.
class checkpoint_error: public io_error {
public:
    using io_error::io_error;
};

/// Formats a location as `file:line:column: key: ` with the parts that are known.
std::string format_location(const source_location& where);

} // namespace tradeeco::sim
