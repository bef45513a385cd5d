// Tests of Profiler: operator counts and self times on the CPU, kernels on CUDA, and the table.
#include "dcgan/runtime/profile.h"

#include "dcgan/runtime/runtime.h"

#include "test_util.h"

#include <chrono>

namespace dcgan {
namespace {

const ProfileRow* row_named(const Profile& p, const std::string& name) {
  for (const auto& r : p.rows)
    if (r.name == name) return &r;
  return nullptr;
}

class ProfilerTest : public test::Seeded {};

TEST_F(ProfilerTest, CountsEachOperatorCall) {
  const torch::Tensor a = torch::rand({64, 64}), b = torch::rand({64, 64});
  Profiler profiler(false);
  for (int i = 0; i < 3; ++i) torch::mm(a, b);
  for (int i = 0; i < 2; ++i) torch::sigmoid(a);
  const Profile p = profiler.stop();
  EXPECT_FALSE(p.cuda);
  const ProfileRow* mm = row_named(p, "aten::mm");
  const ProfileRow* sigmoid = row_named(p, "aten::sigmoid");
  ASSERT_NE(mm, nullptr);
  ASSERT_NE(sigmoid, nullptr);
  EXPECT_EQ(mm->calls, 3);
  EXPECT_EQ(sigmoid->calls, 2);
  double sum = 0;
  int64_t calls = 0;
  for (std::size_t i = 0; i < p.rows.size(); ++i) {
    EXPECT_GE(p.rows[i].self_ms, 0.0) << p.rows[i].name;
    if (i > 0) {
      EXPECT_GE(p.rows[i - 1].self_ms, p.rows[i].self_ms) << "rows are largest first";
    }
    sum += p.rows[i].self_ms;
    calls += p.rows[i].calls;
  }
  EXPECT_NEAR(p.total_ms, sum, 1e-9);
  EXPECT_EQ(p.calls, calls);
}

TEST_F(ProfilerTest, SelfTimesLeaveOutNestedCalls) {
  // matmul calls mm, which does the work: counted once, in mm, the self times add up to no more than the wall
  // time of the (single-threaded) stretch. Inclusive times would count the work twice.
  const torch::Tensor a = torch::rand({384, 384}), b = torch::rand({384, 384});
  torch::matmul(a, b);
  const auto start = std::chrono::steady_clock::now();
  Profiler profiler(false);
  for (int i = 0; i < 5; ++i) torch::matmul(a, b);
  const Profile p = profiler.stop();
  const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const ProfileRow* mm = row_named(p, "aten::mm");
  const ProfileRow* matmul = row_named(p, "aten::matmul");
  ASSERT_NE(mm, nullptr);
  ASSERT_NE(matmul, nullptr);
  EXPECT_EQ(matmul->calls, 5);
  EXPECT_EQ(mm->calls, 5);
  EXPECT_GT(mm->self_ms, 5 * matmul->self_ms) << "matmul's own time is a small part; mm does the product";
  EXPECT_LE(p.total_ms, wall_ms);
}

TEST_F(ProfilerTest, CudaProfileListsKernels) {
  if (!cuda_available()) GTEST_SKIP() << "needs a CUDA device";
  const torch::Tensor a = torch::rand({256, 256}, torch::kCUDA), b = torch::rand({256, 256}, torch::kCUDA);
  torch::cuda::synchronize();
  Profiler profiler(true);
  for (int i = 0; i < 4; ++i) torch::mm(a, b);
  torch::cuda::synchronize();
  const Profile p = profiler.stop();
  EXPECT_TRUE(p.cuda);
  ASSERT_FALSE(p.rows.empty()) << "no CUDA kernels recorded";
  EXPECT_GE(p.calls, 4);
  EXPECT_GT(p.total_ms, 0.0);
  EXPECT_EQ(row_named(p, "aten::mm"), nullptr) << "a CUDA profile lists kernels, not operators";
}

TEST(FormatProfile, ShowsSharesPerStepAndTheTotal) {
  Profile p;
  p.rows = {{"big", 4, 6.0}, {"small", 2, 2.0}};
  p.calls = 6;
  p.total_ms = 8.0;
  const std::string table = format_profile(p, 2, 1);
  EXPECT_NE(table.find(" 75.0%      3.000         2.0  big\n"), std::string::npos) << table;
  EXPECT_EQ(table.find("small"), std::string::npos) << table;
  EXPECT_NE(table.find("  100%      4.000         3.0  all 2 names (1 not shown)\n"), std::string::npos) << table;
  EXPECT_NE(table.find("CPU operator (self time)"), std::string::npos) << table;
  EXPECT_THROW(format_profile(p, 0, 1), std::invalid_argument);
}

}  // namespace
}  // namespace dcgan
