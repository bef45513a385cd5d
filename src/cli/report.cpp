// `dcgan report`: the page of one finished run, or several runs compared on one page.
#include "common.h"

#include "dcgan/io/files.h"
#include "dcgan/report/html_report.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace dcgan::cli {

struct ReportOptionsCli {
  std::vector<std::string> runs;  // run folders, in the page's order
  std::string out = "report.html";
  ReportOptions page;
};

int run_report(const ReportOptionsCli& o) {
  std::vector<RunRecord> records;
  for (const std::string& dir : o.runs) {  // every folder read before anything is written
    records.push_back(read_run(dir));
    for (const std::string& m : records.back().missing) spdlog::warn("{}: missing {}", dir, m);
  }
  const std::string page = render_report(records, std::nullopt, o.page);
  write_file_atomic(o.out, page);
  spdlog::info("wrote {} ({} run(s), {:.1f} MB): open it in a browser", o.out, records.size(), page.size() / 1e6);
  return 0;
}

Command add_report(CLI::App& root) {
  auto o = std::make_shared<ReportOptionsCli>();
  CLI::App* app = root.add_subcommand(
      "report", "Write one HTML page of runs: summary, config (differences marked), curves, grid animation");
  app->add_option("runs", o->runs, "Run folders (output.dir of dcgan train); several are compared on one page")
      ->required()
      ->check(CLI::ExistingDirectory);
  app->add_option("-o,--out", o->out, "The page to write (self-contained: open it from disk, mail it)")
      ->capture_default_str();
  app->add_option("--frames", o->page.max_frames, "Sample grids per run and network in the animation, evenly spaced")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  return {app, [o] { return run_report(*o); }};
}

}  // namespace dcgan::cli
