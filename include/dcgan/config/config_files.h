// Config files by name: the shipped configs (the repository's configs/ or the installed share folder). No torch.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dcgan {

/// The folders that hold the shipped configs, in search order:
/// - `<prefix>/share/dcgan/configs`, where `<prefix>` is the folder above the running executable's (an installed
///   dcgan: `cmake --install` or the .deb);
/// - the source tree's `configs/`, only when the running executable is the one built in this source tree's build
///   folder (so an installed or copied binary never reads a source tree it happens to share a machine with).
/// Folders that do not exist are left out.
std::vector<std::string> shipped_config_dirs();

/// Where `--config ARG` is read from:
/// - an existing file named by `arg` (as a path, from the working directory) always wins;
/// - else, when `arg` has no folder part, the first of `dirs` that holds `arg` or `arg` + ".yaml";
/// - else nothing.
std::optional<std::string> find_config(const std::string& arg, const std::vector<std::string>& dirs);

/// The first comment line of a config file without its "# " (its one-line description), or "" when it has none
/// or cannot be read.
std::string config_summary(const std::string& path);

/// One shipped config: its name (the file name without .yaml), path and summary.
struct ShippedConfig {
  std::string name;
  std::string path;
  std::string summary;
};

/// Every *.yaml file in `dirs`, sorted by name; a name found in two folders is listed once, from the first.
std::vector<ShippedConfig> list_configs(const std::vector<std::string>& dirs);

/// The text of `dcgan train --list-configs`: a line per config (name and summary), then the folders searched.
std::string describe_shipped_configs(const std::vector<std::string>& dirs);

/// The path of the running executable (/proc/self/exe), or "" when the system does not say.
std::string executable_path();

}  // namespace dcgan
