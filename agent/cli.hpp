// Command line: sluice agent | check-config | help | version | avro-client.
#pragma once

namespace sluice {
int run_cli(int argc, char** argv);
}
