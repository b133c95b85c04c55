#include "sources/http_poll/line_cursor.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace sluice::http_poll {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

LineWindow new_lines(std::string_view body, const LineCursor& cursor) {
  LineWindow w;
  if (cursor.offset > 0) {
    bool continues = cursor.offset <= body.size() && sha256_hex(body.substr(0, cursor.offset)) == cursor.prefix_sha256;
    if (continues)
      w.begin = cursor.offset;
    else
      w.replaced = true;
  }
  size_t last_nl = body.rfind('\n');
  w.end = (last_nl == std::string_view::npos || last_nl + 1 < w.begin) ? w.begin : last_nl + 1;
  if (w.end == w.begin && !w.replaced) {
    w.next = cursor;
  } else {
    w.next.offset = w.end;
    w.next.prefix_sha256 = w.end == 0 ? "" : sha256_hex(body.substr(0, w.end));
  }
  return w;
}

}  // namespace sluice::http_poll
