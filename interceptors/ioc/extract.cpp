#include "interceptors/ioc/extract.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "interceptors/ioc/shape_scan.hpp"
#include "interceptors/ioc/token.hpp"
#include "sources/syslog/syslog_parser.hpp"

namespace sluice::ioc {
namespace {

using namespace detail;

// Why the shape scan gives only end offsets and the token is found by hand: a token's start is
// where a separator precedes it, which Hyperscan cannot report without look-behind, and
// start-of-match tracking on unbounded repeats is costly. A token report is one past the token's
// end (at its separator), a hex run's report inside its token; widening to the token is cheap and
// visits every byte at most twice: offsets inside a token already classified are skipped. The
// shapes are necessary conditions, so the result is exactly the per-token classification of the
// whole body, minus the tokens that cannot hold a candidate.
// `ends` are the shape ends that fall in body (offsets relative to it, at most body.size() + 1: a
// token's separator may be the byte after the body, the '\n' that joins bodies).
void classify_tokens(std::string_view body, const size_t* ends, const size_t* ends_end, Candidates& out,
                     unsigned shapes = kAllShapes) {
  size_t done = 0;  // body[0, done) has been classified
  for (; ends != ends_end; ++ends) {
    if (*ends == 0) continue;
    size_t last = std::min(*ends, body.size()) - 1;  // the match's last byte
    if (last > 0 && is_sep(body[last])) --last;       // a token report is one past its token
    if (last < done || is_sep(body[last])) continue;
    // Out to the separators on both sides, taking the token's class on the way.
    // Backwards eight bytes per step (four pair lookups, one test) while none of them is a
    // separator, then a pair, then byte by byte (two at most) up to the separator: most of this
    // loop's time is in long URL tokens.
    size_t b = last + 1;
    const auto* p = reinterpret_cast<const unsigned char*>(body.data());
    unsigned any = 0;  // in a register: a TokenClass here would live in memory (token() takes its address)
    while (b >= done + 8) {
      uint64_t w = load64(p + b - 8);
      unsigned k = kPair[w & 0xffff] | kPair[(w >> 16) & 0xffff] | kPair[(w >> 32) & 0xffff] | kPair[w >> 48];
      if (k & kSepBit) break;
      any |= k;
      b -= 8;
    }
    for (unsigned k; b >= done + 2 && !((k = kPair[load16(p + b - 2)]) & kSepBit); b -= 2) any |= k;
    for (unsigned k; b > done && !((k = kToken[p[b - 1]]) & kSepBit); --b) any |= k;
    size_t e = last + 1;
    for (unsigned k; e < body.size() && !((k = kToken[p[e]]) & kSepBit); ++e) any |= k;
    TokenClass cls{static_cast<uint16_t>(any)};
    token(std::string_view(body.data() + b, e - b), out, &cls, shapes);
    done = e;
  }
}

// Every token of body classified: by the shape scan, or (kReference) one by one by the scalar code.
template <bool kReference = false>
void tokens(std::string_view body, Candidates& out) {
  if constexpr (kReference) {
    size_t i = 0, n = body.size();
    while (i < n) {
      while (i < n && is_sep(body[i])) ++i;
      size_t start = i;
      while (i < n && !is_sep(body[i])) ++i;
      if (i > start) token<true>(body.substr(start, i - start), out);
    }
  } else {
    scan_shapes(body, out.shape_ends);
    classify_tokens(body, out.shape_ends.data(), out.shape_ends.data() + out.shape_ends.size(), out);
  }
}

// The first n space-separated fields of s; returns how many there are (at most n).
template <size_t N>
size_t fields(std::string_view s, std::array<std::string_view, N>& f) {
  size_t count = 0, i = 0;
  while (i < s.size() && count < N) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) f[count++] = s.substr(b, i - b);
  }
  return count;
}

void source_key(std::string_view field, Candidates& out) {
  QuickClass q = classify_view(field, Type::Ipv4);
  if (q.kind == QuickClass::Normal) out.source_key.assign(q.value);
  else if (q.kind == QuickClass::NeedsCopy)
    if (auto c = classify(field, Type::Ipv4)) out.source_key = c->value;
}

}  // namespace

void Candidates::clear() {
  items.clear();
  source_key.clear();
  used_ = 0;
}

std::string_view Candidates::keep(std::string_view s) {
  if (used_ == kept_.size()) kept_.emplace_back();
  std::string& slot = kept_[used_++];
  slot.assign(s);
  return slot;
}

void add_token(std::string_view value, Candidates& out) { tokens(value, out); }

void extract_every_token(std::string_view body, Candidates& out) {
  out.clear();
  tokens<true>(body, out);
}

void extract_bodies(size_t n, const std::function<std::string_view(size_t)>& body,
                    const std::function<void(size_t, const Candidates&)>& each, std::span<Candidates> outs,
                    unsigned shapes) {
  // Joined by '\n', a separator no shape contains: no match spans two bodies, and each body is
  // classified exactly as if it had been scanned alone.
  thread_local std::string joined;
  thread_local std::vector<size_t> starts;
  joined.clear();
  starts.clear();
  for (size_t i = 0; i < n; ++i) {
    starts.push_back(joined.size());
    joined.append(body(i));
    joined.push_back('\n');
  }
  starts.push_back(joined.size());
  std::vector<size_t>& ends = outs[0].shape_ends;  // classify_tokens() leaves shape_ends alone
  scan_shapes(joined, ends, shapes);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    // A match with its last byte in body i ends in (starts[i], starts[i + 1]].
    size_t first = k;
    while (k < ends.size() && ends[k] <= starts[i + 1]) ends[k++] -= starts[i];
    Candidates& out = outs[i % outs.size()];
    out.clear();
    classify_tokens(body(i), ends.data() + first, ends.data() + k, out, shapes);
    each(i, out);
  }
}

template <bool kReference>
void extract_fields(std::string_view body, Mode mode, Candidates& out) {
  out.clear();
  if (mode == Mode::Syslog) {
    // The sender's host name is not an indicator of the event: sweep only what the message says.
    Event e = syslog::parse_message(body, false, syslog::KeepFields{}, 0);
    if (!e.headers.contains(syslog::kStatusHeader)) {
      tokens<kReference>(out.keep(e.body), out);
      return;
    }
  }
  if (mode == Mode::Squid) {
    // time elapsed client code/status bytes method URL user hierarchy/peer type
    std::array<std::string_view, 9> f;
    size_t n = fields(body, f);
    if (n >= 7) {
      source_key(f[2], out);
      token<kReference>(f[6], out);
      if (n >= 9) token<kReference>(f[8], out);
      return;
    }
  } else if (mode == Mode::Combined) {
    // client ident user [time] "METHOD url proto" status bytes "referer" "agent"
    std::array<std::string_view, 1> f;
    if (fields(body, f) == 1) {
      source_key(f[0], out);
      size_t q1 = body.find('"');
      size_t q2 = q1 == std::string_view::npos ? q1 : body.find('"', q1 + 1);
      if (q2 != std::string_view::npos) {
        std::array<std::string_view, 2> req;
        if (fields(body.substr(q1 + 1, q2 - q1 - 1), req) == 2) token<kReference>(req[1], out);
        size_t r1 = body.find('"', q2 + 1);
        size_t r2 = r1 == std::string_view::npos ? r1 : body.find('"', r1 + 1);
        if (r2 != std::string_view::npos) tokens<kReference>(body.substr(r1 + 1, r2 - r1 - 1), out);  // a referer may hold spaces
        return;
      }
    }
  }
  tokens<kReference>(body, out);  // body mode, or a line that does not fit the format
}

void extract(std::string_view body, Mode mode, Candidates& out) { extract_fields<false>(body, mode, out); }

void extract_reference(std::string_view body, Mode mode, Candidates& out) { extract_fields<true>(body, mode, out); }

}  // namespace sluice::ioc
