# One interface target carries the project's compile flags, so every layer gets the same ones.
add_library(tradeeco_flags INTERFACE)
add_library(tradeeco::flags ALIAS tradeeco_flags)
target_compile_options(tradeeco_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion)
if(TRADEECO_CHECKED)
  target_compile_definitions(tradeeco_flags INTERFACE TRADEECO_CHECKED=1 _GLIBCXX_ASSERTIONS=1)
endif()
if(TRADEECO_SANITIZE)
  string(REPLACE ";" "," _san "${TRADEECO_SANITIZE}")
  target_compile_options(tradeeco_flags INTERFACE -fsanitize=${_san} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(tradeeco_flags INTERFACE -fsanitize=${_san})
endif()
