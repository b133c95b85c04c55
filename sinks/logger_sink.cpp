#include "sinks/logger_sink.hpp"

#include <cstdio>

namespace sluice {

LoggerSink::LoggerSink(const std::string& name, Context& ctx)
    : BatchSink(name, static_cast<size_t>(ctx.get_int("batchSize", 100, "events per transaction", 1))) {
  max_bytes_ = static_cast<size_t>(ctx.get_int("maxBytesToLog", 16, "body bytes shown per event", 0));
}

std::string LoggerSink::dump(const Event& e, size_t max_bytes) {
  std::string s = "Event: { headers:{";
  bool first = true;
  for (const auto& [k, v] : e.headers) {
    s += (first ? "" : ", ") + k + "=" + v;
    first = false;
  }
  s += "} body: ";
  size_t n = std::min(max_bytes, e.body.size());
  char hex[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02X ", static_cast<unsigned char>(e.body[i]));
    s += hex;
  }
  s += ' ';
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(e.body[i]);
    s += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
  }
  return s + " }";
}

void LoggerSink::deliver(const Batch& batch) {
  for (const auto& e : batch) SLUICE_LOG(Info, name_) << dump(e, max_bytes_);
}

}  // namespace sluice
