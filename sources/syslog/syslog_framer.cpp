#include "sources/syslog/syslog_framer.hpp"

namespace sluice::syslog {

void Framer::emit(bool incomplete) {
  on_message_(buf_, incomplete);
  buf_.clear();
}

void Framer::feed(std::string_view data) {
  for (size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (mode_ == Mode::Unknown) mode_ = (c >= '0' && c <= '9') ? Mode::Octet : Mode::Line;
    if (mode_ == Mode::Line) {
      if (c == '\n') {
        // Empty lines (repeated delimiters) are skipped, as in Flume.
        if (!buf_.empty()) emit(false);
        continue;
      }
      // Bulk-copy up to the next newline or the size cap.
      size_t nl = data.find('\n', i);
      size_t end = nl == std::string_view::npos ? data.size() : nl;
      size_t take = std::min(end - i, max_ - buf_.size());
      buf_.append(data.substr(i, take));
      i += take - 1;
      if (buf_.size() >= max_) {
        emit(true);
        }
      continue;
    }
    // Octet counting.
    if (state_ == State::Count) {
      if (c >= '0' && c <= '9' && count_.size() < 10) {
        count_.push_back(c);
        continue;
      }
      if (c == ' ' && !count_.empty()) {
        remaining_ = std::stoull(count_);
        count_.clear();
        state_ = State::Body;
        if (remaining_ == 0) on_error_("octet count 0 (empty frame) ignored");
        if (remaining_ == 0) state_ = State::Count;
        continue;
      }
      if (c == '\n' && count_.empty()) continue;  // tolerate a newline trailer after a frame
      on_error_("bad octet count '" + count_ + std::string(1, c) +
                "': expected digits and a space (RFC 6587); switching the connection to newline framing");
      mode_ = Mode::Line;
      buf_ = count_;
      count_.clear();
      --i;  // re-read this byte as line data
      continue;
    }
    size_t take = std::min({remaining_, data.size() - i, max_ - buf_.size()});
    buf_.append(data.substr(i, take));
    i += take - 1;
    remaining_ -= take;
    if (remaining_ == 0) {
      emit(false);
      state_ = State::Count;
    } else if (buf_.size() >= max_) {
      emit(true);
    }
  }
}

void Framer::finish() {
  if (mode_ == Mode::Octet && state_ == State::Body && !buf_.empty()) {
    on_error_("connection closed inside an octet-counted frame (" + std::to_string(remaining_) + " bytes missing)");
    emit(true);
  } else if (!buf_.empty()) {
    emit(false);
  }
  state_ = State::Count;
}

}  // namespace sluice::syslog
