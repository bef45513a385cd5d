// ConsoleSink: the tutorial's log line.
#include "dcgan/run/sinks/console.h"

#include "dcgan/run/run.h"
#include "dcgan/run/throughput.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace dcgan {

ConsoleSink::ConsoleSink(const Run& run) { schedule_ = {run.config.output.log_every, true}; }

void ConsoleSink::on_step(Run& run, StepEvent& e) {
  const StepStats& s = *e.stats;
  const Throughput::Interval& t = e.throughput->at(e.step);
  spdlog::info("[{}/{}][{}/{}]\tLoss_D: {:.4f}\tLoss_G: {:.4f}\tD(x): {:.4f}\tD(G(z)): {:.4f} / {:.4f}\t"
               "images/s: {:.1f}\tdata wait: {:.2f}s{}{}{}",
               e.epoch, run.epochs, e.batch_index, run.per_epoch, s.loss_d.item<double>(), s.loss_g.item<double>(),
               s.d_x.item<double>(), s.d_g_z1.item<double>(), s.d_g_z2.item<double>(), t.images_per_s,
               t.data_wait_s, e.r_t ? fmt::format("\tr_t: {:.2f}", *e.r_t) : std::string(),
               e.d_holdout ? fmt::format("\tD(x) train / held-back: {:.4f} / {:.4f}", *e.d_train, *e.d_holdout)
                           : std::string(),
               e.augment_p ? fmt::format("\taugment p: {:.4f}", *e.augment_p) : std::string());
}

}  // namespace dcgan
