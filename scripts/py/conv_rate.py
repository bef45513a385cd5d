"""The rate of one convolution of D's shape through oneDNN, fp32 and bf16: the ceiling scripts/bench.sh compares
the training step's effective GFLOP/s with (issue 17's measurement, as a script).

  python3 scripts/py/conv_rate.py [--threads T] [--batch B]
Prints one line per dtype: conv_rate dtype=... gflop_per_s=...
The convolution: batch B (128), 128 -> 256 channels, 32x32 -> 16x16, kernel 4, stride 2, padding 1, channels_last;
10 calls timed after 2 warm-up calls (torch.nn.functional.conv2d).
"""
import argparse
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=128)
a = p.parse_args()
torch.set_num_threads(a.threads)
x = torch.randn(a.batch, 128, 32, 32).contiguous(memory_format=torch.channels_last)
w = torch.randn(256, 128, 4, 4).contiguous(memory_format=torch.channels_last)
flop = 2 * a.batch * 256 * 16 * 16 * 128 * 16
for dtype in (torch.float32, torch.bfloat16):
    xx, ww = x.to(dtype), w.to(dtype)
    for _ in range(2):
        torch.nn.functional.conv2d(xx, ww, stride=2, padding=1)
    t0 = time.perf_counter()
    for _ in range(10):
        torch.nn.functional.conv2d(xx, ww, stride=2, padding=1)
    dt = (time.perf_counter() - t0) / 10
    print(f"conv_rate dtype={str(dtype).replace('torch.', '')} gflop_per_s={flop / dt / 1e9:.0f}")
