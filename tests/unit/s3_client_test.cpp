// S3Client against a scripted fake server on 127.0.0.1: request shape (path-style target, signed
// headers, object options), retries on 5xx / SlowDown / resets / timeouts / clock skew, no retry on
// other 4xx, S3 error codes in messages, malformed XML, 200-with-<Error> on completion.
#include <gtest/gtest.h>

#include <atomic>

#include "fake_http_server.hpp"
#include "sinks/backends/s3/s3_client.hpp"

namespace sluice::s3 {
namespace {

using test::FakeHttpServer;
using Reply = FakeHttpServer::Reply;

std::shared_ptr<CredentialsProvider> creds() {
  CredentialsConfig c;
  c.access_key_id = "AKIDTEST";
  c.secret_access_key = "SECRETTEST";
  c.use_imds = false;
  return std::make_shared<CredentialsProvider>(c);
}

S3Client client_for(const FakeHttpServer& s, int attempts = 4) {
  S3Config cfg;
  cfg.endpoint = s.endpoint();
  cfg.path_style = true;
  cfg.max_attempts = attempts;
  cfg.backoff_base = std::chrono::milliseconds(1);
  cfg.backoff_max = std::chrono::milliseconds(5);
  cfg.transport.timeout = std::chrono::milliseconds(300);
  return S3Client(cfg, creds());
}

Reply error_doc(int status, const std::string& code, std::vector<std::pair<std::string, std::string>> h = {}) {
  return {status, std::move(h),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>msg for " + code +
              "</Message><RequestId>REQ1</RequestId></Error>"};
}

TEST(S3Client, PutObjectSendsSignedPathStyleRequestWithOptions) {
  FakeHttpServer s([](const auto&) { return Reply{200, {{"ETag", "\"abc\""}}, ""}; });
  auto c = client_for(s);
  ObjectOptions o;
  o.content_type = "application/gzip";
  o.content_encoding = "gzip";
  o.storage_class = "STANDARD_IA";
  o.acl = "bucket-owner-full-control";
  o.sse = "aws:kms";
  o.kms_key_id = "key-1";
  o.metadata["host"] = "web1";
  c.put_object("logs", "dir/a b+c.gz", "payload", o);
  auto r = s.requests().at(0);
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/logs/dir/a%20b%2Bc.gz");
  EXPECT_EQ(r.body, "payload");
  EXPECT_EQ(r.headers["x-amz-content-sha256"], sha256_hex("payload"));
  EXPECT_EQ(r.headers["content-encoding"], "gzip");
  EXPECT_EQ(r.headers["x-amz-storage-class"], "STANDARD_IA");
  EXPECT_EQ(r.headers["x-amz-acl"], "bucket-owner-full-control");
  EXPECT_EQ(r.headers["x-amz-server-side-encryption"], "aws:kms");
  EXPECT_EQ(r.headers["x-amz-server-side-encryption-aws-kms-key-id"], "key-1");
  EXPECT_EQ(r.headers["x-amz-meta-host"], "web1");
  EXPECT_NE(r.headers["authorization"].find("Credential=AKIDTEST/"), std::string::npos);
  EXPECT_NE(r.headers["authorization"].find("x-amz-meta-host"), std::string::npos);  // metadata is signed
}

TEST(S3Client, RetriesSlowDownAndServerErrorsThenSucceeds) {
  std::atomic<int> n{0};
  FakeHttpServer s([&](const auto&) {
    int i = n++;
    if (i == 0) return error_doc(503, "SlowDown");
    if (i == 1) return error_doc(500, "InternalError");
    return Reply{200, {{"ETag", "\"e1\""}}, ""};
  });
  auto c = client_for(s);
  EXPECT_EQ(c.upload_part("logs", "k", "UP1", 3, "x"), "\"e1\"");
  auto reqs = s.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].target, "/logs/k?partNumber=3&uploadId=UP1");
}

TEST(S3Client, AccessDeniedIsNotRetriedAndNamesTheCode) {
  FakeHttpServer s([](const auto&) { return error_doc(403, "AccessDenied"); });
  auto c = client_for(s);
  try {
    c.put_object("logs", "k", "x");
    FAIL() << "expected S3Error";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.code(), "AccessDenied");
    EXPECT_EQ(e.status(), 403);
    EXPECT_FALSE(e.retryable());
    std::string m = e.what();
    EXPECT_NE(m.find("s3://logs/k"), std::string::npos) << m;
    EXPECT_NE(m.find("REQ1"), std::string::npos) << m;
    EXPECT_EQ(m.find("SECRETTEST"), std::string::npos);
  }
  EXPECT_EQ(s.requests().size(), 1u);
}

TEST(S3Client, GivesUpAfterMaxAttemptsOnPersistentErrors) {
  FakeHttpServer s([](const auto&) { return error_doc(503, "SlowDown"); });
  auto c = client_for(s, 3);
  try {
    c.put_object("logs", "k", "x");
    FAIL();
  } catch (const S3Error& e) {
    EXPECT_TRUE(e.retryable());
    EXPECT_EQ(e.code(), "SlowDown");
  }
  EXPECT_EQ(s.requests().size(), 3u);
}

TEST(S3Client, ConnectionResetAndSilentServerAreRetried) {
  std::atomic<int> n{0};
  FakeHttpServer s([&](const auto&) {
    int i = n++;
    Reply r;
    if (i == 0) r.action = Reply::Close;  // reset mid-request
    if (i == 1) r.action = Reply::Hang;   // never answers: client timeout
    return r;
  });
  auto c = client_for(s);
  c.put_object("logs", "k", "x");
  EXPECT_EQ(s.requests().size(), 3u);
}

TEST(S3Client, NoServerAtAllFailsWithAClearError) {
  uint16_t port;
  {
    FakeHttpServer gone([](const auto&) { return Reply{}; });
    port = gone.port();
  }
  S3Config cfg;
  cfg.endpoint = "http://127.0.0.1:" + std::to_string(port);
  cfg.path_style = true;
  cfg.max_attempts = 2;
  cfg.backoff_base = std::chrono::milliseconds(1);
  S3Client c(cfg, creds());
  try {
    c.head_bucket("logs");
    FAIL();
  } catch (const S3Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  }
}

TEST(S3Client, ClockSkewShiftsTheSigningClockAndRetries) {
  std::atomic<int> n{0};
  FakeHttpServer s([&](const auto&) {
    if (n++ == 0) return error_doc(403, "RequestTimeTooSkewed", {{"Date", "Mon, 01 Jan 2035 00:00:00 GMT"}});
    return Reply{200, {}, ""};
  });
  auto c = client_for(s);
  c.put_object("logs", "k", "x");
  auto reqs = s.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_GT(c.clock_offset_seconds(), 0);
  // Signed with the server's clock (give or take the second the answer took).
  const std::string& d = reqs[1].headers["x-amz-date"];
  EXPECT_TRUE(d.starts_with("2035") || d.starts_with("20341231T2359")) << d;
}

TEST(S3Client, MultipartCallsAndErrorInsideA200) {
  std::atomic<int> completes{0};
  FakeHttpServer s([&](const FakeHttpServer::Request& r) -> Reply {
    if (r.method == "POST" && r.target.ends_with("?uploads"))
      return {200, {}, "<InitiateMultipartUploadResult><Bucket>logs</Bucket><Key>k</Key>"
                       "<UploadId>UP&amp;1</UploadId></InitiateMultipartUploadResult>"};
    if (r.method == "POST" && completes++ == 0) return error_doc(200, "InternalError");
    return {200, {}, "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"};
  });
  auto c = client_for(s);
  std::string id = c.create_multipart_upload("logs", "k");
  EXPECT_EQ(id, "UP&1");
  c.complete_multipart_upload("logs", "k", id, {{1, "\"a\""}, {2, "\"b\""}});
  auto reqs = s.requests();
  ASSERT_EQ(reqs.size(), 3u);  // the <Error> in a 200 was retried
  EXPECT_EQ(reqs[2].target, "/logs/k?uploadId=UP%261");
  EXPECT_NE(reqs[2].body.find("<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part>"),
            std::string::npos);
}

TEST(S3Client, MalformedXmlIsAClearError) {
  FakeHttpServer s([](const auto&) { return Reply{200, {}, "<InitiateMultipartUploadResult><UploadId>"}; });
  auto c = client_for(s);
  try {
    c.create_multipart_upload("logs", "k");
    FAIL();
  } catch (const S3XmlError& e) {
    EXPECT_NE(std::string(e.what()).find("malformed XML in CreateMultipartUpload"), std::string::npos) << e.what();
  }
}

TEST(S3Client, ListObjectsV2ParsesPages) {
  FakeHttpServer s([](const auto&) {
    return Reply{200, {},
                 "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken>"
                 "<Contents><Key>a/1</Key><Size>10</Size><ETag>\"e\"</ETag></Contents>"
                 "<Contents><Key>a/2 x</Key><Size>20</Size></Contents></ListBucketResult>"};
  });
  auto c = client_for(s);
  auto l = c.list_objects_v2("logs", "a/", "t1");
  ASSERT_EQ(l.objects.size(), 2u);
  EXPECT_EQ(l.objects[1].key, "a/2 x");
  EXPECT_EQ(l.objects[1].size, 20u);
  EXPECT_TRUE(l.truncated);
  EXPECT_EQ(l.next_continuation_token, "t2");
  EXPECT_EQ(s.requests()[0].target, "/logs?list-type=2&prefix=a%2F&continuation-token=t1");
}

TEST(S3Client, HeadBucketMissingIsNoSuchBucket) {
  FakeHttpServer s([](const auto&) { return Reply{404, {}, ""}; });
  auto c = client_for(s);
  try {
    c.head_bucket("nope");
    FAIL();
  } catch (const S3Error& e) {
    EXPECT_EQ(e.code(), "NoSuchBucket");
  }
}

TEST(S3Client, EndpointParsing) {
  auto ep = Endpoint::parse("https://s3.eu-west-1.amazonaws.com");
  EXPECT_TRUE(ep.tls);
  EXPECT_EQ(ep.port, "443");
  EXPECT_EQ(ep.host_header(), "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(Endpoint::parse("http://127.0.0.1:9000/").host_header(), "127.0.0.1:9000");
  EXPECT_THROW(Endpoint::parse("ftp://x"), std::invalid_argument);
  EXPECT_THROW(Endpoint::parse("http://x:abc"), std::invalid_argument);
  S3Config cfg;
  cfg.endpoint = "http://127.0.0.1:1";
  cfg.unsigned_payload = true;  // only allowed over https
  EXPECT_THROW(S3Client(cfg, creds()), std::invalid_argument);
}

}  // namespace
}  // namespace sluice::s3
