#!/usr/bin/env python3
# Damaged copies of JPEGs, as a user's folder may hold them (docs/data.md measures what dcgan prepare takes of them).
# Usage: damage_jpegs.py SOURCE_FOLDER OUT_FOLDER
# 240 damaged copies of 24 JPEGs: per photo 4 with flipped bits in the scan data, 4 cut short, 2 with a mangled header.
import os, random, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
r = random.Random(7)
files = sorted(f for f in os.listdir(src) if f.lower().endswith('.jpg'))[:24]
for f in files:
    d = open(os.path.join(src, f), 'rb').read()
    scan = d.find(b'\xff\xda') + 32
    for k in range(4):
        b = bytearray(d)
        for _ in range(r.randint(1, 20)):
            p = r.randrange(scan, len(b) - 2); b[p] ^= 1 << r.randrange(8)
        open(os.path.join(out, f'{f[:-4]}-flip{k}.jpg'), 'wb').write(b)
    for k in range(4):
        cut = int(len(d) * r.uniform(0.1, 0.95))
        open(os.path.join(out, f'{f[:-4]}-cut{k}.jpg'), 'wb').write(d[:cut])
    for k in range(2):
        b = bytearray(d)
        for _ in range(4):
            p = r.randrange(2, scan); b[p] = r.randrange(256)
        open(os.path.join(out, f'{f[:-4]}-head{k}.jpg'), 'wb').write(b)
print(len(os.listdir(out)), 'files')
