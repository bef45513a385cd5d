// Tests of distributed.h and the loader's shards: torchrun's environment, the shard arithmetic, and the c10d
// collectives between ranks that run as threads of this process over loopback.
#include "dcgan/dist/distributed.h"

#include "dcgan/config/config.h"
#include "dcgan/data/loader.h"
#include "dcgan/runtime/compat.h"
#include "dcgan/train/trainer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "test_util.h"

namespace dcgan {
namespace {

// Sets environment variables for the lifetime of the object and restores what was there before.
class EnvGuard {
 public:
  explicit EnvGuard(const std::map<std::string, std::optional<std::string>>& vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }
  ~EnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

const std::map<std::string, std::optional<std::string>> kNoDist = {
    {"RANK", std::nullopt},        {"WORLD_SIZE", std::nullopt},  {"LOCAL_RANK", std::nullopt},
    {"LOCAL_WORLD_SIZE", std::nullopt}, {"MASTER_ADDR", std::nullopt}, {"MASTER_PORT", std::nullopt},
    {"TORCHELASTIC_USE_AGENT_STORE", std::nullopt}, {"TORCHELASTIC_RESTART_COUNT", std::nullopt}};

std::map<std::string, std::optional<std::string>> with(std::map<std::string, std::optional<std::string>> extra) {
  auto vars = kNoDist;
  for (auto& [k, v] : extra) vars[k] = v;
  return vars;
}

#define SKIP_WITHOUT_GLOO() \
  if (!has_gloo()) GTEST_SKIP() << "this build has no Gloo backend (DCGAN_WITH_GLOO)"

DistEnv loopback(int rank, int world, int port) {
  DistEnv e;
  e.rank = rank;
  e.local_rank = rank;
  e.world_size = world;
  e.local_world_size = world;
  e.master_addr = "127.0.0.1";
  e.master_port = port;
  return e;
}

ProcessGroupOptions gloo(int timeout_ms) {
  ProcessGroupOptions o;
  o.backend = "gloo";
  o.timeout = std::chrono::milliseconds(timeout_ms);
  return o;
}

// Runs body(rank) on `world` threads, each with its own ProcessGroup; rethrows the first failure.
void on_ranks(int world, const std::function<void(ProcessGroup&)>& body) {
  const int port = test::free_port();
  std::vector<std::future<void>> ranks;
  for (int r = 0; r < world; ++r)
    ranks.push_back(std::async(std::launch::async, [=, &body] {
      ProcessGroup group(loopback(r, world, port), gloo(20000));
      body(group);
      group.barrier();
    }));
  for (auto& f : ranks) f.get();
}

TEST(DistEnvTest, NoVariablesMeansOneProcess) {
  EnvGuard env(kNoDist);
  const DistEnv e = dist_env_from_environment();
  EXPECT_EQ(e.world_size, 1);
  EXPECT_EQ(e.rank, 0);
  EXPECT_FALSE(e.distributed());
}

TEST(DistEnvTest, ReadsTorchrunsVariables) {
  EnvGuard env(with({{"RANK", "3"},
                     {"WORLD_SIZE", "4"},
                     {"LOCAL_RANK", "1"},
                     {"LOCAL_WORLD_SIZE", "2"},
                     {"MASTER_ADDR", "10.0.0.7"},
                     {"MASTER_PORT", "29400"},
                     {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                     {"TORCHELASTIC_RESTART_COUNT", "2"}}));
  const DistEnv e = dist_env_from_environment();
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world_size, 4);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.local_world_size, 2);
  EXPECT_EQ(e.master_addr, "10.0.0.7");
  EXPECT_EQ(e.master_port, 29400);
  EXPECT_TRUE(e.agent_store);
  EXPECT_EQ(e.restart_count, 2);
  EXPECT_TRUE(e.distributed());
}

TEST(DistEnvTest, BadVariablesAreNamed) {
  auto error = [](std::map<std::string, std::optional<std::string>> vars) {
    EnvGuard env(with(std::move(vars)));
    return test::message_of<DistributedError>([] { dist_env_from_environment(); });
  };
  EXPECT_NE(error({{"RANK", "0"}}).find("WORLD_SIZE is not"), std::string::npos);
  EXPECT_NE(error({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}})
                .find("RANK=2 is not below WORLD_SIZE=2"),
            std::string::npos);
  EXPECT_NE(error({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}})
                .find("MASTER_PORT='70000'"),
            std::string::npos);
  EXPECT_NE(error({{"RANK", "x"}, {"WORLD_SIZE", "2"}}).find("RANK='x'"), std::string::npos);
  EXPECT_NE(error({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "29500"}}).find("MASTER_ADDR"),
            std::string::npos);
}

TEST(Shards, DisjointAndTogetherCoverEveryGlobalBatch) {
  for (int world : {1, 2, 3}) {
    const int batch = 4;
    const int64_t n = 50, per_epoch = n / (batch * world);
    std::set<int64_t> seen;
    for (int64_t i = 0; i < per_epoch; ++i)
      for (int r = 0; r < world; ++r) {
        const ShardRange s = shard_of_batch(i, batch, r, world);
        EXPECT_EQ(s.end - s.begin, batch);
        for (int64_t p = s.begin; p < s.end; ++p) EXPECT_TRUE(seen.insert(p).second) << "position " << p << " twice";
      }
    EXPECT_EQ(static_cast<int64_t>(seen.size()), per_epoch * batch * world);
    EXPECT_EQ(*seen.rbegin(), per_epoch * batch * world - 1);
  }
}

// Item i is one byte of value i.
class CountingDataset final : public Dataset {
 public:
  explicit CountingDataset(int64_t n) : n_(n) {}
  int64_t size() const override { return n_; }
  ImageShape shape() const override { return {1, 1, 1}; }
  void read(int64_t index, uint8_t* out) const override { *out = static_cast<uint8_t>(index); }
  std::string describe() const override { return "counting"; }

 private:
  int64_t n_;
};

TEST(Shards, LoadersOfTwoRanksSplitEachEpochOfTheSeededPermutation) {
  CountingDataset data(30);
  LoaderOptions o0{4, 7}, o1{4, 7};
  o0.world_size = o1.world_size = 2;
  o1.rank = 1;
  Loader rank0(data, o0), rank1(data, o1);
  ASSERT_EQ(rank0.batches_per_epoch(), 3);  // 30 / (4 x 2)
  for (int epoch = 0; epoch < 2; ++epoch) {
    const auto perm = epoch_permutation(30, 7, epoch);
    std::vector<int64_t> read;
    for (int b = 0; b < 3; ++b) {
      const Batch a = rank0.next(), c = rank1.next();
      EXPECT_EQ(a.epoch, epoch);
      EXPECT_EQ(c.index, b);
      for (auto v : a.pixels) read.push_back(v);
      for (auto v : c.pixels) read.push_back(v);
    }
    // Global batch b is rank 0's batch b then rank 1's: the first 24 items of the permutation, each once.
    EXPECT_EQ(read, std::vector<int64_t>(perm.begin(), perm.begin() + 24));
  }
  // One rank alone at batch 8 reads the same images, step for step.
  Loader single(data, {8, 7});
  const Batch s = single.next();
  const auto perm = epoch_permutation(30, 7, 0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(s.pixels[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(i)]);
  EXPECT_NE(test::message_of<DataError>([&] { Loader::batches_per_epoch(data, 16, 2); }).find("global batch of 32"),
            std::string::npos);
}

TEST(ProcessGroupTest, AveragesGradientsInOneFlatAllReduce) {
  SKIP_WITHOUT_GLOO();
  on_ranks(2, [](ProcessGroup& g) {
    // Rank r's gradients are (r + 1) x a fixed pattern; the mean over 2 ranks is 1.5 x the pattern. One parameter is
    // channels_last and one has no gradient on rank 0 (counted as zeros).
    const float scale = static_cast<float>(g.rank() + 1);
    torch::Tensor a = torch::zeros({2, 3, 2, 2}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_();
    torch::Tensor b = torch::zeros({5}).requires_grad_();
    torch::Tensor c = torch::zeros({3}).requires_grad_();
    const torch::Tensor pa = torch::arange(24, torch::kFloat).view({2, 3, 2, 2});
    const torch::Tensor pb = torch::arange(5, torch::kFloat) - 2;
    a.mutable_grad() = (pa * scale).contiguous(torch::MemoryFormat::ChannelsLast);
    b.mutable_grad() = pb * scale;
    if (g.rank() == 1) c.mutable_grad() = torch::full({3}, 4.0);
    g.average_gradients({a, b, c});
    EXPECT_TRUE(torch::equal(a.grad(), pa * 1.5f));
    EXPECT_TRUE(a.grad().is_contiguous(torch::MemoryFormat::ChannelsLast));
    EXPECT_TRUE(torch::equal(b.grad(), pb * 1.5f));
    ASSERT_TRUE(c.grad().defined());
    EXPECT_TRUE(torch::equal(c.grad(), torch::full({3}, 2.0)));
    EXPECT_EQ(g.gradient_stats().calls, 1);
    EXPECT_EQ(g.gradient_stats().bytes, (24 + 5 + 3) * 4);
  });
}

TEST(ProcessGroupTest, BroadcastGatherAndSum) {
  SKIP_WITHOUT_GLOO();
  on_ranks(3, [](ProcessGroup& g) {
    torch::Tensor w = torch::full({2, 2}, static_cast<float>(g.rank() + 10));
    torch::Tensor v = torch::full({3}, static_cast<float>(-g.rank()));
    g.broadcast({w, v}, /*root=*/1);
    EXPECT_TRUE(torch::equal(w, torch::full({2, 2}, 11.0f)));
    EXPECT_TRUE(torch::equal(v, torch::full({3}, -1.0f)));
    EXPECT_EQ(g.all_gather(int64_t{100} + g.rank()), (std::vector<int64_t>{100, 101, 102}));
    EXPECT_EQ(g.all_reduce_sum(g.rank() + 1), 6);
    const auto bytes = g.all_gather(std::vector<uint8_t>{static_cast<uint8_t>(g.rank()), 7});
    ASSERT_EQ(bytes.size(), 3u);
    EXPECT_EQ(bytes[2], (std::vector<uint8_t>{2, 7}));
    EXPECT_EQ(g.size(), 3);
    EXPECT_EQ(g.backend(), "gloo");
  });
}

TEST(ProcessGroupTest, MissingRanksTimeOutWithTheirNumbers) {
  SKIP_WITHOUT_GLOO();
  const auto start = std::chrono::steady_clock::now();
  const std::string msg = test::message_of<DistributedError>(
      [&] { ProcessGroup alone(loopback(0, 3, test::free_port()), gloo(1500)); });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(msg.find("only 1 of WORLD_SIZE=3 ranks joined"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing: rank 1, 2"), std::string::npos) << msg;
  EXPECT_LT(s, 10.0);
}

// Waits until the rendezvous at `port` holds dcgan's key for `rank` (that rank joined); false after `seconds`.
bool wait_for_rank(int port, int rank, double seconds) {
  c10d::TCPStoreOptions o;
  o.port = static_cast<std::uint16_t>(port);
  o.isServer = false;
  o.waitWorkers = false;
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3));  // also the wait for rank 0 to host it
  compat::use_classic_tcp_store(o);
  auto store = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", o);
  const auto deadline = std::chrono::steady_clock::now() + o.timeout;
  while (!store->check({"dcgan/rank/" + std::to_string(rank)})) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(ProcessGroupTest, ARankNumberTakenTwiceIsRefused) {
  SKIP_WITHOUT_GLOO();
  const int port = test::free_port();
  auto join = [port](int rank) {
    return test::message_of<DistributedError>([=] { ProcessGroup g(loopback(rank, 3, port), gloo(4000)); });
  };
  // Rank 0 hosts the store, rank 1 joins it, then a second rank 1 comes: each waits for the one before to be in.
  auto r0 = std::async(std::launch::async, join, 0);
  ASSERT_TRUE(wait_for_rank(port, 0, 20));
  auto r1 = std::async(std::launch::async, join, 1);
  ASSERT_TRUE(wait_for_rank(port, 1, 20));
  const std::string dup = join(1);
  EXPECT_NE(dup.find("another process already joined 127.0.0.1:"), std::string::npos) << dup;
  EXPECT_NE(dup.find("as RANK=1"), std::string::npos) << dup;
  const std::string m0 = r0.get();
  EXPECT_NE(m0.find("missing: rank 2"), std::string::npos) << m0;
  r1.get();
}

// Config of a tiny network on the CPU without the moving average.
Config tiny_trainer_config() {
  Config c = test::small_config(32, 1, 8, 4);
  c.train.device = "cpu";
  c.train.ema_decay = "0";
  return c;
}

std::vector<torch::Tensor> weights(Trainer& t) {
  auto w = t.generator()->parameters();
  for (auto& p : t.discriminator()->parameters()) w.push_back(p);
  return w;
}

TEST(ProcessGroupTest, RanksStayIdenticalAndOnOneBatchEqualOneProcess) {
  SKIP_WITHOUT_GLOO();
  const Config c = tiny_trainer_config();
  auto make = [&] {
    torch::manual_seed(5);
    return std::make_unique<Trainer>(c, torch::kCPU);
  };
  auto single = make();
  auto t0 = make();
  auto t1 = make();
  auto u0 = make();
  auto u1 = make();
  torch::manual_seed(6);
  std::vector<torch::Tensor> real_a, real_b, noise_a, noise_b;
  for (int s = 0; s < 3; ++s) {
    real_a.push_back(torch::rand({4, 1, 32, 32}) * 2 - 1);
    real_b.push_back(torch::rand({4, 1, 32, 32}) * 2 - 1);
    noise_a.push_back(torch::randn({4, 8, 1, 1}));
    noise_b.push_back(torch::randn({4, 8, 1, 1}));
  }
  for (int s = 0; s < 3; ++s) single->step(real_a[s], noise_a[s]);
  // Both ranks on the same batch: the mean of two equal gradients is that gradient, exactly.
  on_ranks(2, [&](ProcessGroup& g) {
    Trainer& t = g.rank() == 0 ? *t0 : *t1;
    t.set_gradient_hook([&g](const std::vector<torch::Tensor>& p) { g.average_gradients(p); });
    for (int s = 0; s < 3; ++s) t.step(real_a[s], noise_a[s]);
  });
  // Different batches: the ranks still hold the same weights after every step, unlike one process on either batch.
  on_ranks(2, [&](ProcessGroup& g) {
    Trainer& t = g.rank() == 0 ? *u0 : *u1;
    t.set_gradient_hook([&g](const std::vector<torch::Tensor>& p) { g.average_gradients(p); });
    for (int s = 0; s < 3; ++s) {
      if (g.rank() == 0) t.step(real_a[s], noise_a[s]);
      else t.step(real_b[s], noise_b[s]);
      const auto h = g.all_gather(static_cast<int64_t>(hash_tensors(weights(t))));
      EXPECT_EQ(h[0], h[1]) << "step " << s;
    }
  });
  const auto ws = weights(*single), w0 = weights(*t0), w1 = weights(*t1), v0 = weights(*u0), v1 = weights(*u1);
  bool differs = false;
  for (std::size_t i = 0; i < ws.size(); ++i) {
    EXPECT_TRUE(torch::equal(w0[i], ws[i])) << "parameter " << i;
    EXPECT_TRUE(torch::equal(w1[i], ws[i])) << "parameter " << i;
    EXPECT_TRUE(torch::equal(v0[i], v1[i])) << "parameter " << i;
    differs = differs || !torch::equal(v0[i], ws[i]);
  }
  EXPECT_TRUE(differs);
}

// train.augment_p adaptive over two ranks on different batches: p moves by the sign of the mean of the ranks' r_t,
// so both hold the same p after every step (rank 0's checkpoint then resumes both).
TEST(ProcessGroupTest, AdaptiveAugmentationSteersEveryRankByTheMeanRt) {
  SKIP_WITHOUT_GLOO();
  Config c = tiny_trainer_config();
  c.train.augment = "color,translation";
  c.train.augment_p = "adaptive";
  c.train.augment_interval = 1;
  c.train.augment_target = 0.3;
  c.train.augment_speed_images = 40;  // 8 images a step over both ranks: p moves by 0.2
  torch::manual_seed(5);
  auto t0 = std::make_unique<Trainer>(c, torch::kCPU);
  torch::manual_seed(5);  // the same weights, as the broadcast at a run's start gives them
  auto t1 = std::make_unique<Trainer>(c, torch::kCPU);
  torch::manual_seed(7);
  std::vector<torch::Tensor> real, noise;
  for (int s = 0; s < 12; ++s) {
    real.push_back(torch::rand({4, 1, 32, 32}) * 2 - 1);
    noise.push_back(torch::randn({4, 8, 1, 1}));
  }
  std::array<int, 2> moved_against_own{0, 0};
  on_ranks(2, [&](ProcessGroup& g) {
    Trainer& t = g.rank() == 0 ? *t0 : *t1;
    t.set_gradient_hook([&g](const std::vector<torch::Tensor>& p) { g.average_gradients(p); });
    t.set_rank_mean_hook([&g](const torch::Tensor& v) { return g.all_reduce_mean(v); });
    t.augment_probability().set_global_batch(8);
    double p = 0;
    for (int s = 0; s < 6; ++s) {
      const int i = 2 * s + g.rank();
      const StepStats st = t.step(real[static_cast<std::size_t>(i)], noise[static_cast<std::size_t>(i)]);
      const auto signs = g.all_gather(std::llround(st.sign_real.item<double>() * 1e6));
      const double mean = (static_cast<double>(signs[0]) + static_cast<double>(signs[1])) / 2e6;
      const double own = st.sign_real.item<double>();
      const double expected = std::clamp(p + (mean > 0.3 ? 0.2 : -0.2), 0.0, 1.0);
      if ((mean > 0.3) != (own > 0.3)) moved_against_own[static_cast<std::size_t>(g.rank())] += 1;
      p = t.augment_probability().tensor().item<double>();
      EXPECT_NEAR(p, expected, 1e-6) << "rank " << g.rank() << " step " << s;
      const auto ps = g.all_gather(std::llround(p * 1e6));
      EXPECT_EQ(ps[0], ps[1]) << "step " << s;
    }
  });
  // The batches were such that at least one step's mean and some rank's own r_t fell on opposite sides of the
  // target, where steering by a rank's own figure would have moved p the other way.
  EXPECT_GT(moved_against_own[0] + moved_against_own[1], 0);
}

TEST(HashTensors, EqualBytesEqualHash) {
  const torch::Tensor a = torch::arange(10, torch::kFloat);
  EXPECT_EQ(hash_tensors({a}), hash_tensors({a.clone()}));
  EXPECT_EQ(hash_tensors({a.view({2, 5})}), hash_tensors({a}));
  torch::Tensor b = a.clone();
  b[3] = std::nextafter(3.0f, 4.0f);
  EXPECT_NE(hash_tensors({a}), hash_tensors({b}));
  EXPECT_NE(hash_tensors({a, a}), hash_tensors({a}));
}

}  // namespace
}  // namespace dcgan
