#include "sinks/roller/serializer.hpp"

#include <boost/json.hpp>
#include <random>

#include "agent/avro/binary.hpp"
#include "agent/avro/flume_event.hpp"

namespace sluice::roller {
namespace {

class TextSerializer : public EventSerializer {
 public:
  TextSerializer(bool newline, bool headers) : newline_(newline), headers_(headers) {}
  void append(const Event& e, std::string& out) override {
    if (headers_) {
      append_header_map(e.headers, out);
      out += ' ';
    }
    out += e.body;
    if (newline_) out += '\n';
  }

 private:
  bool newline_, headers_;
};

class JsonSerializer : public EventSerializer {
 public:
  void append(const Event& e, std::string& out) override {
    boost::json::object o;
    if (auto* t = e.headers.find("timestamp")) {
      char* end = nullptr;
      long long v = std::strtoll(t->c_str(), &end, 10);
      if (!t->empty() && !*end) o["timestamp"] = v;
      else o["timestamp"] = *t;
    }
    if (auto* h = e.headers.find("host")) o["host"] = *h;
    boost::json::object hs;
    for (const auto& [k, v] : e.headers) hs[k] = v;
    o["headers"] = std::move(hs);
    o["body"] = e.body;  // JSON strings must be UTF-8; Boost.JSON escapes control characters
    out += boost::json::serialize(o);
    out += '\n';
  }
};

// Avro object container file (Avro spec "Object Container Files"), null codec, one block per flush.
class AvroEventSerializer : public EventSerializer {
 public:
  AvroEventSerializer() {
    std::random_device rd;
    for (auto& c : sync_) c = static_cast<char>(rd());
  }
  std::string file_header() override {
    std::string out = std::string("Obj\x01", 4);
    avro::Encoder enc(out);
    enc.write_long(2);
    enc.write_string("avro.schema");
    enc.write_bytes(
        R"({"type":"record","name":"Event","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]})");
    enc.write_string("avro.codec");
    enc.write_bytes("null");
    enc.write_long(0);
    out.append(sync_, sizeof sync_);
    return out;
  }
  void append(const Event& e, std::string&) override {
    avro::Encoder enc(block_);
    avro::encode_flume_event(e, enc);
    ++count_;
  }
  void flush(std::string& out) override {
    if (count_ == 0) return;
    avro::Encoder enc(out);
    enc.write_long(count_);
    enc.write_long(static_cast<int64_t>(block_.size()));
    out += block_;
    out.append(sync_, sizeof sync_);
    block_.clear();
    count_ = 0;
  }

 private:
  char sync_[16];
  std::string block_;
  int64_t count_ = 0;
};

}  // namespace

void append_header_map(const Headers& h, std::string& out) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : h) {
    if (!first) out += ", ";
    out += k;
    out += '=';
    out += v;
    first = false;
  }
  out += '}';
}

std::unique_ptr<EventSerializer> make_serializer(const std::string& name, Context ctx) {
  bool newline = ctx.get_bool("appendNewline", true, "end each event with a newline (TEXT, header_and_text)");
  std::string n = name;
  for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "text" || name == "org.apache.flume.serialization.BodyTextEventSerializer$Builder")
    return std::make_unique<TextSerializer>(newline, false);
  if (n == "header_and_text" || name == "org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder")
    return std::make_unique<TextSerializer>(newline, true);
  if (n == "avro_event" || name == "org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder")
    return std::make_unique<AvroEventSerializer>();
  if (n == "json") return std::make_unique<JsonSerializer>();
  return nullptr;
}

}  // namespace sluice::roller
