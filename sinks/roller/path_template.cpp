#include "sinks/roller/path_template.hpp"

#include <unistd.h>

#include <charconv>
#include <ctime>
#include <mutex>

#include "interceptors/host_interceptor.hpp"

namespace sluice::roller {
namespace {

constexpr const char* kTimeEscapes = "aAbBcdDeHIjklmMnpsStyYz";

// Converts epoch ms to broken-down time in the configured zone. TZ switching is process-wide in
// libc, so zones other than local are applied under a lock.
std::tm broken_down(int64_t ms, const std::string& zone) {
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  if (zone.empty()) {
    localtime_r(&secs, &tm);
  } else if (zone == "UTC" || zone == "GMT" || zone == "Etc/UTC") {
    gmtime_r(&secs, &tm);
  } else {
    static std::mutex mu;
    std::lock_guard l(mu);
    const char* old = getenv("TZ");
    std::string saved = old ? old : "";
    setenv("TZ", zone.c_str(), 1);
    tzset();
    localtime_r(&secs, &tm);
    if (old) setenv("TZ", saved.c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }
  return tm;
}

std::string fmt(const char* f, const std::tm& tm) {
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, f, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string sanitize_path_component(const std::string& v) {
  if (v == "." || v == "..") return "_";
  std::string out = v;
  for (auto& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) c = '_';
  }
  // ".." inside a component is harmless once '/' is gone, but keep the output unambiguous.
  for (size_t p; (p = out.find("..")) != std::string::npos;) out.replace(p, 2, "__");
  return out;
}

std::string host_value(const std::string& which) {
  static const std::string name = [] {
    char b[256] = {0};
    gethostname(b, sizeof b - 1);
    return std::string(b);
  }();
  static const std::string ip = HostInterceptor::local_host(true);
  static const std::string fqdn = HostInterceptor::local_host(false);
  if (which == "localhost") return name;
  if (which == "IP") return ip;
  return fqdn;
}

PathTemplate::PathTemplate(std::string pattern) : pattern_(std::move(pattern)) {
  std::string lit;
  auto flush = [&] {
    if (!lit.empty()) parts_.push_back({Part::Literal, lit});
    lit.clear();
  };
  for (size_t i = 0; i < pattern_.size(); ++i) {
    char c = pattern_[i];
    if (c != '%') {
      lit += c;
      continue;
    }
    if (i + 1 >= pattern_.size()) throw PathError("'%' at the end of '" + pattern_ + "' (expected an escape)");
    char n = pattern_[++i];
    if (n == '%') {
      lit += '%';
    } else if (n == '{' || n == '[') {
      char close = n == '{' ? '}' : ']';
      size_t end = pattern_.find(close, i);
      if (end == std::string::npos) throw PathError(std::string("unclosed %") + n + " in '" + pattern_ + "'");
      std::string name = pattern_.substr(i + 1, end - i - 1);
      if (n == '[' && name != "localhost" && name != "IP" && name != "FQDN")
        throw PathError("%[" + name + "] is not an escape (expected %[localhost], %[IP] or %[FQDN])");
      if (name.empty()) throw PathError("empty header name in %{} in '" + pattern_ + "'");
      flush();
      parts_.push_back({n == '{' ? Part::Header : Part::Host, name});
      i = end;
    } else if (std::string_view(kTimeEscapes).find(n) != std::string_view::npos) {
      flush();
      parts_.push_back({Part::Time, std::string(1, n)});
      needs_time_ = true;
    } else {
      throw PathError(std::string("%") + n + " is not an escape in '" + pattern_ +
                      "' (expected %{header}, %[localhost|IP|FQDN] or one of %" + kTimeEscapes + ")");
    }
  }
  flush();
  if (parts_.empty()) parts_.push_back({Part::Literal, ""});
  for (const auto& p : parts_)
    if (p.kind == Part::Header || (p.kind == Part::Time && p.text == "t")) per_second_ = false;
}

std::string PathTemplate::static_prefix() const {
  std::string lead = parts_[0].kind == Part::Literal ? parts_[0].text : "";
  if (parts_.size() == 1 && parts_[0].kind == Part::Literal) return lead;
  size_t slash = lead.rfind('/');
  return slash == std::string::npos ? "" : lead.substr(0, slash);
}

int64_t PathTemplate::event_time(const Event& e, const TimeOptions& t, int64_t now_ms) const {
  int64_t ts = 0;
  if (t.use_local_time) {
    ts = now_ms;
  } else {
    const std::string* h = e.headers.find("timestamp");
    if (!h) throw PathError("the event has no timestamp header, which the path needs (set hdfs.useLocalTimeStamp "
                            "= true or add a timestamp interceptor)");
    const char* end = h->data() + h->size();
    auto [ptr, ec] = std::from_chars(h->data(), end, ts);
    if (h->empty() || ec != std::errc() || ptr != end)
      throw PathError("timestamp header '" + *h + "' is not a number of milliseconds");
  }
  if (t.round) {
    int64_t unit = t.round_unit == TimeOptions::Unit::Second ? 1000 : t.round_unit == TimeOptions::Unit::Minute ? 60000 : 3600000;
    int64_t step = unit * t.round_value;
    ts -= ((ts % step) + step) % step;
  }
  return ts;
}

std::string PathTemplate::expand(const Event& e, const TimeOptions& t, int64_t now_ms) const {
  return render(e, t, needs_time_ ? event_time(e, t, now_ms) : 0);
}

void PathTemplate::expand_into(const Event& e, const TimeOptions& t, int64_t now_ms, std::string& out) const {
  if (!per_second_) {
    out = expand(e, t, now_ms);
    return;
  }
  int64_t ts = needs_time_ ? event_time(e, t, now_ms) : 0;
  int64_t second = ts >= 0 ? ts / 1000 : -((999 - ts) / 1000);
  if (cached_for_ != &t || second != cached_second_) {
    cached_ = render(e, t, ts);
    cached_for_ = &t;
    cached_second_ = second;
  }
  out = cached_;
}

std::string PathTemplate::render(const Event& e, const TimeOptions& t, int64_t ts) const {
  std::string out;
  std::tm tm{};
  if (needs_time_) tm = broken_down(ts, t.time_zone);
  for (const auto& p : parts_) {
    switch (p.kind) {
      case Part::Literal: out += p.text; break;
      case Part::Host: out += host_value(p.text); break;
      case Part::Header: {
        const std::string* v = e.headers.find(p.text);
        if (!v) throw PathError("the event has no '" + p.text + "' header, which the path needs");
        out += sanitize_path_component(*v);
        break;
      }
      case Part::Time:
        switch (p.text[0]) {
          case 't': out += std::to_string(ts); break;
          case 's': out += std::to_string(ts / 1000); break;
          case 'a': out += fmt("%a", tm); break;
          case 'A': out += fmt("%A", tm); break;
          case 'b': out += fmt("%b", tm); break;
          case 'B': out += fmt("%B", tm); break;
          case 'c': out += fmt("%a %b %e %H:%M:%S %Y", tm); break;
          case 'd': out += fmt("%d", tm); break;
          case 'e': out += std::to_string(tm.tm_mday); break;
          case 'D': out += fmt("%m/%d/%y", tm); break;
          case 'H': out += fmt("%H", tm); break;
          case 'I': out += fmt("%I", tm); break;
          case 'j': out += fmt("%j", tm); break;
          case 'k': out += std::to_string(tm.tm_hour); break;
          case 'l': out += std::to_string(tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12); break;
          case 'm': out += fmt("%m", tm); break;
          case 'n': out += std::to_string(tm.tm_mon + 1); break;
          case 'M': out += fmt("%M", tm); break;
          case 'p': out += fmt("%p", tm); break;
          case 'S': out += fmt("%S", tm); break;
          case 'y': out += fmt("%y", tm); break;
          case 'Y': out += fmt("%Y", tm); break;
          case 'z': out += fmt("%z", tm); break;
        }
        break;
    }
  }
  return out;
}

}  // namespace sluice::roller
