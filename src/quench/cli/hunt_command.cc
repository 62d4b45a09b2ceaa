#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "quench/cli/commands.h"
#include "quench/pipeline/hunt.h"

namespace quench::cli {

CommandFn AddHuntCommand(CLI::App& app) {
  struct Args {
    HuntOptions options;
    double idle_timeout_s = limits::kDefaultIdleTimeoutSeconds;
    double active_timeout_s = limits::kDefaultActiveTimeoutSeconds;
    bool no_progress = false;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "hunt", "find enlisted routers in packet captures: flows, indicators, findings, verdicts");
  cmd->add_option("inputs", args->options.inputs, "pcap or pcapng files, read in time order")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", args->options.out_dir,
                  "directory for hosts.jsonl, findings.jsonl, summary.json (and flows.jsonl)");
  cmd->add_flag("--flows", args->options.write_flows, "also write every flow to flows.jsonl");
  cmd->add_option("--intel", args->options.intel_files,
                  "indicator list file (IP, CIDR, ip:port per line); repeatable")
      ->check(CLI::ExistingFile);
  cmd->add_option("--max-flows", args->options.flow_table.max_flows,
                  "flows held at once; beyond it the least recently active flow is ended early")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 32));
  cmd->add_option("--idle-timeout", args->idle_timeout_s, "seconds without a packet that end a flow")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--active-timeout", args->active_timeout_s,
                  "seconds after which a long flow is cut into a new record")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-progress", args->no_progress, "no progress line on stderr");
  cmd->add_flag("-q,--quiet", args->quiet, "no report on stdout (files are still written)");

  return [args]() -> int {
    HuntOptions& o = args->options;
    o.flow_table.idle_timeout = Seconds(args->idle_timeout_s);
    o.flow_table.active_timeout = Seconds(args->active_timeout_s);
    o.progress = !args->no_progress && !args->quiet;
    auto report = RunHunt(o);
    if (!report) {
      spdlog::error("{}", report.error().message());
      return 1;
    }
    if (!args->quiet) std::fputs(FormatHuntReport(*report, o).c_str(), stdout);
    return 0;
  };
}

}  // namespace quench::cli
