// Tests of the generator's Python state dict: the tutorial's names and order, round trips, strict loading.
#include "dcgan/io/interop.h"

#include "dcgan/config/config.h"

#include "test_util.h"

namespace dcgan {
namespace {

class InteropTest : public test::Seeded {};

TEST_F(InteropTest, StateDictHasTheTutorialsNamesInItsOrder) {
  Generator g(GeneratorOptions().nz(100).ngf(64).channels(3).image_size(64));
  const StateDict sd = generator_state_dict(g);
  ASSERT_EQ(sd.size(), 5u + 4u * 5u);  // 5 ConvTranspose2d weights; 4 BatchNorm2d with 2 parameters, 3 buffers
  const std::vector<std::string> first = {"main.0.weight",       "main.1.weight",      "main.1.bias",
                                          "main.1.running_mean", "main.1.running_var", "main.1.num_batches_tracked",
                                          "main.3.weight"};
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(sd[i].first, first[i]);
  EXPECT_EQ(sd.back().first, "main.12.weight");
  EXPECT_EQ(sd[0].second.sizes(), (std::vector<int64_t>{100, 512, 4, 4}));
}

TEST_F(InteropTest, ExportedStateDictRebuildsTheSameGenerator) {
  test::ScratchDir dir;
  Generator g(GeneratorOptions().nz(16).ngf(8).channels(1).image_size(32));
  {
    torch::NoGradGuard no_grad;
    for (auto& b : g->buffers())
      if (b.is_floating_point()) b.uniform_(0.5, 1.5);  // non-default BatchNorm statistics
  }
  save_state_dict(dir / "g.pth", generator_state_dict(g));
  LoadedGenerator back = load_generator(dir / "g.pth");
  EXPECT_EQ(back.kind, "state_dict");
  EXPECT_EQ(back.config.model.nz, 16);
  EXPECT_EQ(back.config.model.ngf, 8);
  EXPECT_EQ(back.config.data.channels, 1);
  EXPECT_EQ(back.config.data.image_size, 32);
  g->eval();
  const torch::Tensor z = torch::randn({3, 16, 1, 1});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(g->forward(z), back.generator->forward(z), 1e-5, 1e-6));
}

TEST_F(InteropTest, LoadingIsStrictAndNamesTheKeys) {
  Generator g(GeneratorOptions().nz(16).ngf(8).channels(3).image_size(64));
  StateDict sd = generator_state_dict(g);
  sd.erase(sd.begin() + 2);                                  // main.1.bias
  sd.emplace_back("main.99.extra", torch::zeros({1}));
  const std::string m = test::message_of<CheckpointError>([&] { generator_from_state_dict(sd, "x.pth"); });
  EXPECT_NE(m.find("x.pth"), std::string::npos) << m;
  EXPECT_NE(m.find("missing [main.1.bias]"), std::string::npos) << m;
  EXPECT_NE(m.find("unexpected [main.99.extra]"), std::string::npos) << m;
  const std::string none = test::message_of<CheckpointError>([&] { generator_from_state_dict({}, "e.pth"); });
  EXPECT_NE(none.find("not a DCGAN generator state dict"), std::string::npos) << none;
}

}  // namespace
}  // namespace dcgan
