// TensorBoard event files: TFRecord framing around hand-encoded Event protocol buffers, and a reader. No torch here.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace dcgan {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `bytes`, as TFRecord uses it.
uint32_t crc32c(std::string_view bytes);
/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t masked_crc32c(std::string_view bytes);

/// One TFRecord: uint64 length (little-endian), masked CRC-32C of those 8 bytes, the data, masked CRC-32C of it.
std::string tfrecord(std::string_view data);

/// The Event messages dcgan writes, encoded with the field numbers of TensorBoard's
/// tensorboard/compat/proto/event.proto and summary.proto: Event {1 wall_time double, 2 step int64,
/// 3 file_version string, 5 summary Summary}; Summary {1 value repeated Value}; Value {1 tag string,
/// 2 simple_value float, 4 image Image, 5 histo HistogramProto}; Image {1 height int32, 2 width int32, 3 colorspace int32,
/// 4 encoded_image_string bytes}.
std::string event_file_version(double wall_time);  // file_version "brain.Event:2", step 0
std::string event_scalar(double wall_time, int64_t step, std::string_view tag, float value);
/// An image summary of PNG bytes; colorspace 1 (grey), 3 (RGB) or 4 (RGBA).
std::string event_image(double wall_time, int64_t step, std::string_view tag, int height, int width,
                        int colorspace, std::string_view png);

/// A histogram as TensorBoard's HistogramProto holds it (summary.proto: 1 min, 2 max, 3 num, 4 sum, 5 sum_squares,
/// 6 bucket_limit and 7 bucket, packed doubles): bucket[i] counts the values above bucket_limit[i - 1] and up to
/// bucket_limit[i].
struct Histogram {
  double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
  std::vector<double> bucket_limit, bucket;
};
/// A histogram summary (Value field 5, histo), as torch.utils.tensorboard's add_histogram writes one.
std::string event_histogram(double wall_time, int64_t step, std::string_view tag, const Histogram& h);

/// One field of a protocol buffer message as read back: the number, the wire type (0 varint, 1 fixed64,
/// 2 length-delimited, 5 fixed32), the value of a varint or fixed field, the bytes of a length-delimited one.
struct ProtoField {
  int number = 0;
  int wire_type = 0;
  uint64_t value = 0;
  std::string_view bytes;
};
/// The fields of `message` in order; throws std::runtime_error on malformed input (the reader's check).
std::vector<ProtoField> proto_fields(std::string_view message);

/// The records of an event file up to its last whole record with both CRCs right that is a protocol buffer (so
/// event_step never throws on them). `complete` is false when
/// bytes followed that could not be read (a crashed writer's cut record, or damage); `error` says what.
struct EventRecords {
  std::vector<std::string> records;
  bool complete = true;
  std::string error;
};
EventRecords read_event_file(const std::string& path);

/// The step of an encoded Event (0 when it has none, as the file_version record); std::runtime_error for bytes
/// that are not a protocol buffer (read_event_file's records always are).
int64_t event_step(std::string_view event);

/// Appends records to an event file, flushing each. Throws FileError naming the file when it cannot open or a
/// write fails (disk full).
class EventFileWriter {
 public:
  explicit EventFileWriter(std::string path);
  void write(std::string_view event);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
};

}  // namespace dcgan
