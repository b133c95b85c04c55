// parse interceptor formats beyond squid/combined: syslog, bind, json, kv, csv, regex; each on
// realistic lines with field values checked, and its failure reasons.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "interceptors/parse/bind_parser.hpp"
#include "interceptors/parse/csv_parser.hpp"
#include "interceptors/parse/json_parser.hpp"
#include "interceptors/parse/kv_parser.hpp"
#include "interceptors/parse/syslog_format.hpp"
#include "interceptors/parse_interceptor.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using test::make_context;

std::string field(const parse::Fields& f, std::string_view name) {
  auto* v = f.find(name);
  return v ? std::string(*v) : "<absent>";
}

// Runs one body through a parse interceptor configured with kv; returns the event.
Event run(const std::map<std::string, std::string>& kv, std::string body, Diagnostics* diag = nullptr) {
  Diagnostics own;
  Context ctx = make_context(kv, diag ? diag : &own);
  ParseInterceptor p("p", ctx);
  EXPECT_FALSE((diag ? diag : &own)->has_errors()) << (diag ? diag : &own)->format();
  Batch b;
  b.emplace_back(std::move(body));
  p.intercept(b);
  EXPECT_EQ(b.size(), 1u);
  return b[0];
}

TEST(ParseSyslog, Rfc5424AllParts) {
  parse::SyslogFormat p;
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(
      p.parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
              "[exampleSDID@32473 iut=\"3\" eventSource=\"Appl]ication\"][x@1 a=\"b\\\"\"] An application event",
              f, err))
      << err;
  EXPECT_EQ(field(f, "facility"), "20");
  EXPECT_EQ(field(f, "severity"), "5");
  EXPECT_EQ(field(f, "priority"), "165");
  EXPECT_EQ(field(f, "version"), "1");
  EXPECT_EQ(field(f, "timestamp"), "1065910455003");
  EXPECT_EQ(field(f, "host"), "mymachine.example.com");
  EXPECT_EQ(field(f, "app_name"), "evntslog");
  EXPECT_EQ(field(f, "procid"), "<absent>");
  EXPECT_EQ(field(f, "msgid"), "ID47");
  EXPECT_EQ(field(f, "structured_data"), "[exampleSDID@32473 iut=\"3\" eventSource=\"Appl]ication\"][x@1 a=\"b\\\"\"]");
  EXPECT_EQ(field(f, "message"), "An application event");
}

TEST(ParseSyslog, Rfc3164TagPidAndFailures) {
  parse::SyslogFormat p;
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(p.parse("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed on /dev/pts/8\n", f, err)) << err;
  EXPECT_EQ(field(f, "facility"), "4");
  EXPECT_EQ(field(f, "severity"), "2");
  EXPECT_EQ(field(f, "host"), "mymachine");
  EXPECT_EQ(field(f, "app_name"), "su");
  EXPECT_EQ(field(f, "procid"), "123");
  EXPECT_EQ(field(f, "message"), "'su root' failed on /dev/pts/8");
  EXPECT_NE(field(f, "timestamp"), "<absent>");
  EXPECT_FALSE(p.parse("no pri here", f, err));
  EXPECT_EQ(err, "syslog: no <PRI>");
  EXPECT_FALSE(p.parse("<34>garbage", f, err));
  EXPECT_EQ(err, "syslog: header does not parse (expected RFC 3164 or 5424)");
}

TEST(ParseBind, QueryLogForms) {
  parse::BindParser p;
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(
      p.parse("25-Nov-2026 12:00:00.123 queries: info: client @0x7f1c2c0a1b20 10.0.0.5#53211 (example.com): "
              "query: example.com IN A +E(0)K (10.0.0.1)",
              f, err))
      << err;
  EXPECT_EQ(field(f, "time"), "25-Nov-2026 12:00:00.123");
  EXPECT_EQ(field(f, "client"), "10.0.0.5");
  EXPECT_EQ(field(f, "client_port"), "53211");
  EXPECT_EQ(field(f, "query"), "example.com");
  EXPECT_EQ(field(f, "class"), "IN");
  EXPECT_EQ(field(f, "qtype"), "A");
  EXPECT_EQ(field(f, "flags"), "+E(0)K");
  EXPECT_EQ(field(f, "server"), "10.0.0.1");
  EXPECT_EQ(field(f, "view"), "<absent>");
  f.clear();
  ASSERT_TRUE(
      p.parse("client @0x55 2001:db8::5#4444 (www.example.org): view internal: query: www.example.org IN AAAA "
              "-E(0)DC (2001:db8::53)",
              f, err));
  EXPECT_EQ(field(f, "client"), "2001:db8::5");
  EXPECT_EQ(field(f, "view"), "internal");
  EXPECT_EQ(field(f, "qtype"), "AAAA");
  EXPECT_EQ(field(f, "server"), "2001:db8::53");
  EXPECT_EQ(field(f, "time"), "<absent>");
  f.clear();
  ASSERT_TRUE(p.parse("client 192.0.2.1#1234: query: example.net IN MX + (192.0.2.53)", f, err)) << err;
  EXPECT_EQ(field(f, "client_port"), "1234");
  EXPECT_EQ(field(f, "query"), "example.net");
  EXPECT_FALSE(p.parse("named started", f, err));
  EXPECT_EQ(err, "bind: no 'client '");
  EXPECT_FALSE(p.parse("client 1.2.3.4 (x): query: x IN A + (1.1.1.1)", f, err));
  EXPECT_EQ(err, "bind: expected address#port");
  EXPECT_FALSE(p.parse("client 1.2.3.4#5 (x): update 'x/IN' denied", f, err));
  EXPECT_EQ(err, "bind: expected 'query:'");
  EXPECT_FALSE(p.parse("client 1.2.3.4#5 (x): query: x IN A", f, err));
  EXPECT_EQ(err, "bind: expected name class type flags (server) after 'query:'");
}

TEST(ParseJson, FlattensTypesAndArrays) {
  parse::JsonParser p(65536, 16);
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(p.parse(R"({"ts":"2025-11-22T10:00:00Z","client":"10.1.2.3","status":200,"neg":-7,"ok":true,)"
                      R"("ratio":0.5,"big":18446744073709551615,"nul":null,"http":{"method":"GET","tls":{"v":"1.3"}},)"
                      R"("tags":["a", "b"],"esc":"a\"b\u00e9"})",
                      f, err))
      << err;
  EXPECT_EQ(field(f, "client"), "10.1.2.3");
  EXPECT_EQ(field(f, "status"), "200");
  EXPECT_EQ(field(f, "neg"), "-7");
  EXPECT_EQ(field(f, "ok"), "true");
  EXPECT_EQ(field(f, "ratio"), "0.5");
  EXPECT_EQ(field(f, "big"), "18446744073709551615");
  EXPECT_EQ(field(f, "nul"), "<absent>");
  EXPECT_EQ(field(f, "http.method"), "GET");
  EXPECT_EQ(field(f, "http.tls.v"), "1.3");
  EXPECT_EQ(field(f, "tags"), "[\"a\",\"b\"]");
  EXPECT_EQ(field(f, "esc"), "a\"b\xc3\xa9");
}

TEST(ParseJson, DepthNonObjectMalformedAndBadUtf8) {
  parse::JsonParser p(65536, 4);
  parse::Fields f;
  std::string err;
  EXPECT_TRUE(p.parse(R"({"a":{"b":{"c":{"d":1}}}})", f, err)) << err;  // depth 4
  EXPECT_FALSE(p.parse(R"({"a":{"b":{"c":{"d":{"e":1}}}}})", f, err));
  EXPECT_EQ(err, "json: nested deeper than json.maxDepth 4");
  EXPECT_FALSE(p.parse(std::string(100000, '['), f, err));  // larger than the parser may allocate
  EXPECT_EQ(err, "json: body larger than the parser's capacity");
  EXPECT_FALSE(p.parse(std::string(5000, '[') + std::string(5000, ']'), f, err));
  EXPECT_EQ(err, "json: nested deeper than json.maxDepth 4");
  EXPECT_FALSE(p.parse("[1,2]", f, err));
  EXPECT_EQ(err, "json: top-level value is not an object");
  EXPECT_FALSE(p.parse(R"({"a":)", f, err));
  EXPECT_TRUE(err.starts_with("json: ")) << err;
  EXPECT_FALSE(p.parse("{\"a\":\"\xff\"}", f, err));
  EXPECT_TRUE(err.starts_with("json: ")) << err;
}

TEST(ParseJson, EventTypeFieldSelectsItsSchemaAndOutputIsTyped) {
  std::map<std::string, std::string> kv{{"format", "json"},
                                        {"output", "json"},
                                        {"eventTypeField", "kind"},
                                        {"schema.eventTypes", "dns"},
                                        {"schema.dns.required", "query"},
                                        {"schema.dns.types.rcode", "int"}};
  Event e = run(kv, R"({"kind":"dns","query":"example.com","rcode":3,"ttl":"30"})");
  EXPECT_EQ(e.headers.get("parse.status"), "ok");
  EXPECT_EQ(e.headers.get("event_type"), "dns");
  auto v = boost::json::parse(e.body);
  EXPECT_EQ(v.at("rcode").as_int64(), 3);
  EXPECT_EQ(v.at("ttl").as_string(), "30");  // no type: stays a string
  e = run(kv, R"({"kind":"dns","rcode":3})");
  EXPECT_EQ(e.headers.get("parse.error"), "missing field query");
  e = run(kv, R"({"kind":"web","url":"/"})");  // no schema for web
  EXPECT_EQ(e.headers.get("parse.status"), "ok");
  EXPECT_EQ(e.headers.get("event_type"), "web");
  e = run(kv, R"({"kind":"dns","query":"x","rcode":"NXDOMAIN"})");
  EXPECT_EQ(e.headers.get("parse.error"), "field rcode: 'NXDOMAIN' is not an int");
}

// timestampField: an ok event always carries a numeric timestamp header, even when a field named
// timestamp is in the body or the event's own schema does not type the field.
TEST(ParseJson, TimestampFieldWinsAndIsRequired) {
  std::map<std::string, std::string> kv{{"format", "json"},
                                        {"eventTypeField", "kind"},
                                        {"schema.types.ts", "timestamp:%Y-%m-%dT%H:%M:%S%z"},
                                        {"schema.eventTypes", "dns"},
                                        {"schema.dns.required", "query"},
                                        {"timestampField", "ts"}};
  Event e = run(kv, R"({"kind":"web","ts":"2025-11-22T10:00:00+0000","timestamp":"yesterday"})");
  EXPECT_EQ(e.headers.get("parse.status"), "ok");
  EXPECT_EQ(e.headers.get("timestamp"), "1763805600000");
  e = run(kv, R"({"kind":"dns","query":"x","ts":"2025-11-22T10:00:00+0100"})");  // dns schema has no ts type
  EXPECT_EQ(e.headers.get("timestamp"), "1763802000000");
  e = run(kv, R"({"kind":"dns","query":"x"})");
  EXPECT_EQ(e.headers.get("parse.error"), "missing field ts");
  e = run(kv, R"({"kind":"dns","query":"x","ts":"soon"})");
  EXPECT_EQ(e.headers.get("parse.error"), "field ts: 'soon' is not a timestamp like %Y-%m-%dT%H:%M:%S%z");
}

// One interceptor called from several source threads at once (each takes its own parser).
TEST(ParseJson, ConcurrentBatchesKeepEachEventsOwnFields) {
  Diagnostics d;
  Context ctx = make_context({{"format", "json"}, {"headerPrefix", "f."}}, &d);
  ParseInterceptor p("p", ctx);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        Batch b;
        for (int i = 0; i < 100; ++i) {
          std::string id = std::to_string(t) + "-" + std::to_string(round) + "-" + std::to_string(i);
          b.emplace_back(R"({"id":")" + id + R"(","pad":")" + std::string(static_cast<size_t>(i) * 10, 'x') + "\"}");
        }
        p.intercept(b);
        for (int i = 0; i < 100; ++i)
          if (b[static_cast<size_t>(i)].headers.get("f.id") !=
              std::to_string(t) + "-" + std::to_string(round) + "-" + std::to_string(i))
            ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ParseKv, QuotesEscapesBareWordsAndDelimiters) {
  parse::KvParser p(0, '=');
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(p.parse(
      R"(date=2025-11-22 devname="fw 01" srcip=10.1.2.3 msg="say \"hi\"" empty= note='single q' bare word=x)", f, err))
      << err;
  EXPECT_EQ(field(f, "date"), "2025-11-22");
  EXPECT_EQ(field(f, "devname"), "fw 01");
  EXPECT_EQ(field(f, "srcip"), "10.1.2.3");
  EXPECT_EQ(field(f, "msg"), "say \"hi\"");
  EXPECT_EQ(field(f, "empty"), "");
  EXPECT_EQ(field(f, "note"), "single q");
  EXPECT_EQ(field(f, "bare"), "<absent>");
  EXPECT_EQ(field(f, "word"), "x");
  EXPECT_EQ(f.size(), 7u);
  EXPECT_FALSE(p.parse(R"(a=1 b="oops)", f, err));
  EXPECT_EQ(err, "kv: unterminated quote in the value of b");
  f.clear();
  EXPECT_FALSE(p.parse("just words", f, err));
  EXPECT_EQ(err, "kv: no key=value pairs");

  // A repeated key: the last value is the one checked, put in headers and in the JSON body.
  Event dup = run({{"format", "kv"}, {"output", "both"}, {"schema.types.n", "int"}}, "n=x n=5");
  EXPECT_EQ(dup.headers.get("parse.status"), "ok");
  EXPECT_EQ(dup.headers.get("n"), "5");
  EXPECT_EQ(dup.body, R"({"n":5})");

  parse::KvParser comma(',', ':');
  f.clear();
  ASSERT_TRUE(comma.parse(R"(a:1, b:hello world ,c:"x,y")", f, err)) << err;
  EXPECT_EQ(field(f, "a"), "1");
  EXPECT_EQ(field(f, "b"), "hello world");
  EXPECT_EQ(field(f, "c"), "x,y");
  Event e = run({{"format", "kv"}, {"kv.pairDelimiter", ";"}, {"headerPrefix", "kv."}}, "user=bob; action=login");
  EXPECT_EQ(e.headers.get("kv.user"), "bob");
  EXPECT_EQ(e.headers.get("kv.action"), "login");
  EXPECT_EQ(e.headers.get("event_type"), "kv");
}

TEST(ParseCsv, QuotedValuesAndColumnCount) {
  parse::CsvParser p({"ts", "client", "url", "ua"}, ',');
  parse::Fields f;
  std::string err;
  ASSERT_TRUE(p.parse(R"(2025-11-22,10.1.2.3,"http://x/?a=1,2","say ""hi""")", f, err)) << err;
  EXPECT_EQ(field(f, "ts"), "2025-11-22");
  EXPECT_EQ(field(f, "client"), "10.1.2.3");
  EXPECT_EQ(field(f, "url"), "http://x/?a=1,2");
  EXPECT_EQ(field(f, "ua"), "say \"hi\"");
  f.clear();
  ASSERT_TRUE(p.parse("a,b,c,", f, err)) << err;
  EXPECT_EQ(field(f, "ua"), "");
  EXPECT_FALSE(p.parse("a,b", f, err));
  EXPECT_EQ(err, "csv: 2 values, expected 4 (csv.columns)");
  EXPECT_FALSE(p.parse("a,b,c,d,e", f, err));
  EXPECT_EQ(err, "csv: 5 values, expected 4 (csv.columns)");
  EXPECT_FALSE(p.parse(R"(a,"b,c,d)", f, err));
  EXPECT_EQ(err, "csv: unterminated quote in value 2");
  EXPECT_FALSE(p.parse(R"(a,"b"x,c,d)", f, err));
  EXPECT_EQ(err, "csv: text after the closing quote of value 2");

  Event e = run({{"format", "csv"}, {"csv.columns", "a b"}, {"csv.delimiter", ";"}, {"schema.required", "b"}}, "1;");
  EXPECT_EQ(e.headers.get("parse.error"), "missing field b");
  Diagnostics d;
  Context ctx = make_context({{"format", "csv"}, {"csv.delimiter", ";;"}}, &d);
  ParseInterceptor bad("p", ctx);
  EXPECT_NE(d.format().find("csv.columns: is required for format csv"), std::string::npos) << d.format();
  EXPECT_NE(d.format().find("csv.delimiter: ';;' is not a single character"), std::string::npos) << d.format();
}

TEST(ParseRegex, NamedGroupsAndConfigErrors) {
  std::map<std::string, std::string> kv{{"format", "regex"},
                                        {"regex", R"(^(?P<client>\S+) (?P<verb>[A-Z]+) (\S+)(?: (?P<opt>\d+))?$)"}};
  Event e = run(kv, "1.2.3.4 GET /x");
  EXPECT_EQ(e.headers.get("parse.status"), "ok");
  EXPECT_EQ(e.headers.get("client"), "1.2.3.4");
  EXPECT_EQ(e.headers.get("verb"), "GET");
  EXPECT_FALSE(e.headers.contains("opt"));
  EXPECT_EQ(e.headers.size(), 4u);  // client, verb, parse.status, event_type: the unnamed group is not a field
  e = run(kv, "1.2.3.4 GET /x 42");
  EXPECT_EQ(e.headers.get("opt"), "42");
  e = run(kv, "nope");
  EXPECT_EQ(e.headers.get("parse.error"), "regex: no match");

  Diagnostics d;
  Context c1 = make_context({{"format", "regex"}, {"regex", "(\\S+) (\\S+)"}}, &d);
  ParseInterceptor p1("p", c1);
  EXPECT_NE(d.format().find("regex: has no named group"), std::string::npos) << d.format();
  Diagnostics d2;
  Context c2 = make_context({{"format", "regex"}, {"regex", "(?P<a>(x)"}}, &d2);
  ParseInterceptor p2("p", c2);
  EXPECT_NE(d2.format().find("is not a valid regular expression"), std::string::npos) << d2.format();
  Diagnostics d3;
  Context c3 = make_context({{"format", "regex"}}, &d3);
  ParseInterceptor p3("p", c3);
  EXPECT_NE(d3.format().find("regex: is required"), std::string::npos) << d3.format();
}

}  // namespace
}  // namespace sluice
