// quench: find, prove, contain and share router-botnet compromises. See README.md.
#include <cstdio>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "quench/cli/commands.h"

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("quench");
  logger->set_pattern("quench: %^%l%$: %v");
  spdlog::set_default_logger(logger);

  CLI::App app{"quench: find routers enlisted in botnets, prove it, cut the attacker off"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "quench " QUENCH_VERSION);
  auto hunt = quench::cli::AddHuntCommand(app);
  app.add_subcommand("version", "print the version")->callback([] {
    std::printf("quench %s\n", QUENCH_VERSION);
  });

  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("hunt")) return hunt();
  return 0;
}
