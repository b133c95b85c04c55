// Test peer: drives the S3 multipart writer the way the roller will.
//   s3_upload_tool put INPUT KEY [--chunk N] [--sleep-ms N] [--content-type T] [--meta k=v]...
//   s3_upload_tool recover
//   s3_upload_tool head-bucket
// Common options: --endpoint URL --bucket B --staging DIR [--part-size N] [--parallel N]
//   [--path-style] [--region R] [--max-attempts N] [--staging-max N] [--ca-file PEM]
// Credentials come from the normal chain (environment, shared file...). After each flush() it prints
// "flushed N" (N = bytes durable so far); "closed N" when the object is complete. Errors go to
// stderr with exit code 1.
#include <fstream>
#include <iostream>
#include <thread>

#include "sinks/backends/s3/multipart_upload.hpp"

using namespace sluice::s3;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: s3_upload_tool put|recover|head-bucket ...\n";
    return 2;
  }
  std::string cmd = argv[1], bucket, staging_dir, input, key;
  S3Config cfg;
  MultipartOptions mopts;
  ObjectOptions oopts;
  size_t chunk = 1 << 20;
  int sleep_ms = 0;
  uint64_t staging_max = 1ull << 30;
  std::vector<std::string> positional;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--endpoint") cfg.endpoint = next();
    else if (a == "--bucket") bucket = next();
    else if (a == "--staging") staging_dir = next();
    else if (a == "--part-size") mopts.part_size = std::stoull(next());
    else if (a == "--parallel") mopts.max_parallel_uploads = std::stoul(next());
    else if (a == "--path-style") cfg.path_style = true;
    else if (a == "--region") cfg.region = next();
    else if (a == "--ca-file") cfg.transport.ca_file = next();
    else if (a == "--max-attempts") cfg.max_attempts = std::stoi(next());
    else if (a == "--staging-max") staging_max = std::stoull(next());
    else if (a == "--chunk") chunk = std::stoul(next());
    else if (a == "--sleep-ms") sleep_ms = std::stoi(next());
    else if (a == "--content-type") oopts.content_type = next();
    else if (a == "--meta") {
      std::string kv = next();
      oopts.metadata[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    } else positional.push_back(a);
  }
  try {
    CredentialsConfig ccfg;
    ccfg.use_imds = false;
    auto creds = std::make_shared<CredentialsProvider>(ccfg);
    S3Client client(cfg, creds);
    if (cmd == "head-bucket") {
      client.head_bucket(bucket);
      std::cout << "ok\n";
      return 0;
    }
    StagingArea staging(staging_dir, staging_max);
    if (cmd == "recover") {
      auto r = recover_staged_uploads(client, staging, mopts);
      for (auto& k : r.completed) std::cout << "recovered " << k << "\n";
      for (auto& f : r.failed) std::cout << "failed " << f << "\n";
      return r.failed.empty() ? 0 : 1;
    }
    if (cmd != "put" || positional.size() != 2) {
      std::cerr << "usage: s3_upload_tool put INPUT KEY [options]\n";
      return 2;
    }
    std::ifstream in(positional[0], std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + positional[0]);
    MultipartWriter w(client, staging, bucket, positional[1], oopts, mopts);
    w.open();
    std::string buf(chunk, '\0');
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
      w.append(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
      w.flush();
      std::cout << "flushed " << w.flushed() << std::endl;
      if (sleep_ms) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    }
    w.close();
    std::cout << "closed " << w.length() << " parts " << w.parts_completed() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "s3_upload_tool: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
