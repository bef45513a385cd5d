#!/usr/bin/env python3
"""The Python side of the start-up comparison in scripts/bench.sh: what `dcgan sample --ckpt g.pt -n 64` does,
written the way a tutorial user would: import torch, build the tutorial's Generator, load its weights, generate
64 images from seeded noise, save an 8x8 grid as PNG. PNG written with the standard library (no PIL here).

  sample_ref.py --init WEIGHTS.pth        write random tutorial weights (setup, untimed)
  sample_ref.py WEIGHTS.pth OUT.png       the timed run
"""
import struct, sys, zlib

import torch
import torch.nn as nn

nz, ngf, nc = 100, 64, 3


class Generator(nn.Module):  # the PyTorch DCGAN tutorial's netG
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, x):
        return self.main(x)


def write_png(path, rgb):  # rgb: uint8 numpy array [H, W, 3]
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


if sys.argv[1] == "--init":
    torch.save(Generator().state_dict(), sys.argv[2])
    sys.exit(0)

g = Generator()
g.load_state_dict(torch.load(sys.argv[1]))
g.eval()
torch.manual_seed(999)
with torch.no_grad():
    x = g(torch.randn(64, nz, 1, 1))
img = ((x + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()  # N, H, W, C
pad, size = 2, 64
grid = torch.zeros(8 * (size + pad) + pad, 8 * (size + pad) + pad, 3, dtype=torch.uint8).numpy()
for i in range(64):
    top, left = pad + (i // 8) * (size + pad), pad + (i % 8) * (size + pad)
    grid[top:top + size, left:left + size] = img[i]
write_png(sys.argv[2], grid)
