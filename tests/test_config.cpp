// Tests of Config: defaults, YAML loading, --set overrides, validation errors and the YAML round trip.
#include "dcgan/config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "test_util.h"

namespace dcgan {
namespace {

TEST(Config, DefaultsAreTheTutorials) {
  const Config c;
  EXPECT_EQ(c.data.image_size, 64);
  EXPECT_EQ(c.data.channels, 3);
  EXPECT_EQ(c.model.nz, 100);
  EXPECT_EQ(c.model.ngf, 64);
  EXPECT_EQ(c.model.ndf, 64);
  EXPECT_EQ(c.train.batch_size, 128);
  EXPECT_EQ(c.train.epochs, 5);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.0002);
  EXPECT_DOUBLE_EQ(c.train.beta1, 0.5);
  EXPECT_DOUBLE_EQ(c.train.beta2, 0.999);
  EXPECT_EQ(c.train.seed, 999);
  EXPECT_EQ(c.train.device, "auto");
  EXPECT_EQ(c.output.log_every, 50);
  EXPECT_EQ(c.output.sample_every, 500);
  // What the tutorial does not have is off: augmentation, mirroring, held-back images, a second learning rate.
  EXPECT_EQ(c.train.augment, "");
  EXPECT_EQ(c.data.mirror, "false");
  EXPECT_EQ(c.train.augment_p, "1");
  EXPECT_EQ(c.data.holdout, 0);
  EXPECT_EQ(c.train.lr_d, 0.0);
  // The moving average: StyleGAN2-ADA's half-life and ramp-up.
  EXPECT_EQ(c.train.ema_decay, "auto");
  EXPECT_EQ(c.train.ema_halflife_images, 10000);
  EXPECT_DOUBLE_EQ(c.train.ema_rampup, 0.05);
}

// Configs written before the half-life set train.ema_decay to a number; they still load and mean what they meant.
TEST(Config, OldEmaDecayKeysStillLoad) {
  Config c;
  c.data.path = "x";
  load_config_yaml(c, "train: {ema_decay: 0.999}", "old.yaml");
  EXPECT_NO_THROW(validate(c));
  EXPECT_EQ(ema_schedule(c.train).fixed_decay, 0.999);
  load_config_yaml(c, "train: {ema_decay: 0}", "old.yaml");
  EXPECT_FALSE(ema_schedule(c.train).on);
  apply_override(c, "train.ema_decay=1.5");
  EXPECT_NE(test::message_of<ConfigError>([&] { validate(c); }).find("train.ema_decay: must be auto or a number in [0, 1)"),
            std::string::npos);
}

TEST(Config, AugmentPoliciesAreParsedAndChecked) {
  const AugmentPolicy all = parse_augment("color, translation,cutout");
  EXPECT_TRUE(all.color && all.translation && all.cutout);
  EXPECT_FALSE(parse_augment("").any());
  const AugmentPolicy one = parse_augment("translation");
  EXPECT_TRUE(one.translation && !one.color && !one.cutout);
  EXPECT_NE(test::message_of<ConfigError>([] { parse_augment("color,flip"); }).find("unknown policy 'flip'"),
            std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([] { parse_augment("cutout,cutout"); }).find("'cutout' named twice"),
            std::string::npos);
  Config c;
  c.data.path = "x";
  apply_override(c, "train.augment=colour");
  EXPECT_NE(test::message_of<ConfigError>([&] { validate(c); }).find("train.augment: unknown policy 'colour'"),
            std::string::npos);
  // none is no augmentation, as "" is.
  EXPECT_FALSE(parse_augment("none").any());
  apply_override(c, "train.augment=none");
  EXPECT_NO_THROW(validate(c));
}

// train.augment_p is a probability or adaptive; data.mirror is true, false or auto, and auto is no decision yet.
TEST(Config, AugmentProbabilityAndMirrorValues) {
  EXPECT_EQ(parse_augment_p("adaptive"), std::nullopt);
  EXPECT_EQ(parse_augment_p("0.25"), 0.25);
  EXPECT_EQ(parse_augment_p("1"), 1.0);
  for (const char* bad : {"1.5", "-0.1", "", "often", "nan"})
    EXPECT_NE(test::message_of<ConfigError>([&] { parse_augment_p(bad); }).find("train.augment_p: must be a probability"),
              std::string::npos)
        << bad;
  Config c;
  c.data.path = "x";
  for (const char* ok : {"true", "false", "auto"}) {
    apply_override(c, std::string("data.mirror=") + ok);
    EXPECT_NO_THROW(validate(c)) << ok;
  }
  EXPECT_THROW(mirror_on(c.data), ConfigError);  // auto: decided by the run
  apply_override(c, "data.mirror=true");
  EXPECT_TRUE(mirror_on(c.data));
  apply_override(c, "data.mirror=sometimes");
  EXPECT_NE(test::message_of<ConfigError>([&] { validate(c); }).find("data.mirror: must be true, false or auto"),
            std::string::npos);
  c.data.mirror = "false";
  apply_override(c, "train.augment_target=1");
  EXPECT_NE(test::message_of<ConfigError>([&] { validate(c); }).find("train.augment_target: must be in (0, 1)"),
            std::string::npos);
}

TEST(Config, YamlFillsAndKeepsUnsetDefaults) {
  Config c;
  load_config_yaml(c, "data: {path: x.gz, image_size: 32}\ntrain:\n  lr: 1e-3\n  device: cpu\n");
  EXPECT_EQ(c.data.path, "x.gz");
  EXPECT_EQ(c.data.image_size, 32);
  EXPECT_DOUBLE_EQ(c.train.lr, 1e-3);
  EXPECT_EQ(c.train.device, "cpu");
  EXPECT_EQ(c.model.nz, 100);
  EXPECT_EQ(c.train.batch_size, 128);
}

TEST(Config, SetOverridesAfterTheFile) {
  Config c;
  load_config_yaml(c, "train: {steps: 10}");
  apply_override(c, "train.steps=25");
  apply_override(c, "output.dir=/tmp/some where");
  EXPECT_EQ(c.train.steps, 25);
  EXPECT_EQ(c.output.dir, "/tmp/some where");
}

TEST(Config, UnknownKeysAreErrorsNamingTheKey) {
  Config c;
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_yaml(c, "train: {learning_rate: 0.1}", "f.yaml"); })
                .find("f.yaml: train.learning_rate: unknown key"),
            std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_yaml(c, "optim: {lr: 0.1}", "f.yaml"); }).find("optim: unknown section"),
            std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([&] { apply_override(c, "model.width=3"); }).find("model.width: unknown key"), std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([&] { apply_override(c, "novalue"); }).find("expected section.key=value"), std::string::npos);
}

TEST(Config, BadValuesAreErrorsNamingTheKey) {
  Config c;
  EXPECT_NE(test::message_of<ConfigError>([&] { apply_override(c, "train.batch_size=abc"); }).find("train.batch_size: expected an integer"),
            std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([&] { apply_override(c, "train.lr=fast"); }).find("train.lr: expected a number"),
            std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_yaml(c, "model: {nz: [1, 2]}", "f.yaml"); })
                .find("model.nz: expected a single value"),
            std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_yaml(c, "model: {nz: 1", "f.yaml"); }).find("f.yaml: invalid YAML"),
            std::string::npos);
  // Found by fuzzing: a complex (non-scalar) key threw yaml-cpp's bad conversion past the ConfigError handler.
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_yaml(c, "data:\n? path: x\n", "f.yaml"); }).find("keys must be plain names"),
            std::string::npos);
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_yaml(c, "? [a, b]\n: 1\n", "f.yaml"); }).find("keys must be plain names"),
            std::string::npos);
}

TEST(Config, ValidationNamesKeyAndRule) {
  auto invalid = [](const std::string& set) {
    Config c;
    c.data.path = "x";
    apply_override(c, set);
    return test::message_of<ConfigError>([&] { validate(c); });
  };
  EXPECT_NE(invalid("data.image_size=48").find("data.image_size: must be 32, 64 or 128"), std::string::npos);
  EXPECT_NE(invalid("data.channels=2").find("data.channels: must be 1 or 3"), std::string::npos);
  EXPECT_NE(invalid("train.batch_size=0").find("train.batch_size: must be at least 1"), std::string::npos);
  EXPECT_NE(invalid("train.lr=-1").find("train.lr: must be a positive number"), std::string::npos);
  EXPECT_NE(invalid("train.beta1=1").find("train.beta1: must be in [0, 1)"), std::string::npos);
  EXPECT_NE(invalid("train.device=gpu").find("train.device: must be auto, cpu, cuda or cuda:N"), std::string::npos);
  EXPECT_NE(invalid("data.format=zip").find("data.format: must be"), std::string::npos);
  EXPECT_NE(invalid("output.log_every=0").find("output.log_every: must be at least 1"), std::string::npos);
  EXPECT_NE(invalid("data.path=").find("data.path: is required"), std::string::npos);
  EXPECT_EQ(invalid("train.device=cuda:1"), "");
  EXPECT_NE(invalid("train.precision=fp16").find("train.precision: must be fp32, bf16 or auto"), std::string::npos);
  EXPECT_NE(invalid("train.cuda_graphs=on").find("train.cuda_graphs: must be auto, true or false"), std::string::npos);
  EXPECT_NE(invalid("train.data_on_device_max_mib=-1").find("train.data_on_device_max_mib: must be 0 or more"),
            std::string::npos);
  EXPECT_NE(invalid("train.channels_last=yes").find("train.channels_last: must be auto, true or false"),
            std::string::npos);
  EXPECT_NE(invalid("data.holdout=-1").find("data.holdout: must be 0 or more"), std::string::npos);
  EXPECT_NE(invalid("train.lr_d=-1").find("train.lr_d: must be 0 or a positive number"), std::string::npos);
  EXPECT_NE(invalid("train.ema_rampup=-0.1").find("train.ema_rampup: must be 0"), std::string::npos);
  EXPECT_NE(invalid("output.warn_rt=2").find("output.warn_rt: must be in [0, 1]"), std::string::npos);
  EXPECT_EQ(invalid("data.format=synthetic"), "");
  EXPECT_EQ(invalid("data.format=cifar10"), "");
  EXPECT_NE(test::message_of<ConfigError>([] {
              Config c;
              apply_override(c, "data.strict=maybe");
            }).find("data.strict: expected true or false"),
            std::string::npos);
}

TEST(Config, YamlRoundTripIsExact) {
  Config c;
  apply_override(c, "data.path=a b/c: d.gz");
  apply_override(c, "train.lr=0.00035");
  apply_override(c, "train.steps=123456789012");
  Config back;
  load_config_yaml(back, to_yaml(c));
  EXPECT_EQ(to_yaml(back), to_yaml(c));
  EXPECT_EQ(back.data.path, "a b/c: d.gz");
  EXPECT_DOUBLE_EQ(back.train.lr, 0.00035);
  EXPECT_EQ(back.train.steps, 123456789012);
}

TEST(Config, FileErrorsNameTheFile) {
  Config c;
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_file(c, "/nonexistent/cfg.yaml"); }).find("/nonexistent/cfg.yaml: cannot open"),
            std::string::npos);
  test::ScratchDir dir;
  std::ofstream(dir / "bad.yaml") << "train:\n  epochs: many\n";
  EXPECT_NE(test::message_of<ConfigError>([&] { load_config_file(c, dir / "bad.yaml"); }).find("bad.yaml: train.epochs: expected an integer"),
            std::string::npos);
}

TEST(Config, ShippedConfigsLoadAndValidate) {
  // Every file in configs/, as shipped: a new config is checked the day it is added.
  size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_path("configs"))) {
    const std::string name = entry.path().string();
    if (entry.path().extension() != ".yaml") {
      ADD_FAILURE() << name << ": configs/ holds only YAML configs (docs, data and the like belong elsewhere)";
      continue;
    }
    Config c;
    ASSERT_NO_THROW(load_config_file(c, name)) << name;
    EXPECT_NO_THROW(validate(c)) << name;
    ++checked;
  }
  EXPECT_GE(checked, 5u) << "tiny, fashion-mnist, fashion-mnist-conditional, celeba, small-folder at least";
}

// data.path and data.cache written in a config file start beside the file when they exist there, else from the
// working directory; --set values are left as written.
TEST(Config, RelativeDataPathsInAFileStartBesideIt) {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir / "cfg/data");
  std::ofstream(dir / "cfg/data/images.gz") << "x";
  std::ofstream(dir / "cfg/a.yaml") << "data:\n  path: data/images.gz\n  cache: data/absent.cache\n";
  Config c;
  load_config_file(c, dir / "cfg/a.yaml");
  EXPECT_EQ(c.data.path, dir / "cfg/data/images.gz");
  EXPECT_EQ(c.data.cache, "data/absent.cache");  // not beside the file: from the working directory
  apply_override(c, "data.path=data/images.gz");
  EXPECT_EQ(c.data.path, "data/images.gz");
  Config shipped;
  load_config_file(shipped, test::source_path("configs/tiny.yaml"));
  EXPECT_EQ(shipped.data.path, test::source_path("tests/data/mnist/t10k-images-256-idx3-ubyte.gz"));
}

// docs/configuration.md has a table row for every key, with the default Config{} holds.
TEST(Config, EveryKeyIsDocumentedHereWithItsDefault) {
  std::ifstream in(test::source_path("docs/configuration.md"));
  ASSERT_TRUE(in) << "docs/configuration.md";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& key : config_keys()) {
    const std::string value = key.default_value.empty() ? "\"\"" : key.default_value;  // as YAML writes ""
    const std::string row = "| `" + key.name + "` | `" + value + "` |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/configuration.md lacks the row " << row;
  }
}

TEST(Config, DeviceSpecs) {
  int index = 7;
  EXPECT_TRUE(parse_device_spec("auto", &index));
  EXPECT_EQ(index, -1);
  EXPECT_TRUE(parse_device_spec("cuda", &index));
  EXPECT_EQ(index, 0);
  EXPECT_TRUE(parse_device_spec("cuda:3", &index));
  EXPECT_EQ(index, 3);
  for (const char* bad : {"cuda:", "cuda:x", "gpu", "cuda:1:2", "CPU", "cuda:99999999"})
    EXPECT_FALSE(parse_device_spec(bad, &index)) << bad;
}

TEST(Config, IdentityKeysTellExperimentsApart) {
  Config a, b;
  b.train.steps = 99;
  b.output.log_every = 7;
  b.train.threads = 2;
  EXPECT_TRUE(differing_identity_keys(a, b).empty());
  EXPECT_EQ(identity_hash(a), identity_hash(b));
  b.model.nz = 64;
  b.data.image_size = 32;
  const auto diff = differing_identity_keys(a, b);
  ASSERT_EQ(diff.size(), 2u);
  EXPECT_EQ(diff[0], "data.image_size: 64 -> 32");
  EXPECT_EQ(diff[1], "model.nz: 100 -> 64");
  EXPECT_NE(identity_hash(a), identity_hash(b));
}

TEST(Config, HelpListsEveryKeyWithItsDefault) {
  const std::string help = describe_config_keys();
  EXPECT_EQ(config_keys().size(), 58u);
  for (const auto& k : config_keys()) EXPECT_NE(help.find(k.name), std::string::npos) << k.name;
  // Keys and defaults in aligned columns: "train.lr", padded to the longest key, then "0.0002".
  const std::size_t lr = help.find("  train.lr "), nz = help.find("  model.nz ");
  ASSERT_NE(lr, std::string::npos) << help;
  ASSERT_NE(nz, std::string::npos) << help;
  EXPECT_EQ(help.substr(help.find_first_not_of(' ', lr + 10), 6), "0.0002") << help;
  EXPECT_EQ(help.substr(help.find_first_not_of(' ', nz + 10), 3), "100") << help;
  EXPECT_EQ(help.find_first_not_of(' ', lr + 10) - lr, help.find_first_not_of(' ', nz + 10) - nz) << help;
}

}  // namespace
}  // namespace dcgan
