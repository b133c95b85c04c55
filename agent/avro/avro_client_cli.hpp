// `sluice avro-client -H HOST -p PORT [-F FILE] [-R HEADERFILE] [--batch-size N] [--compression deflate]`:
// sends the lines of FILE (standard input without -F) to an Avro source, like Flume's avro-client.
// HEADERFILE holds key=value lines added to every event. Exit 0 when every line was acknowledged OK.
#pragma once

namespace sluice {
int run_avro_client(int argc, char** argv);
}
