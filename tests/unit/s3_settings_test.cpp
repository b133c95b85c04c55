#include <gtest/gtest.h>

#include "sinks/backends/s3/s3_settings.hpp"
#include "test_support.hpp"

namespace sluice::s3 {
namespace {

TEST(S3Settings, DefaultsAndValues) {
  Diagnostics d;
  auto ctx = test::make_context({{"endpoint", "http://127.0.0.1:9000"},
                                 {"pathStyleAccess", "true"},
                                 {"partSize", "16777216"},
                                 {"serverSideEncryption", "aws:kms"},
                                 {"kmsKeyId", "alias/logs"},
                                 {"metadata.team", "ops"}},
                                &d);
  auto s = read_s3_settings(ctx, "/tmp/staging");
  EXPECT_EQ(s.client.endpoint, "http://127.0.0.1:9000");
  EXPECT_TRUE(s.client.path_style);
  EXPECT_EQ(s.client.region, "us-east-1");
  EXPECT_EQ(s.upload.part_size, 16777216u);
  EXPECT_EQ(s.upload.max_parallel_uploads, 4u);
  EXPECT_EQ(s.object.sse, "aws:kms");
  EXPECT_EQ(s.object.metadata["team"], "ops");
  EXPECT_EQ(s.staging_dir, "/tmp/staging");
  EXPECT_TRUE(s.credentials.use_imds);
  EXPECT_FALSE(d.has_errors());
}

TEST(S3Settings, BadValuesAreReportedWithTheKey) {
  Diagnostics d;
  auto ctx = test::make_context(
      {{"partSize", "1048576"}, {"accessKey", "AK"}, {"kmsKeyId", "k"}, {"endpoint", "ftp://x"}}, &d);
  read_s3_settings(ctx, "/tmp/s");
  EXPECT_TRUE(d.has_errors());
  std::string all = d.format();
  EXPECT_NE(all.find("partSize"), std::string::npos) << all;
  EXPECT_NE(all.find("secretKey"), std::string::npos) << all;
  EXPECT_NE(all.find("kmsKeyId"), std::string::npos) << all;
  EXPECT_NE(all.find("ftp://x"), std::string::npos) << all;
}

}  // namespace
}  // namespace sluice::s3
