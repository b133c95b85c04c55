#!/usr/bin/python3
"""An independent reader of Hadoop SequenceFiles (version 6, uncompressed), written from the format
description in Hadoop's SequenceFile javadoc, to check what the hdfs sink writes.
Prints one line per record: <key>\t<value> (value bytes decoded as UTF-8)."""
import struct
import sys


def read_vlong(b, i):
    first = struct.unpack_from("b", b, i)[0]
    i += 1
    if first >= -112:
        return first, i
    neg = first < -120
    n = (-119 - first) if neg else (-111 - first)
    v = 0
    for _ in range(n - 1):
        v = (v << 8) | b[i]
        i += 1
    return (~v if neg else v), i


def read_text(b, i):
    n, i = read_vlong(b, i)
    return b[i:i + n].decode(), i + n


def main(path):
    b = open(path, "rb").read()
    assert b[:3] == b"SEQ", "not a SequenceFile"
    assert b[3] == 6, "version %d" % b[3]
    i = 4
    key_class, i = read_text(b, i)
    value_class, i = read_text(b, i)
    compressed, block = b[i], b[i + 1]
    i += 2
    assert not compressed and not block, "compressed files are not read here"
    (meta,) = struct.unpack_from(">i", b, i)
    i += 4
    for _ in range(meta):
        _, i = read_text(b, i)
        _, i = read_text(b, i)
    sync = b[i:i + 16]
    i += 16
    assert key_class == "org.apache.hadoop.io.LongWritable", key_class
    while i < len(b):
        (rec_len,) = struct.unpack_from(">i", b, i)
        i += 4
        if rec_len == -1:
            assert b[i:i + 16] == sync, "bad sync marker at %d" % i
            i += 16
            continue
        (key_len,) = struct.unpack_from(">i", b, i)
        i += 4
        (key,) = struct.unpack_from(">q", b, i)
        assert key_len == 8
        value = b[i + 8:i + rec_len]
        i += rec_len
        if value_class == "org.apache.hadoop.io.BytesWritable":
            (n,) = struct.unpack_from(">i", value, 0)
            data = value[4:4 + n]
            assert len(data) == n == len(value) - 4
        elif value_class == "org.apache.hadoop.io.Text":
            n, j = read_vlong(value, 0)
            data = value[j:j + n]
        else:
            raise SystemExit("unknown value class " + value_class)
        print("%d\t%s" % (key, data.decode()))


if __name__ == "__main__":
    main(sys.argv[1])
