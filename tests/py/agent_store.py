# Stands in for torchrun's elastic agent in tests: hosts the TCPStore that workers join when torchrun sets
# TORCHELASTIC_USE_AGENT_STORE=True (as torch.distributed's static rendezvous does), using PyTorch's own TCPStore.
# Usage: python3 agent_store.py PORT WORLD_SIZE ATTEMPT. Prints "listening", then "joined N" once N workers have
# registered under /worker/attempt_ATTEMPT/ (dcgan's rendezvous keys), then serves until killed.
import sys
import time
from datetime import timedelta

import torch.distributed as dist

port, world, attempt = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
args = ("127.0.0.1", port, None, True, timedelta(seconds=60))
try:  # libuv is the default from torch 2.4 on; Debian's torch is built without it
    store = dist.TCPStore(*args, wait_for_workers=False, use_libuv=False)
except TypeError:  # torch before 2.2 has no use_libuv
    store = dist.TCPStore(*args, wait_for_workers=False)
print("listening", flush=True)
key = f"/worker/attempt_{attempt}/dcgan/joined"
deadline = time.time() + 60
while time.time() < deadline:
    joined = store.add(key, 0)  # 0 until a worker adds to it
    if joined >= world:
        print(f"joined {joined}", flush=True)
        break
    time.sleep(0.05)
time.sleep(120)
