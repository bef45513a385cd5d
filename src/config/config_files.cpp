// Config files by name: the shipped configs' folders, lookup, listing.
#include "dcgan/config/config_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace dcgan {

std::string executable_path() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.string();
}

namespace {
bool same_folder(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}
}  // namespace

std::vector<std::string> shipped_config_dirs() {
  std::vector<std::string> dirs;
  const std::string exe = executable_path();
  if (exe.empty()) return dirs;
  const fs::path bin = fs::path(exe).parent_path();
  std::error_code ec;
  const fs::path installed = (bin.parent_path() / "share" / "dcgan" / "configs").lexically_normal();
  if (fs::is_directory(installed, ec)) dirs.push_back(installed.string());
#if defined(DCGAN_BUILD_DIR) && defined(DCGAN_SOURCE_CONFIGS)
  if (same_folder(bin, DCGAN_BUILD_DIR) && fs::is_directory(DCGAN_SOURCE_CONFIGS, ec))
    dirs.push_back(DCGAN_SOURCE_CONFIGS);
#endif
  return dirs;
}

std::optional<std::string> find_config(const std::string& arg, const std::vector<std::string>& dirs) {
  std::error_code ec;
  if (arg.empty()) return std::nullopt;
  if (fs::is_regular_file(arg, ec)) return arg;
  if (fs::path(arg).has_parent_path()) return std::nullopt;
  for (const auto& dir : dirs)
    for (const std::string& name : {arg, arg + ".yaml"}) {
      const fs::path p = fs::path(dir) / name;
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  return std::nullopt;
}

std::string config_summary(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    if (line[start] != '#') return "";
    const auto text = line.find_first_not_of("# \t", start);
    return text == std::string::npos ? "" : line.substr(text);
  }
  return "";
}

std::vector<ShippedConfig> list_configs(const std::vector<std::string>& dirs) {
  std::vector<ShippedConfig> out;
  std::set<std::string> seen;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".yaml" && entry.is_regular_file(ec)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      if (seen.insert(f.stem().string()).second)
        out.push_back({f.stem().string(), f.string(), config_summary(f.string())});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string describe_shipped_configs(const std::vector<std::string>& dirs) {
  const auto configs = list_configs(dirs);
  if (dirs.empty() || configs.empty())
    return "no shipped configs found (looked beside the executable: ../share/dcgan/configs)\n";
  std::size_t width = 0;
  for (const auto& c : configs) width = std::max(width, c.name.size());
  std::string text = "Shipped configs (dcgan train --config NAME; a file of that name in the working folder wins):\n";
  for (const auto& c : configs) text += fmt::format("  {:<{}}  {}\n", c.name, width, c.summary);
  text += "from:\n";
  for (const auto& d : dirs) text += "  " + d + "\n";
  return text;
}

}  // namespace dcgan
