// Event serializers of the roller (Flume's serializer key): how one event becomes bytes in a file.
//   TEXT             the body (+ newline with serializer.appendNewline, default true)
//   header_and_text  {k1=v1, k2=v2} body (Flume's HeaderAndBodyTextEventSerializer)
//   avro_event       an Avro container file of Flume's Event record {headers: map<string>, body: bytes},
//                    one block per flush (Flume's FlumeEventAvroEventSerializer)
//   json             sluice: one JSON object per line {"timestamp":..,"host":..,"headers":{..},"body":".."}
#pragma once
#include <memory>
#include <string>

#include "agent/context.hpp"
#include "agent/event.hpp"

namespace sluice::roller {

class EventSerializer {
 public:
  virtual ~EventSerializer() = default;
  // Bytes that open a new file (a container header); empty for line formats.
  virtual std::string file_header() { return {}; }
  virtual void append(const Event& e, std::string& out) = 0;
  // Bytes to write before the file is synced (e.g. the pending Avro block).
  virtual void flush(std::string&) {}
};

// name: the serializer key's value; ctx: the "serializer." sub-context. nullptr (with an error on
// ctx) if unknown.
std::unique_ptr<EventSerializer> make_serializer(const std::string& name, Context ctx);

// Java Map.toString() form used by header_and_text: {k1=v1, k2=v2}
void append_header_map(const Headers& h, std::string& out);

}  // namespace sluice::roller
