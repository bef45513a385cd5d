// TensorBoard event files: TFRecord framing, CRC-32C, the few Event messages dcgan writes, and a reader.
#include "dcgan/io/tfevents.h"

#include "dcgan/io/files.h"

#include <array>
#include <cstring>
#include <stdexcept>

namespace dcgan {
namespace {

const std::array<uint32_t, 256>& crc_table() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

std::string le_bytes(uint64_t v, int n) {
  std::string s(static_cast<std::size_t>(n), '\0');
  for (int i = 0; i < n; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

uint64_t read_le(std::string_view s) {
  uint64_t v = 0;
  for (std::size_t i = 0; i < s.size(); ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  return v;
}

// Protocol buffer encoding (developers.google.com/protocol-buffers/docs/encoding): key = number << 3 | wire type.
void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void key(std::string& out, int number, int wire_type) { varint(out, static_cast<uint64_t>(number) << 3 | wire_type); }
void field_varint(std::string& out, int number, uint64_t v) {
  key(out, number, 0);
  varint(out, v);
}
void field_bytes(std::string& out, int number, std::string_view bytes) {
  key(out, number, 2);
  varint(out, bytes.size());
  out.append(bytes);
}
// A double's 8 bytes, little-endian, as protobuf writes fixed64 fields and packed doubles.
std::string double_bytes(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return le_bytes(bits, 8);
}
void field_double(std::string& out, int number, double v) {
  key(out, number, 1);
  out += double_bytes(v);
}
void field_float(std::string& out, int number, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  key(out, number, 5);
  out += le_bytes(bits, 4);
}

std::string event_header(double wall_time, int64_t step) {
  std::string e;
  field_double(e, 1, wall_time);
  if (step != 0) field_varint(e, 2, static_cast<uint64_t>(step));
  return e;
}

std::string event_with_value(double wall_time, int64_t step, const std::string& value) {
  std::string summary;
  field_bytes(summary, 1, value);
  std::string e = event_header(wall_time, step);
  field_bytes(e, 5, summary);
  return e;
}

}  // namespace

uint32_t crc32c(std::string_view bytes) {
  uint32_t c = 0xffffffffu;
  for (unsigned char b : bytes) c = crc_table()[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t masked_crc32c(std::string_view bytes) {
  const uint32_t c = crc32c(bytes);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string tfrecord(std::string_view data) {
  const std::string length = le_bytes(data.size(), 8);
  std::string r = length + le_bytes(masked_crc32c(length), 4);
  r.append(data);
  r += le_bytes(masked_crc32c(data), 4);
  return r;
}

std::string event_file_version(double wall_time) {
  std::string e = event_header(wall_time, 0);
  field_bytes(e, 3, "brain.Event:2");
  return e;
}

std::string event_scalar(double wall_time, int64_t step, std::string_view tag, float value) {
  std::string v;
  field_bytes(v, 1, tag);
  field_float(v, 2, value);
  return event_with_value(wall_time, step, v);
}

std::string event_histogram(double wall_time, int64_t step, std::string_view tag, const Histogram& h) {
  auto packed = [](const std::vector<double>& values) {
    std::string bytes;
    for (double v : values) bytes += double_bytes(v);
    return bytes;
  };
  std::string histo;
  field_double(histo, 1, h.min);
  field_double(histo, 2, h.max);
  field_double(histo, 3, h.num);
  field_double(histo, 4, h.sum);
  field_double(histo, 5, h.sum_squares);
  field_bytes(histo, 6, packed(h.bucket_limit));
  field_bytes(histo, 7, packed(h.bucket));
  std::string v;
  field_bytes(v, 1, tag);
  field_bytes(v, 5, histo);
  return event_with_value(wall_time, step, v);
}

std::string event_image(double wall_time, int64_t step, std::string_view tag, int height, int width,
                        int colorspace, std::string_view png) {
  std::string image;
  field_varint(image, 1, static_cast<uint64_t>(height));
  field_varint(image, 2, static_cast<uint64_t>(width));
  field_varint(image, 3, static_cast<uint64_t>(colorspace));
  field_bytes(image, 4, png);
  std::string v;
  field_bytes(v, 1, tag);
  field_bytes(v, 4, image);
  return event_with_value(wall_time, step, v);
}

std::vector<ProtoField> proto_fields(std::string_view m) {
  std::vector<ProtoField> out;
  std::size_t i = 0;
  auto read_varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i >= m.size()) throw std::runtime_error("protocol buffer: varint runs past the end");
      const auto b = static_cast<unsigned char>(m[i++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    throw std::runtime_error("protocol buffer: varint longer than 10 bytes");
  };
  while (i < m.size()) {
    const uint64_t k = read_varint();
    ProtoField f;
    f.number = static_cast<int>(k >> 3);
    f.wire_type = static_cast<int>(k & 7);
    std::size_t width = 0;
    switch (f.wire_type) {
      case 0: f.value = read_varint(); break;
      case 1: width = 8; break;
      case 5: width = 4; break;
      case 2: {
        const uint64_t n = read_varint();
        if (n > m.size() - i) throw std::runtime_error("protocol buffer: field runs past the end");
        f.bytes = m.substr(i, n);
        i += n;
        break;
      }
      default: throw std::runtime_error("protocol buffer: unknown wire type " + std::to_string(f.wire_type));
    }
    if (width) {
      if (width > m.size() - i) throw std::runtime_error("protocol buffer: fixed field runs past the end");
      f.value = read_le(m.substr(i, width));
      f.bytes = m.substr(i, width);
      i += width;
    }
    out.push_back(f);
  }
  return out;
}

int64_t event_step(std::string_view event) {
  for (const ProtoField& f : proto_fields(event))
    if (f.number == 2 && f.wire_type == 0) return static_cast<int64_t>(f.value);
  return 0;
}

EventRecords read_event_file(const std::string& path) {
  const std::string all = read_file(path);
  const std::string_view s(all);
  EventRecords r;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.size() - i < 12) {
      r.complete = false, r.error = "a record header cut short at byte " + std::to_string(i);
      break;
    }
    const std::string_view length = s.substr(i, 8);
    if (static_cast<uint32_t>(read_le(s.substr(i + 8, 4))) != masked_crc32c(length)) {
      r.complete = false, r.error = "a length CRC mismatch at byte " + std::to_string(i);
      break;
    }
    const uint64_t n = read_le(length);
    if (n > s.size() - i - 12 || s.size() - i - 12 - n < 4) {
      r.complete = false, r.error = "a record cut short at byte " + std::to_string(i);
      break;
    }
    const std::string_view data = s.substr(i + 12, n);
    if (static_cast<uint32_t>(read_le(s.substr(i + 12 + n, 4))) != masked_crc32c(data)) {
      r.complete = false, r.error = "a data CRC mismatch at byte " + std::to_string(i);
      break;
    }
    try {  // whole and framed, but not a protocol buffer (fuzz_tfevents): damage, as a bad CRC is
      proto_fields(data);
    } catch (const std::runtime_error& e) {
      r.complete = false, r.error = "a record that is not a protocol buffer at byte " + std::to_string(i) + " (" +
                                    e.what() + ")";
      break;
    }
    r.records.emplace_back(data);
    i += 16 + n;
  }
  return r;
}

EventFileWriter::EventFileWriter(std::string path) : path_(std::move(path)) {
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw FileError(path_ + ": cannot open for writing");
}

void EventFileWriter::write(std::string_view event) {
  out_ << tfrecord(event);
  out_.flush();
  if (!out_) throw FileError(path_ + ": write failed");
}

}  // namespace dcgan
