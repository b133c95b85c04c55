#!/usr/bin/python3
"""Appends numbered lines to a log file at a target rate, reopening the file when its inode changes
(as an application does after logrotate's `create`), like a busy proxy's access log.
usage: numbered_writer.py PATH COUNT RATE_PER_S"""
import os
import sys
import time

path, count, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pad = "x" * 120
f = open(path, "a", buffering=1 << 16)
chunk = max(1, rate // 100)
start = time.time()
n = 0
while n < count:
    for _ in range(min(chunk, count - n)):
        f.write("seq-%d %s\n" % (n, pad))
        n += 1
    f.flush()
    try:
        if os.stat(path).st_ino != os.fstat(f.fileno()).st_ino:
            f.close()
            f = open(path, "a", buffering=1 << 16)
    except FileNotFoundError:
        f.close()
        f = open(path, "a", buffering=1 << 16)
    ahead = n / rate - (time.time() - start)
    if ahead > 0:
        time.sleep(ahead)
f.close()
