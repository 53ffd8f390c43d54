#include <tradeeco/scenarios/load.hpp>
// Implementation in progress (scenario parser); see docs/scenarios.md.
