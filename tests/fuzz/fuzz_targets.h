// Fuzz targets: each feeds arbitrary bytes to one loader and accepts only its documented error type.
// Used by the libFuzzer executables (DCGAN_FUZZ=ON) and replayed on the saved corpus by test_fuzz_corpus.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dcgan::fuzz {

using Target = void (*)(const std::uint8_t* data, std::size_t size);

void config_loader(const std::uint8_t* data, std::size_t size);  // YAML -> Config -> validate: ConfigError only
void idx_reader(const std::uint8_t* data, std::size_t size);      // idx3 images and idx1 labels: DataError only
void cifar10_reader(const std::uint8_t* data, std::size_t size);  // CIFAR-10 .bin: DataError only
void cache_reader(const std::uint8_t* data, std::size_t size);    // prepared cache: DataError only
void checkpoint_loader(const std::uint8_t* data, std::size_t size);  // g.pt / checkpoint: CheckpointError only
void tfevents_reader(const std::uint8_t* data, std::size_t size);   // event file (a resume reads it back): no throw
void labels_reader(const std::uint8_t* data, std::size_t size);     // idx1, CIFAR-10 label bytes and names, class
                                                                    // subfolders, data.class_names: DataError only
void image_decoder(const std::uint8_t* data, std::size_t size);     // JPEG, PNG, BMP, PNM, WebP, TIFF files and
                                                                    // their declared sizes: UnreadableImage only

struct NamedTarget {
  std::string name;  // also the corpus folder under tests/fuzz/
  Target run;
};
const std::vector<NamedTarget>& targets();

}  // namespace dcgan::fuzz
