// Test helpers: a seeded fixture, scratch directories, paths of the source tree and the built binary.
#pragma once

#include "dcgan/config/config.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace dcgan::test {

// Every test starts from the same torch RNG state.
class Seeded : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(1234);
    torch::set_num_threads(1);
  }
};

// A fresh directory under the system temp dir, removed when the object goes away.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dcgan-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Copies of a module's parameters, to compare with same_tensors() after a step.
inline std::vector<torch::Tensor> snapshot(torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

// Copies of a module's buffers (BatchNorm's running statistics and batch counts).
inline std::vector<torch::Tensor> snapshot_buffers(torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& b : m.buffers()) out.push_back(b.detach().clone());
  return out;
}

// Whether two lists hold equal tensors, pairwise.
inline bool same_tensors(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return a.size() == b.size();
}

// The what() of the E that `f` throws, or "" when it throws none.
template <class E>
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

// A small network on the synthetic source, for tests that need a Trainer: image_size x image_size, `channels`,
// latent size `nz`, widths ngf = ndf = `width`.
inline Config small_config(int image_size, int channels, int nz, int width) {
  Config c;
  c.data.format = "synthetic";
  c.data.image_size = image_size;
  c.data.channels = channels;
  c.model.nz = nz;
  c.model.ngf = width;
  c.model.ndf = width;
  return c;
}

// A TCP port free on 127.0.0.1, for tests of ranks that meet on loopback. It is taken below the kernel's ephemeral
// range (ip_local_port_range, 32768-60999 by default), where the port-0 choice of the old helper lived and where
// every outgoing connection (Gloo opens many) takes its local port: a port chosen there could be taken again before
// the store listened on it. Here each test process (ctest runs one per test) gets its own block of 10 ports in
// 20000-29999, by its pid, and a port is handed out only after a bind to it succeeded; two processes share a block
// only when their pids are 1,000 x k apart and they run at the same moment.
inline int free_port() {
  static int next = 0;
  const int block = 20000 + static_cast<int>(::getpid() % 1000) * 10;
  for (int tries = 0; tries < 10; ++tries) {
    const int port = block + (next++ % 10);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return port;
  }
  throw std::runtime_error("free_port: no free port in this process's block");
}

inline std::string source_path(const std::string& relative) {
  return std::string(test::source_dir()) + "/" + relative;
}

}  // namespace dcgan::test
