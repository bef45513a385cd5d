#!/usr/bin/env python3
"""Python side of the interop tests (tests/test_cli_interop.cpp): the PyTorch DCGAN tutorial's Generator, as the
tutorial writes it, loading dcgan's exports and producing state dicts for dcgan to load.

  interop.py make-noise OUT NZ N SEED           torch.save(torch.randn(N, NZ, 1, 1)) to OUT
  interop.py check-export PTH NOISE CPP NZ NGF NC [CLASSES]   load PTH (weights_only=True) into the tutorial's G
                                                    (conditional with CLASSES classes), compare G(NOISE) in eval mode
                                                    with the tensor CPP that dcgan wrote
  interop.py make-state PTH NOISE OUT NZ NGF NC SEED [CLASSES]   save a random tutorial G's state dict (BatchNorm
                                                    statistics included) to PTH and G(NOISE) in eval mode to OUT
A conditional G draws image i of NOISE for class i % CLASSES, as `dcgan sample` does without --class.
  interop.py compare A B                           max |A - B| of two saved tensors
  interop.py make-features OUT                     a tiny scripted feature extractor for `dcgan eval --features`
Every comparison prints the maximum absolute difference and exits 1 above 1e-5.
"""
import sys
import torch
import torch.nn as nn

TOLERANCE = 1e-5


class Generator(nn.Module):
    """The tutorial's Generator (64x64), with nz, ngf and nc as arguments instead of globals. With num_classes > 0,
    dcgan's conditional G (model.num_classes): a class embedding of nz values stacked onto z."""

    def __init__(self, nz, ngf, nc, num_classes=0):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(2 * nz if num_classes else nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

        if num_classes:
            self.embed = nn.Embedding(num_classes, nz)

    def forward(self, x, y=None):
        if y is not None:
            x = torch.cat([x, self.embed(y).view(x.size(0), -1, 1, 1)], 1)
        return self.main(x)


def classes_for(noise, argv, at):
    """The classes of the conditional G named by argv[at] (absent: unconditional) and its labels for noise."""
    k = int(argv[at]) if len(argv) > at else 0
    return k, (torch.arange(noise.size(0)) % k if k else None)


def load(path):
    return torch.load(path, weights_only=True)


def compare(a, b):
    diff = (a.float() - b.float()).abs().max().item()
    print(f"shape {tuple(a.shape)} max_abs_diff={diff:.3g}")
    return 0 if a.shape == b.shape and diff <= TOLERANCE else 1


def main(argv):
    cmd = argv[1]
    if cmd == "make-noise":
        out, nz, n, seed = argv[2], int(argv[3]), int(argv[4]), int(argv[5])
        torch.manual_seed(seed)
        torch.save(torch.randn(n, nz, 1, 1), out)
        return 0
    if cmd == "check-export":
        pth, noise, cpp, nz, ngf, nc = argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), int(argv[7])
        z = load(noise)
        k, y = classes_for(z, argv, 8)
        net = Generator(nz, ngf, nc, k)
        net.load_state_dict(load(pth))  # strict: every tutorial name must be there, nothing else
        net.eval()
        with torch.no_grad():
            return compare(net(z, y), load(cpp))
    if cmd == "make-state":
        pth, noise, out, nz, ngf, nc, seed = argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), int(argv[7]), int(argv[8])
        torch.manual_seed(seed)
        z = load(noise)
        k, y = classes_for(z, argv, 9)
        net = Generator(nz, ngf, nc, k)
        for m in net.modules():  # non-trivial BatchNorm state, as after training
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.data.normal_(1.0, 0.1)
                m.bias.data.normal_(0.0, 0.1)
                m.num_batches_tracked.fill_(7)
        torch.save(net.state_dict(), pth)
        net.eval()
        with torch.no_grad():
            torch.save(net(z, y), out)
        return 0
    if cmd == "make-features":
        # Per-channel 4x4 average pooling, flattened: a stand-in for Inception features in tests.
        net = torch.jit.script(nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten()))
        net.save(argv[2])
        return 0
    if cmd == "compare":
        return compare(load(argv[2]), load(argv[3]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
