// Class labels: idx label files, CIFAR-10 label bytes and names, class subfolders; the labelled wrapper.
#include "dcgan/data/labels.h"

#include "dcgan/data/idx.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace dcgan {
namespace {

// Replaces the last occurrence of `from` in `s` by `to`; false when there is none.
bool replace_last(std::string& s, const std::string& from, const std::string& to) {
  const auto at = s.rfind(from);
  if (at == std::string::npos) return false;
  s.replace(at, from.size(), to);
  return true;
}

std::string trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r"));
  s.erase(s.find_last_not_of(" \t\r") + 1);
  return s;
}

std::vector<std::string> numbered_names(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(std::to_string(i));
  return names;
}

class LabelledDataset final : public Dataset {
 public:
  LabelledDataset(std::unique_ptr<Dataset> base, ClassLabels labels)
      : base_(std::move(base)), labels_(std::move(labels)) {}
  std::int64_t size() const override { return base_->size(); }
  ImageShape shape() const override { return base_->shape(); }
  void read(std::int64_t index, std::uint8_t* out) const override { base_->read(index, out); }
  std::string describe() const override {  // a relabelled source says its classes once
    return base_->labels() ? base_->describe() : fmt::format("{}, {} classes", base_->describe(), labels_.count());
  }
  const ClassLabels* labels() const override { return &labels_; }

 private:
  std::unique_ptr<Dataset> base_;
  ClassLabels labels_;
};

}  // namespace

std::string idx_labels_path_for(const std::string& images_path) {
  const fs::path p(images_path);
  std::string name = p.filename().string();
  if (!replace_last(name, "images", "labels")) return "";
  replace_last(name, "idx3", "idx1");
  return (p.parent_path() / name).string();
}

ClassLabels read_idx_class_labels(const std::string& images_path, const std::string& labels_path,
                                  std::int64_t count) {
  std::string path = labels_path;
  if (path.empty()) {
    path = idx_labels_path_for(images_path);
    std::error_code ec;
    if (path.empty() || !fs::exists(path, ec))
      throw DataError(fmt::format("{}: no labels file found beside it (looked for {}); name one with data.labels",
                                  images_path, path.empty() ? "a name with 'labels' for 'images'" : path));
  }
  const std::vector<std::uint8_t> bytes = read_idx_labels(path);
  if (static_cast<std::int64_t>(bytes.size()) != count)
    throw DataError(fmt::format("{}: holds {} labels, but {} holds {} images", path, bytes.size(), images_path,
                                count));
  if (bytes.empty()) throw DataError(fmt::format("{}: holds no labels", path));  // (fuzz_labels found the empty max)
  ClassLabels out;
  out.of_item.assign(bytes.begin(), bytes.end());
  out.names = numbered_names(*std::max_element(bytes.begin(), bytes.end()) + 1);
  return out;
}

std::vector<std::string> read_cifar10_class_names(const std::string& path) {
  std::error_code ec;
  const fs::path dir = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
  std::ifstream in(dir / "batches.meta.txt");
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);)
    if (!trim(line).empty()) names.push_back(trim(line));
  return names;
}

ClassLabels cifar10_class_labels(const std::string& path, const std::vector<std::uint8_t>& label_bytes) {
  ClassLabels out;
  out.of_item.reserve(label_bytes.size());
  int classes = 0;
  for (std::size_t i = 0; i < label_bytes.size(); ++i) {
    if (label_bytes[i] > 9)
      throw DataError(fmt::format("{}: record {} has label byte {}, outside CIFAR-10's classes 0..9", path, i,
                                  label_bytes[i]));
    out.of_item.push_back(label_bytes[i]);
    classes = std::max(classes, label_bytes[i] + 1);
  }
  out.names = read_cifar10_class_names(path);
  if (out.names.empty()) {
    out.names = numbered_names(classes);
  } else if (static_cast<int>(out.names.size()) < classes) {
    throw DataError(fmt::format("{}: batches.meta.txt names {} classes, the records use {}", path, out.names.size(),
                                classes));
  }
  return out;
}

ClassLabels folder_class_labels(const std::string& root, const std::vector<std::string>& files) {
  ClassLabels out;
  std::error_code ec;
  std::map<std::string, int> index;
  for (const auto& entry : fs::directory_iterator(root, fs::directory_options::follow_directory_symlink, ec))
    if (entry.is_directory(ec)) index.emplace(entry.path().filename().string(), 0);
  if (index.empty())
    throw DataError(fmt::format("{}: no class subfolders (a class-conditional run takes one subfolder per class, "
                                "as torchvision's ImageFolder does)",
                                root));
  for (auto& [name, i] : index) {
    if (name.find(',') != std::string::npos)
      throw DataError(fmt::format("{}/{}: a class folder name with a comma (data.class_names separates names with "
                                  "commas); rename the folder",
                                  root, name));
    i = out.count();
    out.names.push_back(name);
  }
  std::vector<std::int64_t> per_class(index.size(), 0);
  out.of_item.reserve(files.size());
  for (const std::string& file : files) {
    const fs::path rel = fs::path(file).lexically_relative(root);
    const std::string top = rel.begin()->string();
    const auto it = index.find(top);
    if (std::distance(rel.begin(), rel.end()) < 2 || it == index.end())
      throw DataError(fmt::format("{}: is not in a class subfolder (a class-conditional run takes one subfolder per "
                                  "class; move it or set model.num_classes=0)",
                                  file));
    out.of_item.push_back(it->second);
    ++per_class[static_cast<std::size_t>(it->second)];
  }
  for (std::size_t c = 0; c < per_class.size(); ++c)
    if (per_class[c] == 0)
      throw DataError(fmt::format("{}/{}: class folder holds no images (remove it, or add images)", root,
                                  out.names[c]));
  return out;
}

std::vector<std::string> parse_class_names(const std::string& value) {
  std::vector<std::string> names;
  if (trim(value).empty()) return names;
  std::stringstream ss(value);
  for (std::string name; std::getline(ss, name, ',');) names.push_back(trim(name));
  return names;
}

std::unique_ptr<Dataset> with_labels(std::unique_ptr<Dataset> data, ClassLabels labels) {
  return std::make_unique<LabelledDataset>(std::move(data), std::move(labels));
}

std::unique_ptr<Dataset> with_labels(std::unique_ptr<Dataset> data, std::optional<ClassLabels> labels) {
  return labels ? with_labels(std::move(data), std::move(*labels)) : std::move(data);
}

std::optional<ClassLabels> labels_as_asked(LabelMode mode, const std::function<ClassLabels()>& read) {
  if (mode == LabelMode::None) return std::nullopt;
  try {
    return read();
  } catch (const DataError&) {
    if (mode == LabelMode::Required) throw;
    return std::nullopt;
  }
}

std::optional<int> find_class(const std::vector<std::string>& names, const std::string& name_or_index) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  for (std::size_t i = 0; i < names.size(); ++i)
    if (lower(names[i]) == lower(name_or_index)) return static_cast<int>(i);
  if (!name_or_index.empty() && name_or_index.find_first_not_of("0123456789") == std::string::npos &&
      name_or_index.size() < 8) {
    const int i = std::stoi(name_or_index);
    if (i < static_cast<int>(names.size())) return i;
  }
  return std::nullopt;
}

}  // namespace dcgan
