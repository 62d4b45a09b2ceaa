// Subcommands of the `quench` binary. Each Add*Command registers its options on the CLI11 app
// and returns a function that runs it; the CLI is thin: parse options, call the library.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace quench::cli {

using CommandFn = std::function<int()>;

CommandFn AddHuntCommand(CLI::App& app);

}  // namespace quench::cli
