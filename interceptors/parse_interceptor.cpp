#include "interceptors/parse_interceptor.hpp"

#include "interceptors/parse/json_output.hpp"

namespace sluice {

ParseInterceptor::ParseInterceptor(const std::string& name, Context& ctx)
    : Interceptor(name),
      metrics_(std::make_shared<ComponentMetrics>("INTERCEPTOR", name)),
      received_(metrics_->counter("EventsReceived")),
      parsed_(metrics_->counter("EventsParsed")),
      parse_errors_(metrics_->counter("ParseErrors")),
      missing_(metrics_->counter("SchemaMissingField")),
      bad_value_(metrics_->counter("SchemaBadValue")),
      oversized_(metrics_->counter("OversizedBodies")),
      bad_utf8_(metrics_->counter("InvalidUtf8")) {
  max_body_ = static_cast<size_t>(ctx.get_int("maxBodyBytes", 65536, "longer bodies go to the error path", 1));
  max_fields_ = static_cast<size_t>(ctx.get_int("maxFields", 256, "events with more fields go to the error path", 1));
  make_parser_ = parse::make_parser_maker(ctx, parse::FormatLimits{max_body_}, format_);
  std::string out = ctx.get_choice("output", "headers", {"headers", "json", "both"},
                                   "headers: fields as headers; json: body rewritten as a JSON object; both");
  out_headers_ = out != "json";
  out_json_ = out != "headers";
  prefix_ = ctx.get_string("headerPrefix", "", "put in front of every field's header name, e.g. f.");
  event_type_ = ctx.get_string("eventType", format_, "value of the event type header (default: the format name)");
  event_type_field_ = ctx.get_string("eventTypeField", "", "field whose value is the event type (fallback: eventType)");
  event_type_header_ = ctx.get_string("eventTypeHeader", "event_type", "header naming the event type");
  status_header_ = ctx.get_string("statusHeader", "parse.status", "header set to ok or error (route on it)");
  error_header_ = ctx.get_string("errorHeader", "parse.error", "header with the reason an event failed");
  timestamp_field_ = ctx.get_string("timestampField", "", "time-typed field that sets the timestamp header (epoch ms)");
  utf8_is_error_ = ctx.get_choice("invalidUtf8", "replace", {"replace", "error"},
                                  "replace: U+FFFD in JSON output; error: such events take the error path") == "error";
  for (const char* k : {"eventTypeHeader", "statusHeader", "errorHeader"})
    if (ctx.has(k) && ctx.get_string(k, "").empty()) ctx.error(k, "is empty (expected a header name)");

  Context sc = ctx.sub("schema.");
  if (sc.has("required") || !sc.get_prefixed("types.", "field types of every event type").empty()) {
    default_schema_.emplace();
    read_schema(sc, *default_schema_);
  } else {
    sc.get_list("required", "fields every event must have, e.g. client status url");
  }
  for (const auto& t : sc.get_list("eventTypes", "event types with a schema of their own")) {
    if (t == "required" || t == "types" || t == "eventTypes") {
      sc.error("eventTypes", "'" + t + "' cannot name an event type (it is a schema key)");
      continue;
    }
    typed_schemas_.emplace_back(t, parse::Schema{});
    read_schema(sc.sub(t + "."), typed_schemas_.back().second);
  }
  if (!timestamp_field_.empty()) {
    auto time_type = [&](const parse::Schema& s) -> const parse::FieldType* {
      const parse::FieldType* ft = s.type_of(timestamp_field_);
      return ft && ft->is_time() ? ft : nullptr;
    };
    if (default_schema_) timestamp_type_ = time_type(*default_schema_);
    for (const auto& [t, s] : typed_schemas_)
      if (!timestamp_type_) timestamp_type_ = time_type(s);
    if (!timestamp_type_)
      ctx.error("timestampField", "'" + timestamp_field_ + "' has no time type (expected schema.types." +
                                      timestamp_field_ + " = epoch, epoch_ms or timestamp:<format>)");
  }
}

void ParseInterceptor::read_schema(Context ctx, parse::Schema& s) {
  s.required = ctx.get_list("required", "fields every event must have, e.g. client status url");
  for (const auto& [field, spec] :
       ctx.get_prefixed("types.", "field types: int float ip epoch epoch_ms timestamp:<fmt> enum:A,B")) {
    std::string error;
    auto t = parse::FieldType::parse(spec, error);
    if (t)
      s.types.emplace_back(field, std::move(*t));
    else
      ctx.error("types." + field, error);
  }
}

const parse::Schema* ParseInterceptor::schema_for(std::string_view event_type) const {
  for (const auto& [t, s] : typed_schemas_)
    if (t == event_type) return &s;
  return default_schema_ ? &*default_schema_ : nullptr;
}

std::string ParseInterceptor::event_type_of(const parse::Fields& f) const {
  if (event_type_field_.empty()) return event_type_;
  const std::string_view* v = f.find(event_type_field_);
  if (!v || v->empty()) return event_type_;
  std::string t(v->substr(0, 64));
  for (char& c : t) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) c = '_';
  }
  if (t.front() == '.') t.front() = '_';  // never "." or ".." as a path segment
  return t;
}

std::unique_ptr<ParseInterceptor::Worker> ParseInterceptor::acquire() {
  {
    std::lock_guard l(pool_mu_);
    if (!pool_.empty()) {
      auto w = std::move(pool_.back());
      pool_.pop_back();
      return w;
    }
  }
  auto w = std::make_unique<Worker>();
  w->parser = make_parser_();
  return w;
}

void ParseInterceptor::release(std::unique_ptr<Worker> w) {
  std::lock_guard l(pool_mu_);
  pool_.push_back(std::move(w));
}

void ParseInterceptor::intercept(Batch& batch) {
  if (!make_parser_) return;
  auto w = acquire();
  for (auto& e : batch) process(e, *w);
  // Counters are bumped once per batch, not per event (atomic increments cost more than parsing).
  Worker::Tally& t = w->tally;
  for (auto [c, n] : {std::pair<Counter*, int64_t>{&received_, t.received},
                      {&parsed_, t.parsed},
                      {&parse_errors_, t.parse_errors},
                      {&missing_, t.missing},
                      {&bad_value_, t.bad_value},
                      {&oversized_, t.oversized},
                      {&bad_utf8_, t.bad_utf8}})
    if (n) c->inc(n);
  t = {};
  release(std::move(w));
}

void ParseInterceptor::fail(Event& e, int64_t& tally, const std::string& reason) {
  ++tally;
  e.headers.set(status_header_, "error");
  // Parsers quote bits of the line; keep the header one printable line whatever the body holds.
  e.headers.set(error_header_, parse::sanitize_for_reason(reason, 256));
  e.headers.set(event_type_header_, event_type_);
}

void ParseInterceptor::process(Event& e, Worker& w) {
  ++w.tally.received;
  std::string_view body = e.body;
  if (body.size() > max_body_)
    return fail(e, w.tally.oversized,
                "body of " + std::to_string(body.size()) + " bytes exceeds maxBodyBytes " + std::to_string(max_body_));
  if (utf8_is_error_) {
    size_t bad = parse::invalid_utf8_offset(body);
    if (bad != std::string_view::npos) return fail(e, w.tally.bad_utf8, "invalid UTF-8 at byte " + std::to_string(bad));
  }
  w.fields.clear();
  w.error.clear();
  if (!w.parser->parse(body, w.fields, w.error)) return fail(e, w.tally.parse_errors, w.error);
  if (w.fields.size() > max_fields_)
    return fail(e, w.tally.parse_errors, "more than " + std::to_string(max_fields_) + " fields (maxFields)");
  std::string type = event_type_of(w.fields);
  const parse::Schema* schema = schema_for(type);
  if (schema) {
    switch (schema->check(w.fields, w.error)) {
      case parse::SchemaResult::Ok: break;
      case parse::SchemaResult::MissingField: return fail(e, w.tally.missing, w.error);
      case parse::SchemaResult::BadValue: return fail(e, w.tally.bad_value, w.error);
    }
  }
  // With timestampField, every event that leaves as ok has a numeric timestamp header (a sink
  // whose path needs one would otherwise roll the batch back for ever).
  int64_t ms = 0;
  if (!timestamp_field_.empty()) {
    const std::string_view* v = w.fields.find(timestamp_field_);
    const parse::FieldType* t = schema ? schema->type_of(timestamp_field_) : nullptr;
    if (!t || !t->is_time()) t = timestamp_type_;
    if (!v || v->empty()) return fail(e, w.tally.missing, "missing field " + timestamp_field_);
    if (!t->to_epoch_ms(*v, ms))
      return fail(e, w.tally.bad_value,
                  "field " + timestamp_field_ + ": '" + parse::sanitize_for_reason(*v) + "' is not " + t->describe());
  }
  ++w.tally.parsed;
  if (out_headers_) {
    for (const auto& f : w.fields.items()) {
      std::string key;
      key.reserve(prefix_.size() + f.name.size());
      key.append(prefix_).append(f.name);
      e.headers.set(std::move(key), std::string(f.value));
    }
  }
  if (out_json_) {
    w.body.clear();
    parse::append_json_object(w.body, w.fields, schema);
    e.body.swap(w.body);  // the old body's buffer is reused for the next event's JSON
  }
  if (!timestamp_field_.empty()) e.headers.set("timestamp", std::to_string(ms));  // after the fields: it wins
  e.headers.set(status_header_, "ok");
  e.headers.set(event_type_header_, std::move(type));
}

}  // namespace sluice
