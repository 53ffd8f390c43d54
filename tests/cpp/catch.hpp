#pragma once
// Catch2 v2 (Debian 12) and v3 (Debian 13) in one include.
#if TRADEECO_CATCH_V3
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
#else
#include <catch2/catch.hpp>
#endif
