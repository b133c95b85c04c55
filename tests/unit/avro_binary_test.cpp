#include <gtest/gtest.h>

#include "agent/avro/flume_event.hpp"

namespace sluice::avro {
namespace {

std::string enc_long(int64_t v) {
  std::string s;
  Encoder(s).write_long(v);
  return s;
}

TEST(AvroBinary, ZigZagMatchesSpecExamples) {
  // Examples from the Avro specification's table of int/long encodings.
  EXPECT_EQ(enc_long(0), std::string("\x00", 1));
  EXPECT_EQ(enc_long(-1), "\x01");
  EXPECT_EQ(enc_long(1), "\x02");
  EXPECT_EQ(enc_long(-2), "\x03");
  EXPECT_EQ(enc_long(2), "\x04");
  EXPECT_EQ(enc_long(-64), "\x7f");
  EXPECT_EQ(enc_long(64), "\x80\x01");
}

TEST(AvroBinary, LongRoundTripsExtremes) {
  for (int64_t v : {INT64_MIN, INT64_MAX, int64_t{0}, int64_t{-123456789}, int64_t{1} << 40}) {
    std::string s = enc_long(v);
    Decoder d(s);
    EXPECT_EQ(d.read_long(), v);
    EXPECT_EQ(d.remaining(), 0u);
  }
}

TEST(AvroBinary, FlumeEventRoundTrip) {
  Event e;
  e.headers.set("host", "proxy1");
  e.headers.set("timestamp", "1700000000000");
  e.body = std::string("GET http://x/ \0binary", 21);
  Event back = decode_flume_event(encode_flume_event(e));
  EXPECT_EQ(back, e);
}

TEST(AvroBinary, FlumeEventExactBytes) {
  Event e;
  e.headers.set("a", "b");
  e.body = "hi";
  // map: count 1 (0x02), "a" (len 1 = 0x02), "b", end 0x00; bytes: len 2 (0x04) "hi"
  EXPECT_EQ(encode_flume_event(e), std::string("\x02\x02" "a" "\x02" "b" "\x00\x04" "hi", 9));
}

TEST(AvroBinary, RejectsHostileLengths) {
  std::string huge = enc_long(int64_t{1} << 40);  // bytes length far beyond the input
  Decoder d(huge);
  EXPECT_THROW(d.read_bytes(), DecodeError);
  std::string neg = enc_long(-5);
  Decoder d2(neg);
  EXPECT_THROW(d2.read_bytes(), DecodeError);
  std::string count = enc_long(1000000);  // map block count larger than the input
  EXPECT_THROW(decode_flume_event(count), DecodeError);
  EXPECT_THROW(decode_flume_event(std::string("\x80\x80", 2)), DecodeError);  // truncated varint
}

TEST(AvroBinary, TrailingBytesRejected) {
  std::string s = encode_flume_event(Event("x")) + "junk";
  EXPECT_THROW(decode_flume_event(s), DecodeError);
}

}  // namespace
}  // namespace sluice::avro
