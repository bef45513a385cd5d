"""Runs a command and reports its peak resident memory: the process tree's (the command and every process it
starts, such as a DataLoader's workers, summed, sampled every 50 ms from /proc) and the largest single process's
(the kernel's ru_maxrss, exact). The command's output passes through; the figures go to stderr, last.

  python3 scripts/py/peak_rss.py COMMAND [ARG...]
Prints: peak_rss_mib tree=<MiB> largest=<MiB> (and exits with the command's status).
"""
import os
import resource
import subprocess
import sys
import time


def tree_rss_kib(root):
    children, rss = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/statm") as f:
                resident_pages = int(f.read().split()[1])
        except OSError:  # the process ended meanwhile
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(pid))
        rss[int(pid)] = resident_pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


if len(sys.argv) < 2:
    sys.exit(__doc__)
proc = subprocess.Popen(sys.argv[1:])
peak = 0
while proc.poll() is None:
    peak = max(peak, tree_rss_kib(proc.pid))
    time.sleep(0.05)
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"peak_rss_mib tree={max(peak, largest) / 1024:.0f} largest={largest / 1024:.0f}", file=sys.stderr)
sys.exit(proc.returncode)
