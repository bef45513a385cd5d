// Config: every setting of a run, grouped by section, with defaults and their sources. No torch here.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcgan {

// Where the training images come from.
struct DataConfig {
  // An image folder (recursive), an MNIST-style idx file (raw or .gz), or empty for format=synthetic.
  // A relative path in a config file is taken from the file's folder when it exists there, else from the working
  // directory (so a shipped config can name data installed beside it); in --set, from the working directory.
  std::string path;
  // auto | folder | idx | cifar10 | cache | synthetic. `auto` decides from the path: a prepared cache by its magic,
  // a *.bin file or a folder of data_batch_*.bin is cifar10, another folder is an image folder, another file idx.
  std::string format = "auto";
  // A cache made by `dcgan prepare` for data.path; when set, training reads it instead of decoding data.path.
  // Relative paths resolve as data.path's.
  std::string cache;
  // Side of the square training images. 64 is the tutorial's size; 32 and 128 drop or add one stride-2 block.
  int image_size = 64;
  // 1 (grayscale) or 3 (RGB); inputs are converted to this. The tutorial's nc = 3.
  int channels = 3;
  // Number of images the synthetic source generates (format=synthetic only).
  int synthetic_count = 1024;
  // false: an unreadable image in a folder is skipped with one warning; true: it stops the run.
  bool strict = false;
  // An image file that declares more pixels than this (width x height in its header) is not decoded: skipped with
  // one warning and counted as unreadable (fatal under data.strict). One PNG of 40 KB can declare 60000x60000 pixels
  // and ask a decoder for 10 GB. The default is PIL's Image.MAX_IMAGE_PIXELS (1024^3 / 4 / 3, about a 9500x9500
  // photo), which torchvision's ImageFolder inherits; 0 = no limit.
  std::int64_t max_image_pixels = 89478485;
  // Random left-right flips of the real images: each image flipped with probability 1/2 at every step, drawn from the
  // training stream (StyleGAN2-ADA's --mirror, Karras et al. 2020). true | false | auto. auto decides before the
  // first step whether a flipped image looks like the set (eval/mirror_check.h): the SWD between one half of up to
  // 1,000 images and the other half flipped, over the SWD between the two halves as they are; flips are on when
  // that ratio is at most mirror_max_ratio. The decision is logged with its figures and written into the run's
  // config.yaml and checkpoints, so a resume keeps it. Off in the tutorial.
  std::string mirror = "false";
  // data.mirror=auto's threshold on that ratio. Sets whose flips are images of the set measured 0.83-1.03 (faces,
  // CIFAR-10, animal faces), sets with a handedness 3.06-4.65 (digits, clothes photographed facing one way, the ORL
  // gray faces): docs/quality.md. 1.5 lies between both groups.
  double mirror_max_ratio = 1.5;
  // Images held back from training: a seeded choice of this many, never trained on. D's mean output on them,
  // beside its output on as many training images, shows when D starts to memorise the training set (Karras et al.
  // 2020, fig. 1b). 0 = none: the tutorial trains on every image.
  int holdout = 0;
  // Class-conditional runs (model.num_classes not 0) only. The idx1-ubyte labels file of an idx source; "" = the file
  // beside data.path named by MNIST's convention (train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz). CIFAR-10
  // batches carry their labels; an image folder takes one class per top-level subfolder (torchvision's ImageFolder);
  // a cache keeps what its source had. Relative paths resolve as data.path's.
  std::string labels;
  // Names for the classes, comma-separated in class order (e.g. Fashion-MNIST's, whose idx files hold numbers only);
  // "" = the data's own: CIFAR-10's batches.meta.txt, the folder names, else the class numbers. Stored in g.pt, so
  // that `dcgan sample --class NAME` finds them.
  std::string class_names;
};

// Network sizes. Defaults are the DCGAN tutorial's (Radford et al. 2015 architecture).
struct ModelConfig {
  int nz = 100;  // latent vector length (tutorial: nz = 100)
  int ngf = 64;  // generator feature maps at the last block (tutorial: ngf = 64)
  int ndf = 64;  // discriminator feature maps at the first block (tutorial: ndf = 64)
  // Classes of a class-conditional GAN: "0" = unconditional, the tutorial; "auto" = as many as the data's labels
  // have (data.labels); a number = that many (the labels must lie below it). G takes a learned embedding of the class,
  // nz long, beside z (Mirza & Osindero 2014, "Conditional Generative Adversarial Nets", with an embedding in place
  // of one-hot); D adds the inner product of an embedding of the class with its last features, summed over
  // positions, to its logit (Miyato & Koyama 2018, "cGANs with Projection Discriminator"). A run writes the resolved
  // number into its config.yaml and g.pt.
  std::string num_classes = "0";
};

// Optimisation. Defaults follow the tutorial, which follows the DCGAN paper (Radford et al. 2015, sec. 4).
struct TrainConfig {
  int batch_size = 128;      // tutorial: batch_size = 128 (paper: mini-batch 128)
  int epochs = 5;            // tutorial: num_epochs = 5
  std::int64_t steps = 0;    // > 0: train exactly this many steps and ignore epochs
  double lr = 0.0002;        // paper sec. 4: Adam learning rate 0.0002
  // D's own Adam learning rate; 0 = train.lr, the tutorial's one rate for both. Separate rates are the two
  // time-scale update rule (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule").
  double lr_d = 0;
  double beta1 = 0.5;        // paper sec. 4: beta1 = 0.5 (0.9 "resulted in training oscillation")
  double beta2 = 0.999;      // Adam's default, kept by the tutorial
  std::int64_t seed = 999;   // tutorial: manualSeed = 999
  std::string device = "auto";  // auto | cpu | cuda | cuda:N; auto picks CUDA when it is available
  int threads = 0;           // CPU threads for LibTorch; 0 = all cores (LibTorch alone would use 1 here)
  // Speed settings: the same math, different kernels (results differ only by float rounding). auto | true | false;
  // auto picks what measured faster on the device (docs/performance.md).
  std::string transpose_via_conv = "auto";  // G's transposed convolutions through conv kernels (auto: on the CPU)
  std::string channels_last = "auto";       // NHWC activations and weights (auto: on; measured faster on the CPU)
  // GPU settings. auto turns each on for CUDA devices (off on the CPU), where docs/performance.md measured them.
  // fp32 | bf16 | auto: bf16 autocast of G's and D's convolutions and activations; the losses, BatchNorm's
  // statistics, Adam and the master weights stay fp32. On the CPU bf16 needs AVX512_BF16 or AMX-BF16 (emulated bf16
  // is slower than fp32); auto = bf16 on such a CPU, fp32 on every other CPU and on CUDA. docs/performance.md.
  std::string precision = "fp32";
  std::string cuda_graphs = "auto";       // capture the whole D+G step once as a CUDA graph and replay it
  std::string fused_adam = "auto";        // Adam as one fused kernel whose step count lives on the device
  std::string data_on_device = "auto";    // dataset resident on the GPU as uint8, batches gathered there (auto: when
                                          // it needs at most data_on_device_max_mib)
  int data_on_device_max_mib = 16384;     // the largest dataset auto puts on the device
  std::string cudnn_benchmark = "auto";   // cuDNN times its algorithms once per shape and keeps the fastest
  // The moving average of G's weights (Karras et al. 2018; Yazici et al. 2019), updated after every G step,
  // sampled, evaluated and saved beside the raw G. After a step that has seen n images (all ranks), the average
  // keeps beta = 0.5^(B / h) of itself and takes 1 - beta of G, B the global batch and
  // h = min(ema_halflife_images, ema_rampup * n): a half-life of ema_halflife_images images that is never more
  // than ema_rampup of what G has seen, so the average follows G from the first step (StyleGAN2-ADA's G_ema:
  // ema_kimg = 10, ema_rampup = 0.05, training/training_loop.py). 0 = no average.
  int ema_halflife_images = 10000;
  double ema_rampup = 0.05;  // 0 = no ramp-up: the full half-life from the first step
  // "auto": the half-life schedule above. A number in [0, 1): a fixed per-step decay instead
  // (ema = decay * ema + (1 - decay) * G; 0 = no average), the only schedule before ema_halflife_images existed;
  // configs and checkpoints that set it keep that update. The average's BatchNorm statistics follow ema_bn_images
  // (set it to 0 for the copy of G's that such configs had).
  std::string ema_decay = "auto";
  // The average's BatchNorm running statistics are its own: recomputed from forward passes in training mode over
  // this many noise vectors of a fixed stream (not the training stream), 128 a pass, whenever the average is
  // evaluated, sampled or saved, as torch.optim.swa_utils.update_bn does for SWA and BigGAN's "standing statistics"
  // (Brock et al. 2019). 0 = copy G's statistics after every update (the behaviour before this key). 4096, not 512:
  // with 512 the estimate alone moved the average's SWD by up to 6 between noise draws (docs/quality.md). The cost,
  // paid only when the average is used: about 28 s for the tutorial's 64x64 G on a 2-core Zen 1 CPU (3.5 s at 512).
  int ema_bn_images = 4096;
  // Differentiable augmentation of every image D sees, real and fake, in D's update and in G's (Zhao et al. 2020,
  // "Differentiable Augmentation for Data-Efficient GAN Training"): a comma-separated list of `color` (brightness,
  // saturation, contrast), `translation` (up to 1/8 of the side, zero padding), `cutout` (a square of half the
  // side), with the paper's ranges; random draws from the training stream. "" or `none` = none, the tutorial.
  std::string augment;
  // How often each policy of train.augment applies: to each image with probability p, drawn per image and policy.
  // A number in [0, 1] (1 = DiffAugment as published: every image), or `adaptive`: p starts at 0 and every
  // augment_interval steps moves by sign(r_t - augment_target) x (images in those steps) / augment_speed_images,
  // clamped to [0, 1], r_t = E[sign(D(x_real))] over those steps: StyleGAN2-ADA's adaptive discriminator
  // augmentation (Karras et al. 2020, sec. 2.3), so that a set D does not memorise gets (almost) none. p is logged,
  // in metrics.csv and TensorBoard, and kept in checkpoints. In a distributed run r_t is the mean over the ranks.
  std::string augment_p = "1";
  double augment_target = 0.6;       // the r_t p steers towards (Karras et al. 2020: 0.6)
  int augment_interval = 4;          // steps between adjustments of p (StyleGAN2-ADA: ada_interval = 4)
  // Images over which p can go from 0 to 1. StyleGAN2-ADA's ada_kimg is 500,000 images, for runs of millions of
  // images; a small folder's run sees 100,000-200,000 in all, so 100,000 lets p reach what it needs within one.
  std::int64_t augment_speed_images = 100000;
};

// What a run writes and how often (intervals in training steps).
struct OutputConfig {
  std::string dir = "runs/dcgan";  // the run directory; created if missing
  int log_every = 50;              // tutorial: prints every 50 iterations
  int sample_every = 500;          // tutorial: saves G(fixed_noise) every 500 iterations
  int checkpoint_every = 1000;     // full training checkpoint under checkpoints/
  int keep_checkpoints = 3;        // newest step-N.pt files kept (plus the `latest` link to the newest)
  // A TensorBoard event file in the run folder (events.out.tfevents.<time>.<host>): the log's scalars at each log
  // step, the evaluation's SWD, the sample grids as images (run/sinks/tensorboard.h). `tensorboard --logdir runs`.
  bool tensorboard = true;
  // Sliced Wasserstein distance (dcgan eval's figure) of G, and of its EMA, on a fixed set of eval_images real
  // images and fixed noise, every eval_every steps (a multiple of log_every; 0 = never), into metrics.csv; the
  // generator with the best figure so far is kept as g-best.pt. StudioGAN's DCGAN on CIFAR-10 peaks at step 42k
  // and degrades after: keeping the best matters.
  int eval_every = 1000;
  int eval_images = 1024;
  // Warnings when D is winning, judged at each log step (output.log_every steps). Collapse: D(G(z)) after D's
  // update, D's mean probability on the generated images G's loss sees, averaged below warn_d_g_z over the
  // interval: D rejects G's images with certainty. Memorising: r_t = E[sign(D(x_real))], the overfitting heuristic of Karras et al. 2020 (eq. 1;
  // StyleGAN2-ADA steers its augmentation towards r_t = 0.6), was above warn_rt in each of the last
  // warn_rt_intervals intervals, all begun after the first epoch (memorising needs images seen more than once).
  // Early in a healthy run D often wins for a while: on the demo r_t is 0.90-0.98 for much of its first epoch and 0.63-0.89
  // after it (docs/quality.md). 0 turns a warning off.
  double warn_d_g_z = 0.001;
  double warn_rt = 0.9;
  int warn_rt_intervals = 3;
};

// Data-parallel training across processes, launched by torchrun or `dcgan train --nproc N` (docs/distributed.md).
// train.batch_size stays per rank, as in PyTorch's DistributedDataParallel.
struct DistConfig {
  // auto | gloo | nccl. auto: NCCL on CUDA devices (where built with it), Gloo on the CPU, as torch.distributed's
  // default backend choice.
  std::string backend = "auto";
  // Seconds a rank waits for the others (joining the store, any collective) before it stops with an error naming
  // what it waited for. torch.distributed waits 30 minutes by default; a stuck run should fail sooner.
  int timeout_s = 300;
  // Every check_every steps, rank 0 gathers a hash of every rank's G and D weights and stops the run if they
  // differ (0 = never). One hash per network per rank: cheap, but it copies the weights to the host.
  int check_every = 0;
};

struct Config {
  DataConfig data;
  ModelConfig model;
  TrainConfig train;
  OutputConfig output;
  DistConfig dist;
};

// Thrown for any bad setting; what() names the file or key and the rule broken.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One settable key, for help texts and listings.
struct ConfigKey {
  std::string name;           // "section.key"
  std::string default_value;  // as written in YAML
  std::string help;
};

// Every key with the defaults of Config{}, in schema order.
const std::vector<ConfigKey>& config_keys();

// Reads a YAML file over `cfg`. Unknown keys, wrong types and unreadable files throw ConfigError naming them.
// data.path and data.cache set by the file resolve as DataConfig::path says.
void load_config_file(Config& cfg, const std::string& path);
// Same, from YAML text; `origin` names the source in errors.
void load_config_yaml(Config& cfg, const std::string& yaml, const std::string& origin = "<string>");
// Applies one "section.key=value" override.
void apply_override(Config& cfg, const std::string& assignment);
// Checks ranges and cross-field rules; throws ConfigError naming the key and the rule.
void validate(const Config& cfg);
// The whole config as YAML, loadable by load_config_yaml.
std::string to_yaml(const Config& cfg);

// Which DiffAugment policies a train.augment value names. Throws ConfigError for an unknown or repeated one.
struct AugmentPolicy {
  bool color = false;
  bool translation = false;
  bool cutout = false;
  bool any() const { return color || translation || cutout; }
};
AugmentPolicy parse_augment(const std::string& value);

// train.augment_p as a number in [0, 1], or nullopt for `adaptive`. Throws ConfigError for anything else.
std::optional<double> parse_augment_p(const std::string& value);

// data.mirror=auto, or a switch (true | false): whether the real images are flipped. Throws ConfigError for auto
// (resolved when a run opens its data: use the run's config) and anything else.
bool mirror_on(const DataConfig& data);

// The moving average's schedule: off, a fixed per-step decay (train.ema_decay a number), or the half-life.
struct EmaSchedule {
  bool on = false;
  double fixed_decay = -1;    // >= 0: the old fixed decay; < 0: the half-life schedule
  double halflife_images = 0;
  double rampup = 0;
  bool standing_statistics = false;  // train.ema_bn_images > 0
};
EmaSchedule ema_schedule(const TrainConfig& t);

// The weight the average gives G's new weights at a step (1 - beta), after `seen` images before the step, with a
// global batch of `batch` images: the formula of TrainConfig's comment. Trainer computes the same on the device.
double ema_new_weight(const EmaSchedule& s, double seen, double batch);

// An auto | true | false switch: `auto_value` for "auto", else the value as written (validate() admits nothing else).
bool resolve_switch(const std::string& value, bool auto_value);

// Parses a device setting: "auto", "cpu", "cuda" or "cuda:N". Returns false for anything else; sets *cuda_index to
// N for "cuda:N", 0 for "cuda" and -1 otherwise.
bool parse_device_spec(const std::string& spec, int* cuda_index);

// model.num_classes as a number: 0 for "0", N for "N". Throws ConfigError for "auto" (resolved from the data when a
// run opens it: use the run's config) and for anything else.
int class_count(const ModelConfig& model);

// Keys whose change makes a checkpoint a different experiment (the model, the data, the optimisation); a resume
// with any of them changed is refused. Every other key (intervals, total steps, device, threads) may change.
bool is_identity_key(const std::string& key);

// "key: a -> b" for every identity key that differs between `a` and `b`, in schema order.
std::vector<std::string> differing_identity_keys(const Config& a, const Config& b);

// A 64-bit hash of the identity keys' values (stored in checkpoints).
std::uint64_t identity_hash(const Config& cfg);

// Default and help text of all keys, formatted for --help.
std::string describe_config_keys();

}  // namespace dcgan
