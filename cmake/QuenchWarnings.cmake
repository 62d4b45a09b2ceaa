# Warnings as errors for our own code (STYLE.md).
add_library(quench_warnings INTERFACE)
target_compile_options(quench_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Werror)
