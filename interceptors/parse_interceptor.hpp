// Type: parse (sluice). Parses each body in a known log format into named fields, checks them
// against a schema, and puts them in headers and/or a JSON body, for partitioned, typed outputs.
// Keys:
//   format (required)      squid | combined | syslog | bind | json | kv | csv | regex
//   output (headers)       headers: fields become headers; json: the body becomes one JSON object
//                          of the fields; both
//   headerPrefix ("")      put in front of each field's header name (e.g. "f." gives f.status)
//   eventType (<format>)   value of the event-type header
//   eventTypeField         a field whose value is the event type instead (fallback: eventType);
//                          only [A-Za-z0-9_.-] are kept (others become _), so it is safe in paths
//   eventTypeHeader (event_type), statusHeader (parse.status), errorHeader (parse.error)
//   timestampField         a field of time type (epoch, epoch_ms, timestamp:...) whose value
//                          becomes the `timestamp` header (epoch ms) the hdfs sink partitions by;
//                          an event without it, or whose value is not a time, takes the error path
// With the empty headerPrefix a field named like a header sinks use (host, timestamp) sets that
// header; timestampField's header always wins. Set headerPrefix when the fields are arbitrary (json).
//   maxBodyBytes (65536)   longer bodies are not parsed (error path)
//   maxFields (256)        events with more fields are not parsed (error path)
//   invalidUtf8 (replace)  replace: invalid UTF-8 becomes U+FFFD in JSON output; error: error path
//   schema.required, schema.types.<field>         the schema of every event type
//   schema.eventTypes, schema.<type>.required, schema.<type>.types.<field>   per event type
//   (field types: see interceptors/parse/schema.hpp; format keys: format_factory.hpp)
// Guarantees: an event is never dropped. One that parses and meets its schema gets
// statusHeader=ok and its fields; any other keeps its body untouched and gets statusHeader=error,
// errorHeader=<reason> (e.g. "missing field url", "field status: 'abc' is not an int",
// "squid: 7 fields, expected 10"), and the event type header. Route on statusHeader with the
// multiplexing selector. Metrics (INTERCEPTOR.<name>): EventsReceived, EventsParsed, ParseErrors,
// SchemaMissingField, SchemaBadValue, OversizedBodies, InvalidUtf8.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "agent/context.hpp"
#include "agent/interceptor.hpp"
#include "interceptors/parse/fields.hpp"
#include "interceptors/parse/format_factory.hpp"
#include "interceptors/parse/schema.hpp"

namespace sluice {

class ParseInterceptor : public Interceptor {
 public:
  ParseInterceptor(const std::string& name, Context& ctx);
  void intercept(Batch& batch) override;
  std::shared_ptr<ComponentMetrics> metrics() const override { return metrics_; }

 private:
  // What one thread needs to parse: its own parser and reusable buffers.
  struct Worker {
    std::unique_ptr<parse::FormatParser> parser;
    parse::Fields fields;
    std::string error, body;
    struct Tally {
      int64_t received = 0, parsed = 0, parse_errors = 0, missing = 0, bad_value = 0, oversized = 0, bad_utf8 = 0;
    } tally;  // this batch's outcomes, added to the counters at its end
  };
  std::unique_ptr<Worker> acquire();
  void release(std::unique_ptr<Worker> w);
  void process(Event& e, Worker& w);
  void fail(Event& e, int64_t& tally, const std::string& reason);
  void read_schema(Context ctx, parse::Schema& s);
  const parse::Schema* schema_for(std::string_view event_type) const;
  std::string event_type_of(const parse::Fields& f) const;

  parse::ParserMaker make_parser_;
  std::string format_;
  bool out_headers_ = true, out_json_ = false;
  std::string prefix_, event_type_, event_type_field_, event_type_header_, status_header_, error_header_;
  std::string timestamp_field_;
  const parse::FieldType* timestamp_type_ = nullptr;  // its type where an event's schema has none
  size_t max_body_, max_fields_;
  bool utf8_is_error_ = false;
  std::optional<parse::Schema> default_schema_;
  std::vector<std::pair<std::string, parse::Schema>> typed_schemas_;

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Worker>> pool_;
  std::shared_ptr<ComponentMetrics> metrics_;
  Counter &received_, &parsed_, &parse_errors_, &missing_, &bad_value_, &oversized_, &bad_utf8_;
};

}  // namespace sluice
