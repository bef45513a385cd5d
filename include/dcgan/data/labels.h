// Class labels from the data users already have: idx label files, CIFAR-10's label bytes, one subfolder per class.
#pragma once

#include "dcgan/data/dataset.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dcgan {

// The idx1-ubyte label file beside an idx3-ubyte image file, by MNIST's naming: the file name with "images" made
// "labels" and "idx3" made "idx1" (train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz). "" when the name has
// no "images" in it.
std::string idx_labels_path_for(const std::string& images_path);

// The labels of `count` idx images: `labels_path` (data.labels), or else idx_labels_path_for(images_path). Classes
// are 0..max label, named by their numbers. Throws DataError naming the file when it is missing (saying where it
// looked), unreadable, or holds another number of labels than `count`.
ClassLabels read_idx_class_labels(const std::string& images_path, const std::string& labels_path, std::int64_t count);

// The class names of CIFAR-10 batches: the non-empty lines of batches.meta.txt in `path`'s folder (or `path` itself
// when it is a folder), or {} when there is none.
std::vector<std::string> read_cifar10_class_names(const std::string& path);

// The labels of CIFAR-10 records (their first bytes), named by batches.meta.txt where present, else by number.
// Throws DataError naming the file for a label byte outside 0..9, or fewer names than classes.
ClassLabels cifar10_class_labels(const std::string& path, const std::vector<std::uint8_t>& label_bytes);

// The labels of an image folder's `files` (list_image_files(root)): one class per top-level subfolder of `root`,
// named by the folder, in sorted order (torchvision's ImageFolder). Throws DataError naming the file or folder for
// an image outside any subfolder, a subfolder without images, or a folder name with a comma.
ClassLabels folder_class_labels(const std::string& root, const std::vector<std::string>& files);

// Parses data.class_names: comma-separated names, spaces around each trimmed; {} for "".
std::vector<std::string> parse_class_names(const std::string& value);

// `data` with `labels` attached (labels.of_item.size() == data->size()); `data` itself when there are none.
std::unique_ptr<Dataset> with_labels(std::unique_ptr<Dataset> data, ClassLabels labels);
std::unique_ptr<Dataset> with_labels(std::unique_ptr<Dataset> data, std::optional<ClassLabels> labels);

// The labels `read` returns, as `mode` asks (dataset.h): none for None without calling it; for IfPresent, none
// when it throws DataError; for Required, its DataError goes on to the caller.
std::optional<ClassLabels> labels_as_asked(LabelMode mode, const std::function<ClassLabels()>& read);

// The class a name or an index given on a command line stands for, among `names`: a name matches case-insensitively,
// or a number in 0..names.size()-1. std::nullopt when neither.
std::optional<int> find_class(const std::vector<std::string>& names, const std::string& name_or_index);

}  // namespace dcgan
