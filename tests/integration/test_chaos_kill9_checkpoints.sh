#!/usr/bin/env bash
# test_chaos_kill9.sh with the file channel on two dataDirs and a checkpoint every 100 ms: kill -9 also
# lands during checkpoint writes, and restarts replay from checkpoints and both directories.
CHAOS_TWO_DATA_DIRS=1 CHAOS_CHECKPOINT_MS=100 exec bash "$(dirname "$0")/test_chaos_kill9.sh"
