// Candidates of a body as (type, value) pairs, for the IOC extraction tests.
#pragma once
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interceptors/ioc/extract.hpp"

namespace sluice::ioc::test_support {

inline std::vector<std::pair<Type, std::string>> found(std::string_view body, Mode mode = Mode::Body) {
  Candidates c;
  extract(body, mode, c);
  std::vector<std::pair<Type, std::string>> v;
  for (const auto& i : c.items) v.emplace_back(i.type, std::string(i.value));
  return v;
}

inline std::vector<std::pair<Type, std::string>> reference(std::string_view body) {
  Candidates c;
  extract_every_token(body, c);
  std::vector<std::pair<Type, std::string>> v;
  for (const auto& i : c.items) v.emplace_back(i.type, std::string(i.value));
  return v;
}

inline bool has(const std::vector<std::pair<Type, std::string>>& v, Type t, const std::string& value) {
  for (const auto& [type, val] : v)
    if (type == t && val == value) return true;
  return false;
}

// Random bodies built from indicator-like pieces, near misses and separators: the scan must find
// exactly what classifying every token finds (the shapes are necessary conditions).
inline std::string random_body(std::mt19937& r) {
  static const std::vector<std::string> pieces = {
      "1.2.3.4", "1.2.3.40", "01.2.3.4", "255.255.255.255", "256.1.1.1", "10.0.0.1:8080", "evil.com", "EVIL.COM.",
      "notevil.com", "evil.com.example.org", "a.b", "x.1", "1.x", "ab.12", "a_b.c-d", "evil[.]com", "evil[dot]com",
      "e[[.]]x.org", "evil(.)com", "evil{.}com", "http://evil.com/a", "HTTP://Evil.COM:80/P", "https://h.example:443",
      "hxxp://bad[.]example/x", "ftp://f.example/", "http://:80", "http://a.:80/x", "http://u:p@h.example:81/",
      "http://[2001:db8::1]:80/", "http://1.2.3.4/x?h=44d88612fea8a8f36de82e1278abb02f&r=1", "fxp.example.com",
      "hxxpevil.com", "user@mail.example", "USER[at]Mail[.]Example", "a@b", "@x.com", "a@@b.com", "::1", "::ffff:1.2.3.4",
      "2001:db8::1", "fe80::1%eth0", "10:00:00", "2001[:]db8[:][:]1", "44d88612fea8a8f36de82e1278abb02f",
      "44D88612FEA8A8F36DE82E1278ABB02F", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "44d88612fea8a8f36de82e1278abb02",
      "HIER_DIRECT/93.184.216.34", "TCP_MISS/200", "/a/b/evil.com/c", "1763856000.123", "text/html", "-", "://",
      "9://x.example", "[", "]", ":", ".", "..", "a..b", "[.]", "a[.", "x.com]", "[y.com", ":z.com", "é.example",
      "\xff.\xfe", std::string("n\0l.com", 7)};
  static const std::string seps[] = {" ", "  ", "\t", "\n", "\"", "'", ",", ";", "|", "(", ")", "{", "}", "<", ">",
                                      "\\", "`", "", "/", "?", "=", "&", "#", "@", ":", "."};
  std::string b;
  int n = static_cast<int>(r() % 12);
  for (int i = 0; i < n; ++i) {
    b += pieces[r() % pieces.size()];
    b += seps[r() % (sizeof seps / sizeof seps[0])];
  }
  return b;
}

}  // namespace sluice::ioc::test_support
