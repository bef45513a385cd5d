#!/usr/bin/env python3
"""Writes the .pth fixtures under tests/data/python/ with Python's torch.save (Debian's python3-torch 1.13).

state_dict.pth  the state_dict() of a module whose `main` is ConvTranspose2d(3, 2, 4) + BatchNorm2d(2), as the
                tutorial's Generator names them (an OrderedDict with _metadata), with known values
tensor.pt       torch.arange(12.).view(3, 4, 1, 1)
module.pth      a whole nn.Linear(2, 2): not a state dict, must be refused
"""
import torch
import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.ConvTranspose2d(3, 2, 4, 1, 0, bias=False), nn.BatchNorm2d(2))


torch.manual_seed(0)
m = Tiny()
with torch.no_grad():
    m.main[0].weight.copy_(torch.arange(96, dtype=torch.float32).view(3, 2, 4, 4) / 100)
    m.main[1].weight.fill_(1.5)
    m.main[1].bias.fill_(-0.25)
    m.main[1].running_mean.copy_(torch.tensor([0.1, 0.2]))
    m.main[1].running_var.copy_(torch.tensor([2.0, 3.0]))
    m.main[1].num_batches_tracked.fill_(42)
torch.save(m.state_dict(), "tests/data/python/state_dict.pth")
torch.save(torch.arange(12, dtype=torch.float32).view(3, 4, 1, 1), "tests/data/python/tensor.pt")
torch.save(nn.Linear(2, 2), "tests/data/python/module.pth")
