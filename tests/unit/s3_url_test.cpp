#include <gtest/gtest.h>

#include "sinks/backends/s3/s3_url.hpp"

namespace sluice::s3 {
namespace {

TEST(S3Url, SplitsBucketAndPrefix) {
  auto u = parse_s3_url("s3a://my-logs.prod/flume/%Y%m%d/%H");
  EXPECT_EQ(u.bucket, "my-logs.prod");
  EXPECT_EQ(u.key, "flume/%Y%m%d/%H");
  EXPECT_EQ(parse_s3_url("s3://bucket").key, "");
  EXPECT_EQ(parse_s3_url("s3://bucket//x/").key, "x/");
  EXPECT_TRUE(is_s3_url("s3n://b/x"));
  EXPECT_FALSE(is_s3_url("hdfs://nn/x"));
  EXPECT_FALSE(is_s3_url("/var/log"));
}

TEST(S3Url, RejectsBadBucketsClearly) {
  EXPECT_THROW(parse_s3_url("s3a:///prefix"), std::invalid_argument);
  EXPECT_THROW(parse_s3_url("s3://My_Bucket/x"), std::invalid_argument);
  EXPECT_THROW(parse_s3_url("hdfs://nn/x"), std::invalid_argument);
  try {
    parse_s3_url("s3://ab/x");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid S3 bucket name"), std::string::npos);
  }
}

TEST(S3Url, JoinsKeysWithOneSlash) {
  EXPECT_EQ(join_key("flume/20261124/", "/FlumeData.1.gz"), "flume/20261124/FlumeData.1.gz");
  EXPECT_EQ(join_key("", "FlumeData.1"), "FlumeData.1");
}

}  // namespace
}  // namespace sluice::s3
