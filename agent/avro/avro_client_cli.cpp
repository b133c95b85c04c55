#include "agent/avro/avro_client_cli.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "agent/avro/rpc_client.hpp"
#include "agent/properties.hpp"

namespace sluice {

int run_avro_client(int argc, char** argv) {
  avro::RpcOptions o;
  std::string file, header_file;
  size_t batch = 100;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "avro-client: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "-H" || a == "--host") o.host = next();
    else if (a == "-p" || a == "--port") o.port = std::atoi(next().c_str());
    else if (a == "-F" || a == "--filename") file = next();
    else if (a == "-R" || a == "--headerFile") header_file = next();
    else if (a == "--batch-size" || a == "--batchSize") batch = static_cast<size_t>(std::max(1, std::atoi(next().c_str())));
    else if (a == "--compression") o.deflate = next() == "deflate";
    else if (a == "-c" || a == "--conf" || a == "--dirname") next();  // accepted for flume-ng compatibility
    else {
      std::fprintf(stderr, "avro-client: unknown option '%s'\nusage: sluice avro-client -H HOST -p PORT [-F FILE] "
                           "[-R HEADERFILE] [--batch-size N] [--compression deflate]\n", a.c_str());
      return 2;
    }
  }
  if (o.host.empty() || o.port <= 0) {
    std::fprintf(stderr, "avro-client: -H HOST and -p PORT are required\n");
    return 2;
  }
  Headers headers;
  if (!header_file.empty()) {
    std::ifstream hf(header_file);
    if (!hf) {
      std::fprintf(stderr, "avro-client: cannot read header file %s\n", header_file.c_str());
      return 1;
    }
    std::string text((std::istreambuf_iterator<char>(hf)), {});
    Diagnostics d;
    for (auto& e : parse_properties(text, header_file, d)) headers.set(e.key, e.value);
  }
  std::ifstream f;
  std::istream* in = &std::cin;
  if (!file.empty()) {
    f.open(file, std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "avro-client: cannot read %s\n", file.c_str());
      return 1;
    }
    in = &f;
  }
  avro::RpcClient client(o);
  size_t sent = 0;
  Batch b;
  auto flush = [&]() -> bool {
    if (b.empty()) return true;
    try {
      if (client.append_batch(b) != avro::Status::Ok) {
        std::fprintf(stderr, "avro-client: the server answered FAILED after %zu events\n", sent);
        return false;
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "avro-client: %s (after %zu events)\n", e.what(), sent);
      return false;
    }
    sent += b.size();
    b.clear();
    return true;
  };
  for (std::string line; std::getline(*in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    b.emplace_back(headers, std::move(line));
    if (b.size() >= batch && !flush()) return 1;
  }
  if (!flush()) return 1;
  std::fprintf(stderr, "avro-client: sent %zu events to %s:%d\n", sent, o.host.c_str(), o.port);
  return 0;
}

}  // namespace sluice
