// parse interceptor: squid and combined on realistic lines, schema failures with exact reasons, the error
// path (never dropped, body untouched), oversized bodies, invalid UTF-8, JSON output validity.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

#include "interceptors/parse/combined_parser.hpp"
#include "interceptors/parse/schema.hpp"
#include "interceptors/parse/squid_parser.hpp"
#include "interceptors/parse_interceptor.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

const char* kSquid =
    "1763856000.123    120 10.1.2.3 TCP_MISS/200 5120 GET http://example.com/a?b=1 alice HIER_DIRECT/93.184.216.34 "
    "text/html";
const char* kCombined =
    "203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 "
    "\"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"";

std::string field(const parse::Fields& f, std::string_view name) {
  auto* v = f.find(name);
  return v ? std::string(*v) : "<absent>";
}

struct Harness {
  Diagnostics diag;
  std::unique_ptr<ParseInterceptor> p;
  explicit Harness(std::map<std::string, std::string> kv) {
    Context ctx = make_context(kv, &diag);
    p = std::make_unique<ParseInterceptor>("p", ctx);
  }
  Event run(std::string body) {
    Batch b;
    b.emplace_back(std::move(body));
    p->intercept(b);
    EXPECT_EQ(b.size(), 1u);  // never dropped
    return b[0];
  }
  int64_t counter(const std::string& name) {
    for (auto& [k, v] : p->metrics()->snapshot())
      if (k == name) return std::stoll(v);
    return -1;
  }
};

TEST(ParseSquid, AllFields) {
  parse::SquidParser sp;
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(sp.parse(kSquid, f, err)) << err;
  EXPECT_EQ(field(f, "time"), "1763856000.123");
  EXPECT_EQ(field(f, "elapsed"), "120");
  EXPECT_EQ(field(f, "client"), "10.1.2.3");
  EXPECT_EQ(field(f, "code"), "TCP_MISS");
  EXPECT_EQ(field(f, "status"), "200");
  EXPECT_EQ(field(f, "bytes"), "5120");
  EXPECT_EQ(field(f, "method"), "GET");
  EXPECT_EQ(field(f, "url"), "http://example.com/a?b=1");
  EXPECT_EQ(field(f, "user"), "alice");
  EXPECT_EQ(field(f, "hierarchy"), "HIER_DIRECT");
  EXPECT_EQ(field(f, "peer"), "93.184.216.34");
  EXPECT_EQ(field(f, "content_type"), "text/html");
}

TEST(ParseSquid, DashesLeftOutAndTrailingNewline) {
  parse::SquidParser sp;
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(
      sp.parse("1763856000.001      0 ::1 TCP_DENIED/403 3900 CONNECT evil.com:443 - HIER_NONE/- -\r\n", f, err))
      << err;
  EXPECT_EQ(field(f, "user"), "<absent>");
  EXPECT_EQ(field(f, "peer"), "<absent>");
  EXPECT_EQ(field(f, "content_type"), "<absent>");
  EXPECT_EQ(field(f, "url"), "evil.com:443");
  EXPECT_EQ(field(f, "client"), "::1");
  EXPECT_EQ(f.size(), 9u);
}

TEST(ParseSquid, MalformedReasons) {
  parse::SquidParser sp;
  parse::Fields f;
  std::string err;
  EXPECT_FALSE(sp.parse("1763856000.123 120 10.1.2.3 TCP_MISS/200 5120 GET", f, err));
  EXPECT_EQ(err, "squid: 6 fields, expected 10");
  EXPECT_FALSE(sp.parse("", f, err));
  EXPECT_EQ(err, "squid: 0 fields, expected 10");
  EXPECT_FALSE(
      sp.parse("yesterday 120 10.1.2.3 TCP_MISS/200 5120 GET http://x/ - HIER_DIRECT/1.2.3.4 text/html", f, err));
  EXPECT_EQ(err, "squid: time 'yesterday' is not seconds.millis");
  EXPECT_FALSE(sp.parse("1.5 120 10.1.2.3 TCP_MISS 5120 GET http://x/ - HIER_DIRECT/1.2.3.4 text/html", f, err));
  EXPECT_EQ(err, "squid: 'TCP_MISS' is not code/status");
  EXPECT_FALSE(
      sp.parse("1.5 120 10.1.2.3 TCP_MISS/200 5120 GET http://x/ - HIER_DIRECT/1.2.3.4 text/html extra", f, err));
  EXPECT_EQ(err, "squid: more than 10 fields");
}

TEST(ParseCombined, AllFields) {
  parse::CombinedParser cp;
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(cp.parse(kCombined, f, err)) << err;
  EXPECT_EQ(field(f, "client"), "203.0.113.9");
  EXPECT_EQ(field(f, "ident"), "<absent>");
  EXPECT_EQ(field(f, "user"), "frank");
  EXPECT_EQ(field(f, "time"), "10/Oct/2000:13:55:36 -0700");
  EXPECT_EQ(field(f, "request"), "GET /apache_pb.gif HTTP/1.0");
  EXPECT_EQ(field(f, "method"), "GET");
  EXPECT_EQ(field(f, "url"), "/apache_pb.gif");
  EXPECT_EQ(field(f, "protocol"), "HTTP/1.0");
  EXPECT_EQ(field(f, "status"), "200");
  EXPECT_EQ(field(f, "bytes"), "2326");
  EXPECT_EQ(field(f, "referer"), "http://www.example.com/start.html");
  EXPECT_EQ(field(f, "user_agent"), "Mozilla/4.08 [en] (Win98; I ;Nav)");
}

TEST(ParseCombined, CommonFormatEscapedQuotesAndBadRequestLine) {
  parse::CombinedParser cp;
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(cp.parse("::1 - - [01/Jan/2026:00:00:00 +0000] \"\\x16\\x03\" 400 -", f, err)) << err;
  EXPECT_EQ(field(f, "request"), "\\x16\\x03");
  EXPECT_EQ(field(f, "method"), "<absent>");  // not a three-part request line
  EXPECT_EQ(field(f, "bytes"), "<absent>");
  EXPECT_EQ(field(f, "referer"), "<absent>");
  f.clear();
  ASSERT_TRUE(
      cp.parse("1.2.3.4 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"say \\\"hi\\\"\"", f, err));
  EXPECT_EQ(field(f, "user_agent"), "say \\\"hi\\\"");
  EXPECT_FALSE(cp.parse("1.2.3.4 - - 01/Jan/2026 \"GET / HTTP/1.1\" 200 5", f, err));
  EXPECT_EQ(err, "combined: expected [time]");
  EXPECT_FALSE(cp.parse("1.2.3.4 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1 200 5", f, err));
  EXPECT_EQ(err, "combined: expected a quoted request line");
  EXPECT_FALSE(cp.parse("1.2.3.4 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" OK 5", f, err));
  EXPECT_EQ(err, "combined: expected a 3-digit status after the request");
}

TEST(ParseSchema, TypesAndReasons) {
  std::string err;
  auto t = parse::FieldType::parse("timestamp:%d/%b/%Y:%H:%M:%S %z", err);
  ASSERT_TRUE(t);
  int64_t ms = 0;
  ASSERT_TRUE(t->to_epoch_ms("10/Oct/2000:13:55:36 -0700", ms));
  EXPECT_EQ(ms, 971211336000);
  EXPECT_FALSE(t->check("10/Oct/2000 13:55:36"));
  auto ep = parse::FieldType::parse("epoch", err);
  ASSERT_TRUE(ep->to_epoch_ms("1763856000.12", ms));
  EXPECT_EQ(ms, 1763856000120);
  EXPECT_FALSE(ep->check("1763856000.x"));
  auto ip = parse::FieldType::parse("ip", err);
  EXPECT_TRUE(ip->check("10.1.2.3"));
  EXPECT_TRUE(ip->check("2001:db8::1"));
  EXPECT_FALSE(ip->check("10.1.2.300"));
  EXPECT_FALSE(ip->check("host.example"));
  auto i = parse::FieldType::parse("int", err);
  EXPECT_TRUE(i->check("-42"));
  EXPECT_FALSE(i->check("4x"));
  EXPECT_FALSE(i->check("99999999999999999999"));
  auto f = parse::FieldType::parse("float", err);
  EXPECT_TRUE(f->check("0.25"));
  EXPECT_FALSE(f->check("one"));
  EXPECT_FALSE(parse::FieldType::parse("integer", err));
  EXPECT_NE(err.find("'integer' is not a field type"), std::string::npos);
}

TEST(ParseInterceptor, SquidToHeadersWithSchemaAndTimestamp) {
  Harness h({{"format", "squid"},
             {"schema.required", "client status url"},
             {"schema.types.status", "int"},
             {"schema.types.client", "ip"},
             {"schema.types.time", "epoch"},
             {"schema.types.method", "enum:GET,POST,CONNECT"},
             {"timestampField", "time"}});
  ASSERT_FALSE(h.diag.has_errors());
  Event e = h.run(kSquid);
  EXPECT_EQ(e.body, kSquid);  // headers mode keeps the body
  EXPECT_EQ(e.headers.get("parse.status"), "ok");
  EXPECT_FALSE(e.headers.contains("parse.error"));
  EXPECT_EQ(e.headers.get("event_type"), "squid");
  EXPECT_EQ(e.headers.get("url"), "http://example.com/a?b=1");
  EXPECT_EQ(e.headers.get("status"), "200");
  EXPECT_EQ(e.headers.get("timestamp"), "1763856000123");
  EXPECT_EQ(h.counter("EventsParsed"), 1);

  Harness json({{"format", "squid"}, {"output", "json"}, {"schema.types.time", "epoch"}, {"schema.types.elapsed", "int"}});
  auto v = boost::json::parse(json.run(kSquid).body);
  EXPECT_DOUBLE_EQ(v.at("time").as_double(), 1763856000.123);  // epoch and int types are JSON numbers
  EXPECT_EQ(v.at("elapsed").as_int64(), 120);
  EXPECT_EQ(v.at("status").as_string(), "200");  // untyped fields stay strings
}

TEST(ParseInterceptor, SchemaFailuresKeepBodyWithExactReasons) {
  Harness h({{"format", "squid"},
             {"schema.required", "client status url user"},
             {"schema.types.status", "int"},
             {"schema.types.client", "ip"},
             {"schema.types.method", "enum:GET,POST,CONNECT"}});
  std::string no_user = "1763856000.123 5 10.1.2.3 TCP_MISS/200 10 GET http://x/ - HIER_DIRECT/1.2.3.4 -";
  Event e = h.run(no_user);
  EXPECT_EQ(e.body, no_user);
  EXPECT_EQ(e.headers.get("parse.status"), "error");
  EXPECT_EQ(e.headers.get("parse.error"), "missing field user");
  EXPECT_EQ(e.headers.get("event_type"), "squid");
  EXPECT_FALSE(e.headers.contains("url"));  // no fields on the error path

  e = h.run("1763856000.123 5 10.1.2.3 TCP_MISS/abc 10 GET http://x/ bob HIER_DIRECT/1.2.3.4 -");
  EXPECT_EQ(e.headers.get("parse.error"), "field status: 'abc' is not an int");
  e = h.run("1763856000.123 5 myhost TCP_MISS/200 10 GET http://x/ bob HIER_DIRECT/1.2.3.4 -");
  EXPECT_EQ(e.headers.get("parse.error"), "field client: 'myhost' is not an ip");
  e = h.run("1763856000.123 5 10.1.2.3 TCP_MISS/200 10 BREW http://x/ bob HIER_DIRECT/1.2.3.4 -");
  EXPECT_EQ(e.headers.get("parse.error"), "field method: 'BREW' is not one of GET,POST,CONNECT");
  e = h.run("garbage line");
  EXPECT_EQ(e.body, "garbage line");
  EXPECT_EQ(e.headers.get("parse.error"), "squid: 2 fields, expected 10");
  EXPECT_EQ(h.counter("SchemaMissingField"), 1);
  EXPECT_EQ(h.counter("SchemaBadValue"), 3);
  EXPECT_EQ(h.counter("ParseErrors"), 1);
  EXPECT_EQ(h.counter("EventsParsed"), 0);
  EXPECT_EQ(h.counter("EventsReceived"), 5);
}

TEST(ParseInterceptor, CombinedJsonOutputIsValidAndTyped) {
  Harness h({{"format", "combined"},
             {"output", "both"},
             {"headerPrefix", "f."},
             {"eventType", "web"},
             {"statusHeader", "st"},
             {"errorHeader", "why"},
             {"schema.types.status", "int"},
             {"schema.types.bytes", "int"},
             {"schema.types.time", "timestamp:%d/%b/%Y:%H:%M:%S %z"},
             {"timestampField", "time"}});
  ASSERT_FALSE(h.diag.has_errors());
  Event e = h.run(kCombined);
  EXPECT_EQ(e.headers.get("st"), "ok");
  EXPECT_EQ(e.headers.get("event_type"), "web");
  EXPECT_EQ(e.headers.get("f.user_agent"), "Mozilla/4.08 [en] (Win98; I ;Nav)");
  EXPECT_EQ(e.headers.get("timestamp"), "971211336000");
  auto v = boost::json::parse(e.body);
  auto& o = v.as_object();
  EXPECT_EQ(o.at("status").as_int64(), 200);
  EXPECT_EQ(o.at("bytes").as_int64(), 2326);
  EXPECT_EQ(o.at("client").as_string(), "203.0.113.9");
  EXPECT_EQ(o.at("time").as_string(), "10/Oct/2000:13:55:36 -0700");  // a timestamp stays text
  EXPECT_EQ(o.at("referer").as_string(), "http://www.example.com/start.html");
  EXPECT_FALSE(o.contains("ident"));
  e = h.run("nope");
  EXPECT_EQ(e.headers.get("st"), "error");
  EXPECT_EQ(e.headers.get("why"), "combined: fewer than 3 fields before the time");
  EXPECT_EQ(e.body, "nope");
}

TEST(ParseInterceptor, InvalidUtf8StaysValidJsonOrTakesErrorPath) {
  std::string line = std::string(kCombined);
  line.replace(line.find("Mozilla"), 7, "Mo\xff\xc3(zi\tlla\x01");
  Harness replace({{"format", "combined"}, {"output", "json"}});
  Event e = replace.run(line);
  ASSERT_EQ(e.headers.get("parse.status"), "ok");
  boost::json::value v;
  ASSERT_NO_THROW(v = boost::json::parse(e.body)) << e.body;
  EXPECT_EQ(v.at("user_agent").as_string(), "Mo\xef\xbf\xbd\xef\xbf\xbd(zi\tlla\x01/4.08 [en] (Win98; I ;Nav)");

  Harness strict({{"format", "combined"}, {"output", "json"}, {"invalidUtf8", "error"}});
  e = strict.run(line);
  EXPECT_EQ(e.headers.get("parse.status"), "error");
  EXPECT_EQ(e.headers.get("parse.error"), "invalid UTF-8 at byte " + std::to_string(line.find('\xff')));
  EXPECT_EQ(e.body, line);
  EXPECT_EQ(strict.counter("InvalidUtf8"), 1);
}

TEST(ParseInterceptor, OversizedBodyTakesErrorPath) {
  Harness h({{"format", "squid"}, {"maxBodyBytes", "100"}});
  std::string big = std::string(kSquid) + std::string(200, 'x');
  Event e = h.run(big);
  EXPECT_EQ(e.headers.get("parse.status"), "error");
  EXPECT_EQ(e.headers.get("parse.error"), "body of " + std::to_string(big.size()) + " bytes exceeds maxBodyBytes 100");
  EXPECT_EQ(e.body, big);
  EXPECT_EQ(h.counter("OversizedBodies"), 1);
}

TEST(ParseInterceptor, EventTypeFromFieldIsPathSafeAndSelectsSchema) {
  Harness h({{"format", "squid"},
             {"eventTypeField", "method"},
             {"schema.eventTypes", "CONNECT"},
             {"schema.CONNECT.required", "user"}});
  ASSERT_FALSE(h.diag.has_errors());
  Event e = h.run(kSquid);
  EXPECT_EQ(e.headers.get("event_type"), "GET");
  EXPECT_EQ(e.headers.get("parse.status"), "ok");
  e = h.run("1.0 5 10.1.2.3 TCP_TUNNEL/200 10 CONNECT x:443 - HIER_DIRECT/1.2.3.4 -");
  EXPECT_EQ(e.headers.get("parse.error"), "missing field user");
  e = h.run("1.0 5 10.1.2.3 TCP_MISS/200 10 ../../etc http://x/ - HIER_DIRECT/1.2.3.4 -");
  EXPECT_EQ(e.headers.get("event_type"), "_._.._etc");
}

TEST(ParseInterceptor, ConfigErrors) {
  Diagnostics d;
  Context ctx = make_context(
      {{"format", "squidd"}, {"schema.types.status", "integer"}, {"timestampField", "time"}, {"output", "xml"}}, &d);
  ParseInterceptor p("p", ctx);
  EXPECT_TRUE(d.has_errors());
  std::string all = d.format();
  EXPECT_NE(all.find("format: 'squidd' is not valid"), std::string::npos) << all;
  EXPECT_NE(all.find("schema.types.status: 'integer' is not a field type"), std::string::npos) << all;
  EXPECT_NE(all.find("timestampField: 'time' has no time type"), std::string::npos) << all;
  EXPECT_NE(all.find("output: 'xml' is not valid"), std::string::npos) << all;

  Diagnostics d2;
  Context missing = make_context({}, &d2);
  ParseInterceptor p2("p", missing);
  EXPECT_TRUE(d2.has_errors());
}

// Whatever the bytes, every event comes out: parsed, with a JSON body that parses back (Boost.JSON
// checks UTF-8) as an object; or on the error path with its body untouched and a printable reason.
TEST(ParseInterceptor, MutatedLinesNeverDroppedJsonAlwaysValid) {
  std::mt19937 r(1234);
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"squid", kSquid},
      {"combined", kCombined},
      {"syslog", "<165>1 2003-10-11T22:14:15.003Z host app - ID47 [a b=\"c\"] msg"},
      {"bind", "client @0x1 10.0.0.5#53211 (example.com): query: example.com IN A +E(0)K (10.0.0.1)"},
      {"json", R"({"a":"x","b":{"c":[1,2]},"d":1.5,"e":"\u00e9"})"},
      {"kv", R"(a=1 b="two words" c='x\'y')"},
      {"csv", R"(1,"a,b","say ""hi""")"},
  };
  for (const auto& [format, seed] : seeds) {
    std::map<std::string, std::string> kv{{"format", format}, {"output", "both"}};
    if (format == "csv") kv["csv.columns"] = "x y z";
    Harness h(kv);
    ASSERT_FALSE(h.diag.has_errors()) << format;
    Batch batch;
    std::vector<std::string> inputs;
    for (int i = 0; i < 3000; ++i) {
      std::string s = seed;
      for (int k = 0, edits = static_cast<int>(r() % 4); k < edits && !s.empty(); ++k) {
        size_t pos = r() % s.size();
        switch (r() % 4) {
          case 0: s[pos] = static_cast<char>(r() % 256); break;
          case 1: s.erase(pos, r() % 8); break;
          case 2: s.insert(pos, 1, "\"\\'[]{}= \n\xff\xc3"[r() % 12]); break;
          case 3: s.resize(pos); break;
        }
      }
      inputs.push_back(s);
      batch.emplace_back(s);
    }
    h.p->intercept(batch);
    ASSERT_EQ(batch.size(), inputs.size());
    size_t ok = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Event& e = batch[i];
      std::string status = e.headers.get("parse.status");
      if (status == "ok") {
        ++ok;
        boost::system::error_code ec;
        auto v = boost::json::parse(e.body, ec);
        ASSERT_FALSE(ec) << format << ": " << e.body;
        ASSERT_TRUE(v.is_object()) << e.body;
      } else {
        ASSERT_EQ(status, "error") << format;
        ASSERT_EQ(e.body, inputs[i]);
        std::string why = e.headers.get("parse.error");
        ASSERT_FALSE(why.empty());
        for (char c : why) ASSERT_TRUE(c >= 0x20 && c < 0x7f) << format << ": " << why;
      }
    }
    EXPECT_GT(ok, 0u) << format;  // neither all parsed nor all failed: the edits reach both paths
    EXPECT_LT(ok, batch.size()) << format;
  }
}

}  // namespace
}  // namespace sluice
