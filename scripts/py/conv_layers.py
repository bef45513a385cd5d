"""Per-layer convolution timings of the 64x64 tutorial model on the CPU, fp32 and bf16, through oneDNN: forward,
input gradient, weight gradient, and the weight gradient as im2col + one GEMM (what dcgan's conv2d_weight_grad does
in bf16 for outputs of at most 8x8 pixels). The evidence for kGemmWeightGradMaxPixels (docs/performance.md).

  python3 scripts/py/conv_layers.py [--threads T] [--batch B]
Rows: conv cin->cout on HxH input (D's layers; G's transposed layers are the same convolutions run backwards).
"""
import argparse
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=128)
a = p.parse_args()
torch.set_num_threads(a.threads)
cl = torch.channels_last
N = a.batch
layers = [(3, 64, 64, 2, 1), (64, 128, 32, 2, 1), (128, 256, 16, 2, 1), (256, 512, 8, 2, 1), (512, 100, 4, 1, 0)]


def timed(f, n=5):
    f(); f()
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t0) / n * 1e3


def weight_grad_gemm(gy, x, k, s, p):
    n, c = x.shape[:2]
    xp = torch.nn.functional.pad(x, (p, p, p, p)).contiguous(memory_format=cl)
    ho, wo = gy.shape[2], gy.shape[3]
    sn, sc, sh, sw = xp.stride()
    cols = xp.as_strided((n, ho, wo, k, k, c), (sn, s * sh, s * sw, sh, sw, sc)).reshape(n * ho * wo, k * k * c)
    g = gy.permute(0, 2, 3, 1).reshape(n * ho * wo, -1)
    return g.t().matmul(cols).view(-1, k, k, c).permute(0, 3, 1, 2)


for dt in (torch.float32, torch.bfloat16):
    for cin, cout, h, s, p in layers:
        x = torch.randn(N, cin, h, h, dtype=dt).contiguous(memory_format=cl)
        w = (torch.randn(cout, cin, 4, 4, dtype=dt) * 0.02).contiguous(memory_format=cl)
        y = torch.nn.functional.conv2d(x, w, stride=s, padding=p)
        gy = torch.randn_like(y).contiguous(memory_format=cl)
        flop = 2 * N * cout * y.shape[2] * y.shape[3] * cin * 16
        args = (None, [s, s], [p, p], [1, 1], False, [0, 0], 1)
        f = timed(lambda: torch.nn.functional.conv2d(x, w, stride=s, padding=p))
        bi = timed(lambda: torch.ops.aten.convolution_backward(gy, x, w, *args, [True, False, False]))
        bw = timed(lambda: torch.ops.aten.convolution_backward(gy, x, w, *args, [False, True, False]))
        gm = timed(lambda: weight_grad_gemm(gy, x, 4, s, p))
        rate = lambda ms: flop / ms / 1e6
        print(f"{str(dt).replace('torch.', ''):8} {cin:3}->{cout:3} {h:2}x{h:<2} -> {y.shape[2]}x{y.shape[3]}: "
              f"fwd {f:6.1f} ms {rate(f):5.0f} GF/s | input grad {bi:6.1f} ms {rate(bi):5.0f} | "
              f"weight grad {bw:6.1f} ms {rate(bw):5.0f} | im2col+GEMM {gm:6.1f} ms {rate(gm):5.0f}")
