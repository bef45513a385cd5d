// Tests of the .pth reader and writer: round trips, files written by Python's torch.save, refusals.
#include "dcgan/io/pth.h"

#include <fstream>

#include "test_util.h"

namespace dcgan {
namespace {

TEST(Pth, StateDictAndTensorRoundTrip) {
  test::ScratchDir dir;
  const torch::Tensor w = torch::randn({4, 3, 2, 2}).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor n = torch::tensor(int64_t{5000000000});  // needs LONG1 in the pickle
  save_state_dict(dir / "sd.pth", {{"main.0.weight", w}, {"main.1.num_batches_tracked", n}});
  EXPECT_TRUE(is_pth_file(dir / "sd.pth"));
  const PthContent back = load_pth(dir / "sd.pth");
  ASSERT_EQ(back.state_dict.size(), 2u);
  EXPECT_EQ(back.state_dict[0].first, "main.0.weight");
  EXPECT_TRUE(torch::equal(back.state_dict[0].second, w));
  EXPECT_EQ(back.state_dict[1].first, "main.1.num_batches_tracked");
  EXPECT_EQ(back.state_dict[1].second.scalar_type(), torch::kLong);
  EXPECT_EQ(back.state_dict[1].second.item<int64_t>(), 5000000000);

  const torch::Tensor t = torch::randn({3, 7, 1, 1});
  save_tensor(dir / "t.pt", t);
  EXPECT_TRUE(torch::equal(load_pth(dir / "t.pt").tensor, t));
}

TEST(Pth, ReadsWhatPythonsTorchSaveWrote) {
  // tests/py/make_fixtures.py: a state_dict() with _metadata, and a tensor.
  const PthContent sd = load_pth(test::source_path("tests/data/python/state_dict.pth"));
  std::vector<std::string> names;
  for (const auto& kv : sd.state_dict) names.push_back(kv.first);
  EXPECT_EQ(names, (std::vector<std::string>{"main.0.weight", "main.1.weight", "main.1.bias", "main.1.running_mean",
                                             "main.1.running_var", "main.1.num_batches_tracked"}));
  EXPECT_TRUE(torch::allclose(sd.state_dict[0].second, torch::arange(96, torch::kFloat).view({3, 2, 4, 4}) / 100));
  EXPECT_FLOAT_EQ(sd.state_dict[2].second[1].item<float>(), -0.25f);
  EXPECT_FLOAT_EQ(sd.state_dict[4].second[1].item<float>(), 3.0f);
  EXPECT_EQ(sd.state_dict[5].second.item<int64_t>(), 42);
  const PthContent t = load_pth(test::source_path("tests/data/python/tensor.pt"));
  EXPECT_TRUE(torch::equal(t.tensor, torch::arange(12, torch::kFloat).view({3, 4, 1, 1})));
}

TEST(Pth, RefusesWholeModulesAndDamagedFilesNamingThem) {
  const std::string module = test::source_path("tests/data/python/module.pth");
  const std::string m = test::message_of<PthError>([&] { load_pth(module); });
  EXPECT_NE(m.find(module), std::string::npos) << m;
  test::ScratchDir dir;
  std::ofstream(dir / "junk.pth") << "not a zip file at all";
  const std::string j = test::message_of<PthError>([&] { load_pth(dir / "junk.pth"); });
  EXPECT_NE(j.find("junk.pth: not a torch.save archive"), std::string::npos) << j;
  EXPECT_FALSE(is_pth_file(dir / "junk.pth"));
  // A valid archive cut short.
  const std::string whole = [&] {
    std::ifstream in(test::source_path("tests/data/python/state_dict.pth"), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  std::ofstream(dir / "cut.pth", std::ios::binary) << whole.substr(0, whole.size() / 2);
  EXPECT_THROW(load_pth(dir / "cut.pth"), PthError);
}

}  // namespace
}  // namespace dcgan
