#!/usr/bin/env python3
"""Runs the reference peer with torch.compile's mode "max-autotune" replaced by "max-autotune-no-cudagraphs".

On torch 2.11 the peer's --tuned --compile run stops with "accessing tensor output of CUDAGraphs that has been
overwritten by a subsequent run": max-autotune wraps each compiled network in CUDA graphs, and the peer calls D
three times per step while holding earlier outputs. Same kernels and autotuning, without inductor's CUDA graphs.

  peer_compile_no_cudagraphs.py PEER.py [peer arguments]
"""
import runpy, sys, torch

_compile = torch.compile

def compile_without_cudagraphs(model=None, *args, **kwargs):
    if kwargs.get("mode") == "max-autotune":
        kwargs["mode"] = "max-autotune-no-cudagraphs"
    return _compile(model, *args, **kwargs)

torch.compile = compile_without_cudagraphs
peer = sys.argv[1]
sys.argv = [peer] + sys.argv[2:]
runpy.run_path(peer, run_name="__main__")
