// Tests of TensorBoard event files: CRC-32C and the TFRecord framing, the reader on cut and damaged files, the
// resume's truncation, and the event file of a real run checked against its metrics.csv and sample grids.
#include "dcgan/io/checkpoint.h"
#include "dcgan/io/tfevents.h"
#include "dcgan/run/sinks/tensorboard.h"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>

#include "cli_util.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The value of an Event's Summary.Value: tag, and the simple_value or the image (height, width, PNG bytes).
struct Value {
  std::string tag;
  float scalar = 0;
  bool is_image = false;
  int height = 0, width = 0;
  std::string png;
  bool is_histogram = false;
  double min = 0, max = 0, num = 0, sum = 0;
  std::vector<double> limits, buckets;
};

double as_double(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

std::vector<double> packed_doubles(std::string_view bytes) {
  std::vector<double> out;
  for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    uint64_t bits = 0;
    for (std::size_t k = 0; k < 8; ++k) bits |= uint64_t(static_cast<unsigned char>(bytes[i + k])) << (8 * k);
    out.push_back(as_double(bits));
  }
  return out;
}

void read_histogram(std::string_view bytes, Value& x) {
  x.is_histogram = true;
  for (const ProtoField& h : proto_fields(bytes)) {
    if (h.number == 1) x.min = as_double(h.value);
    if (h.number == 2) x.max = as_double(h.value);
    if (h.number == 3) x.num = as_double(h.value);
    if (h.number == 4) x.sum = as_double(h.value);
    if (h.number == 6) x.limits = packed_doubles(h.bytes);
    if (h.number == 7) x.buckets = packed_doubles(h.bytes);
  }
}
std::vector<Value> values_of(std::string_view event) {
  std::vector<Value> out;
  for (const ProtoField& e : proto_fields(event)) {
    if (e.number != 5) continue;
    for (const ProtoField& v : proto_fields(e.bytes)) {
      Value x;
      for (const ProtoField& f : proto_fields(v.bytes)) {
        if (f.number == 1) x.tag = std::string(f.bytes);
        if (f.number == 2 && f.wire_type == 5) {
          const auto bits = static_cast<uint32_t>(f.value);
          std::memcpy(&x.scalar, &bits, 4);
        }
        if (f.number == 4) {
          x.is_image = true;
          for (const ProtoField& i : proto_fields(f.bytes)) {
            if (i.number == 1) x.height = static_cast<int>(i.value);
            if (i.number == 2) x.width = static_cast<int>(i.value);
            if (i.number == 4) x.png = std::string(i.bytes);
          }
        }
        if (f.number == 5) read_histogram(f.bytes, x);
      }
      out.push_back(x);
    }
  }
  return out;
}

TEST(TfEvents, Crc32cAndItsMaskAreTensorFlows) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value (RFC 3720, iSCSI)
  EXPECT_EQ(crc32c(""), 0u);
  const uint32_t c = crc32c("abc");
  EXPECT_EQ(masked_crc32c("abc"), ((c >> 15) | (c << 17)) + 0xa282ead8u);
}

// A scalar Event byte for byte as protobuf encodes tensorflow/core/util/event.proto (wall_time = 1, a double;
// step = 2, a varint; summary = 5) holding summary.proto's Summary.Value (tag = 1, simple_value = 2, a float),
// written out here from the encoding rules, not by the reader's field helpers; and a TFRecord's framing around it
// (length, masked CRC of the length, data, masked CRC of the data), as TensorFlow's record_writer.cc frames it.
TEST(TfEvents, AScalarEventIsTheProtobufEncodingOfEventProto) {
  const std::string value = std::string("\x0a\x06loss/d", 8) + std::string("\x15\x00\x00\x80\x3e", 5);  // 0.25f
  const std::string summary = std::string("\x0a", 1) + char(value.size()) + value;
  const std::string expected = std::string("\x09\x00\x00\x00\x00\x00\x00\xf8\x3f", 9) +  // 1.5
                               std::string("\x10\x07", 2) +                                  // step 7
                               std::string("\x2a", 1) + char(summary.size()) + summary;
  EXPECT_EQ(event_scalar(1.5, 7, "loss/d", 0.25f), expected);
  const std::string record = tfrecord(expected);
  ASSERT_EQ(record.size(), 8 + 4 + expected.size() + 4);
  EXPECT_EQ(record.substr(0, 8), std::string("\x1c\x00\x00\x00\x00\x00\x00\x00", 8));  // 28 bytes, little-endian
  const auto le32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(record[at + i]);
    return v;
  };
  EXPECT_EQ(le32(8), masked_crc32c(record.substr(0, 8)));
  EXPECT_EQ(record.substr(12, expected.size()), expected);
  EXPECT_EQ(le32(12 + expected.size()), masked_crc32c(expected));
}

TEST(TfEvents, RecordsRoundTripAndACutOrDamagedFileReadsUpToItsLastWholeRecord) {
  test::ScratchDir dir;
  const std::string path = dir / "events.out.tfevents.1.test";
  {
    EventFileWriter w(path);
    w.write(event_file_version(1.5));
    for (int s = 1; s <= 3; ++s) w.write(event_scalar(2.0, s, "loss/d", 0.25f * s));
  }
  const EventRecords all = read_event_file(path);
  ASSERT_TRUE(all.complete) << all.error;
  ASSERT_EQ(all.records.size(), 4u);
  // The first record: wall_time, then file_version "brain.Event:2".
  const auto first = proto_fields(all.records[0]);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].number, 1);
  EXPECT_EQ(first[0].wire_type, 1);
  EXPECT_EQ(first[1].number, 3);
  EXPECT_EQ(first[1].bytes, "brain.Event:2");
  EXPECT_EQ(event_step(all.records[2]), 2);
  EXPECT_EQ(values_of(all.records[3])[0].tag, "loss/d");
  EXPECT_EQ(values_of(all.records[3])[0].scalar, 0.75f);

  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_bytes(dir / "cut", bytes.substr(0, bytes.size() - 5));  // a crashed writer's last record
  const EventRecords cut = read_event_file(dir / "cut");
  EXPECT_FALSE(cut.complete);
  EXPECT_EQ(cut.records.size(), 3u);
  std::string damaged = bytes;
  damaged[bytes.size() - 10] ^= 0x20;  // a bit flip inside the last record's data
  write_bytes(dir / "damaged", damaged);
  const EventRecords bad = read_event_file(dir / "damaged");
  EXPECT_FALSE(bad.complete);
  EXPECT_NE(bad.error.find("data CRC mismatch"), std::string::npos) << bad.error;
  EXPECT_EQ(bad.records.size(), 3u);
}

TEST(TfEvents, AResumeDropsTheRecordsAfterItsStepAndKeepsTheRest) {
  test::ScratchDir dir;
  {
    EventFileWriter w(dir / "events.out.tfevents.1.a");
    w.write(event_file_version(1));
    for (int s = 2; s <= 10; s += 2) w.write(event_scalar(1, s, "loss/g", static_cast<float>(s)));
  }
  write_bytes(dir / "other.txt", "not an event file");
  EXPECT_EQ(truncate_event_files(dir.str(), 6), 2);
  const EventRecords r = read_event_file(dir / "events.out.tfevents.1.a");
  ASSERT_TRUE(r.complete);
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(event_step(r.records.back()), 6);
  EXPECT_EQ(test::slurp(dir / "other.txt"), "not an event file");
  EXPECT_EQ(truncate_event_files(dir.str(), 6), 0);
}

// The shared tiny run (configs/tiny.yaml: log every 2 steps, samples every 6, 12 steps): one event file whose
// scalars are metrics.csv's figures and whose images are the sample grids, PNG bytes and sizes.
TEST(TfEvents, ARunsEventFileHoldsItsMetricsAndGrids) {
  const std::string run = test::shared_tiny_run();
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(run))
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  const EventRecords r = read_event_file(files[0]);
  ASSERT_TRUE(r.complete) << r.error;
  ASSERT_FALSE(r.records.empty());
  EXPECT_NE(r.records[0].find("brain.Event:2"), std::string::npos);

  std::map<std::pair<int64_t, std::string>, Value> got;
  for (const std::string& rec : r.records)
    for (const Value& v : values_of(rec)) EXPECT_TRUE(got.emplace(std::make_pair(event_step(rec), v.tag), v).second);
  const char* columns[] = {"loss/d", "loss/g", "d/x", "d/g_z1", "d/g_z2"};
  std::vector<std::vector<std::string>> rows;
  std::ifstream csv(run + "/metrics.csv");
  for (std::string line; std::getline(csv, line);) rows.push_back(test::csv_cells(line));
  ASSERT_GT(rows.size(), 1u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const int64_t step = std::stoll(rows[i][0]);
    for (std::size_t c = 0; c < 5; ++c) {
      const auto it = got.find({step, columns[c]});
      ASSERT_NE(it, got.end()) << columns[c] << " at step " << step;
      EXPECT_NEAR(it->second.scalar, std::stod(rows[i][2 + c]), 1e-5) << columns[c] << " at step " << step;
    }
    EXPECT_TRUE(got.count({step, "speed/images_per_s"})) << step;
  }
  for (int64_t step : {6, 12}) {
    const auto it = got.find({step, "samples/g"});
    ASSERT_NE(it, got.end()) << "the grid of step " << step;
    const std::string png = test::slurp(run + fmt::format("/samples/step-{:06d}.png", step));
    EXPECT_EQ(it->second.png, png);
    const cv::Mat decoded = cv::imdecode(std::vector<uchar>(png.begin(), png.end()), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(decoded.rows, it->second.height);
    EXPECT_EQ(decoded.cols, it->second.width);
  }
  // At the last checkpoint (step 12), a histogram of each of G's weights, true to g.pt's tensors.
  LoadedGenerator g = load_generator(run + "/g.pt");
  for (const auto& p : g.generator->named_parameters()) {
    const auto it = got.find({12, "weights/G/" + p.key()});
    ASSERT_NE(it, got.end()) << p.key();
    const Value& h = it->second;
    ASSERT_TRUE(h.is_histogram);
    const torch::Tensor w = p.value().to(torch::kDouble);
    EXPECT_EQ(h.num, w.numel());
    EXPECT_DOUBLE_EQ(h.min, w.min().item<double>());
    EXPECT_DOUBLE_EQ(h.max, w.max().item<double>());
    EXPECT_NEAR(h.sum, w.sum().item<double>(), 1e-9 * w.numel());
    ASSERT_EQ(h.limits.size(), h.buckets.size());
    EXPECT_EQ(std::accumulate(h.buckets.begin(), h.buckets.end(), 0.0), h.num) << p.key();
    EXPECT_DOUBLE_EQ(h.limits.back(), h.max);
  }
  EXPECT_TRUE(got.count({6, "weights/D/main.0.weight"}));
}

// With train.augment, p is a scalar beside metrics.csv's augment_p; output.tensorboard=false writes no event file.
TEST(TfEvents, TheAugmentationProbabilityIsLoggedAndTensorBoardCanBeTurnedOff) {
  test::ScratchDir dir;
  const std::string base = "train --config configs/tiny.yaml --set train.steps=8 --set output.log_every=4 "
                           "--set train.augment=translation --set train.augment_p=adaptive "
                           "--set train.augment_speed_images=500 --set output.dir=";
  ASSERT_EQ(test::dcgan_cli(base + (dir / "on")).status, 0);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "on"))
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  std::map<int64_t, float> p;
  for (const std::string& rec : read_event_file(files[0]).records)
    for (const Value& v : values_of(rec))
      if (v.tag == "augment/p") p[event_step(rec)] = v.scalar;
  const auto rows = test::lines_of(dir / "on/metrics.csv");
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(p.size(), 2u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto cells = test::csv_cells(rows[i]);
    EXPECT_NEAR(p.at(std::stoll(cells[0])), std::stod(cells.at(12)), 1e-6) << rows[i];
  }
  ASSERT_EQ(test::dcgan_cli(base + (dir / "off") + " --set output.tensorboard=false").status, 0);
  for (const auto& e : fs::directory_iterator(dir / "off"))
    EXPECT_NE(e.path().filename().string().rfind("events.out.tfevents.", 0), 0u) << e.path();
}

}  // namespace
}  // namespace dcgan
