// Splits a TCP byte stream into syslog messages: newline-delimited, or RFC 6587 octet counting
// ("LEN SP MSG"), decided by the connection's first byte (a digit means octet counting). Memory is
// bounded by eventSize: a longer message is handed over in eventSize pieces, the first marked
// incomplete and the rest parsed as messages of their own, as Flume's syslog sources do.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace sluice::syslog {

class Framer {
 public:
  // on_message(bytes, incomplete). on_error(reason) for framing errors (the stream goes on).
  using MessageFn = std::function<void(std::string_view, bool incomplete)>;
  using ErrorFn = std::function<void(const std::string&)>;
  Framer(size_t event_size, MessageFn on_message, ErrorFn on_error)
      : max_(event_size), on_message_(std::move(on_message)), on_error_(std::move(on_error)) {}
  void feed(std::string_view data);
  // End of stream: a trailing message without newline is delivered (a cut-off octet frame is
  // delivered as incomplete).
  void finish();
  bool octet_counting() const { return mode_ == Mode::Octet; }

 private:
  enum class Mode { Unknown, Line, Octet } mode_ = Mode::Unknown;
  enum class State { Count, Body } state_ = State::Count;
  void emit(bool incomplete);

  size_t max_;
  MessageFn on_message_;
  ErrorFn on_error_;
  std::string buf_;
  std::string count_;
  size_t remaining_ = 0;
};

}  // namespace sluice::syslog
