// MultipartWriter and staging against an in-memory fake S3 on 127.0.0.1: single PUT for small
// objects, parts + completion for big ones, discard of unflushed bytes, staging bound, abort on a
// non-retryable part failure, journal reading with a torn tail.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fake_http_server.hpp"
#include "sinks/backends/s3/multipart_upload.hpp"
#include "sinks/backends/s3/s3_storage.hpp"
#include "sinks/backends/s3/s3_store.hpp"
#include "test_support.hpp"

namespace sluice::s3 {
namespace {

using test::FakeHttpServer;
using Reply = FakeHttpServer::Reply;
constexpr uint64_t MiB = 1024 * 1024;

// Just enough of S3's multipart protocol to assemble objects.
struct FakeS3 {
  std::mutex mu;
  std::map<std::string, std::string> objects;
  std::map<int, std::string> parts;
  bool deny_parts = false;
  bool unavailable = false;  // every request answered 503
  int aborts = 0;
  int requests = 0;
  Reply handle(const FakeHttpServer::Request& r) {
    std::lock_guard l(mu);
    ++requests;
    if (unavailable) return {503, {}, "<Error><Code>SlowDown</Code><Message>busy</Message></Error>"};
    std::string path = r.target.substr(0, r.target.find('?'));
    std::string query = r.target.find('?') == std::string::npos ? "" : r.target.substr(r.target.find('?') + 1);
    if (r.method == "PUT" && query.empty()) {
      objects[path] = r.body;
      return {200, {{"ETag", "\"put\""}}, ""};
    }
    if (r.method == "POST" && query == "uploads")
      return {200, {}, "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>"};
    if (r.method == "PUT" && query.starts_with("partNumber=")) {
      if (deny_parts) return {403, {}, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>"};
      int n = std::stoi(query.substr(11));
      parts[n] = r.body;
      return {200, {{"ETag", "\"p" + std::to_string(n) + "\""}}, ""};
    }
    if (r.method == "POST" && query.starts_with("uploadId=")) {
      std::string all;
      for (auto& [n, b] : parts) all += b;
      objects[path] = all;
      parts.clear();
      return {200, {}, "<CompleteMultipartUploadResult/>"};
    }
    if (r.method == "HEAD") return {path == "/logs" ? 200 : 404, {}, ""};
    if (r.method == "DELETE") {
      ++aborts;
      parts.clear();
      return {204, {}, ""};
    }
    return {400, {}, "<Error><Code>NotImplemented</Code></Error>"};
  }
};

struct S3MultipartWriter : ::testing::Test {
  FakeS3 s3;
  FakeHttpServer server{[this](const FakeHttpServer::Request& r) { return s3.handle(r); }};
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("sluice-staging-" + std::to_string(::getpid()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                        .string();
  std::unique_ptr<S3Client> client;
  void SetUp() override {
    std::filesystem::remove_all(dir);
    S3Config cfg;
    cfg.endpoint = server.endpoint();
    cfg.path_style = true;
    cfg.max_attempts = 2;
    cfg.backoff_base = std::chrono::milliseconds(1);
    CredentialsConfig cc;
    cc.access_key_id = "AK";
    cc.secret_access_key = "SK";
    client = std::make_unique<S3Client>(cfg, std::make_shared<CredentialsProvider>(cc));
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  size_t staged_files() {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++n;
    return n;
  }
};

TEST_F(S3MultipartWriter, SmallObjectIsOnePutAndStagingIsEmptied) {
  StagingArea staging(dir, 64 * MiB);
  MultipartWriter w(*client, staging, "logs", "a/small.log", {}, {});
  w.open();
  w.append("line 1\n");
  w.flush();
  EXPECT_EQ(staged_files(), 2u);  // data + journal while open
  w.append("line 2\n");
  w.close();
  EXPECT_EQ(s3.objects["/logs/a/small.log"], "line 1\nline 2\n");
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(staged_files(), 0u);
  EXPECT_EQ(staging.used_bytes(), 0u);
}

TEST_F(S3MultipartWriter, BigObjectIsUploadedInPartsAndCompleted) {
  StagingArea staging(dir, 64 * MiB);
  MultipartOptions o;
  o.part_size = 5 * MiB;
  o.max_parallel_uploads = 2;
  MultipartWriter w(*client, staging, "logs", "big", {}, o);
  w.open();
  std::string expect;
  for (int i = 0; i < 13; ++i) {
    std::string chunk(MiB, static_cast<char>('a' + i));
    w.append(chunk);
    w.flush();
    expect += chunk;
  }
  EXPECT_LE(staging.used_bytes(), 13 * MiB);
  w.close();
  EXPECT_EQ(w.parts_completed(), 3);
  EXPECT_TRUE(s3.objects["/logs/big"] == expect);
  EXPECT_EQ(staging.used_bytes(), 0u);
}

TEST_F(S3MultipartWriter, DiscardUnflushedDropsOnlyBytesAfterTheLastFlush) {
  StagingArea staging(dir, 64 * MiB);
  MultipartWriter w(*client, staging, "logs", "k", {}, {});
  w.open();
  w.append("committed;");
  w.flush();
  w.append("rolled-back;");
  w.discard_unflushed();
  w.append("again;");
  w.close();
  EXPECT_EQ(s3.objects["/logs/k"], "committed;again;");
}

TEST_F(S3MultipartWriter, FullStagingIsAClearErrorAndTheWriterStaysUsable) {
  StagingArea staging(dir, 16);
  MultipartOptions o;
  o.staging_wait = std::chrono::milliseconds(20);
  MultipartWriter w(*client, staging, "logs", "k", {}, o);
  w.open();
  w.append("0123456789");
  try {
    w.append("0123456789");
    FAIL() << "expected StagingFullError";
  } catch (const StagingFullError& e) {
    EXPECT_NE(std::string(e.what()).find("staging full"), std::string::npos);
  }
  w.flush();
  w.close();
  EXPECT_EQ(s3.objects["/logs/k"], "0123456789");
}

TEST_F(S3MultipartWriter, NonRetryablePartFailureAbortsTheUpload) {
  s3.deny_parts = true;
  StagingArea staging(dir, 64 * MiB);
  MultipartOptions o;
  o.part_size = 5 * MiB;
  MultipartWriter w(*client, staging, "logs", "k", {}, o);
  w.open();
  w.append(std::string(6 * MiB, 'x'));
  w.flush();  // dispatches part 1 in the background
  try {
    w.close();
    FAIL() << "expected S3Error";
  } catch (const S3Error& e) {
    EXPECT_EQ(e.code(), "AccessDenied");
  }
  EXPECT_EQ(s3.aborts, 1);
  EXPECT_THROW(w.append("more"), S3Error);  // the writer stays failed
  EXPECT_EQ(s3.objects.count("/logs/k"), 0u);
}

TEST_F(S3MultipartWriter, RecoveryUploadsFlushedBytesOnlyAndLeavesLiveWritersAlone) {
  StagingArea staging(dir, 64 * MiB);
  MultipartOptions o;
  o.part_size = 5 * MiB;
  std::string flushed;
  {
    MultipartWriter dead(*client, staging, "logs", "dead", {}, o);
    dead.open();
    for (int i = 0; i < 12; ++i) {
      std::string chunk(MiB, static_cast<char>('a' + i));
      dead.append(chunk);
      dead.flush();
      flushed += chunk;
    }
    dead.append("never flushed");
  }  // dropped without close(): as after a failure; its staging files stay
  MultipartWriter live(*client, staging, "logs", "live", {}, o);
  live.open();
  live.append("live bytes");
  live.flush();
  auto report = recover_staged_uploads(*client, staging, o);
  EXPECT_EQ(report.completed, std::vector<std::string>{"dead"});
  EXPECT_TRUE(report.failed.empty());
  EXPECT_TRUE(s3.objects["/logs/dead"] == flushed);
  EXPECT_EQ(s3.objects.count("/logs/live"), 0u);
  live.close();
  EXPECT_EQ(s3.objects["/logs/live"], "live bytes");
  EXPECT_EQ(staged_files(), 0u);
}

TEST_F(S3MultipartWriter, BytesLeftForRecoveryKeepCountingAgainstTheStagingBound) {
  // During an outage writers fail and are dropped with their bytes staged for recovery: those bytes
  // must still count, or the sink would go on staging without bound instead of backing off.
  StagingArea staging(dir, 32);
  MultipartOptions o;
  o.staging_wait = std::chrono::milliseconds(20);
  {
    MultipartWriter dead(*client, staging, "logs", "dead", {}, o);
    dead.open();
    dead.append(std::string(20, 'd'));
    dead.flush();
  }  // dropped without close(), as after a failed upload
  EXPECT_EQ(staging.used_bytes(), 20u);
  MultipartWriter next(*client, staging, "logs", "next", {}, o);
  next.open();
  EXPECT_THROW(next.append(std::string(20, 'n')), StagingFullError);
  auto report = recover_staged_uploads(*client, staging, o);
  EXPECT_EQ(report.completed, std::vector<std::string>{"dead"});
  EXPECT_EQ(s3.objects["/logs/dead"], std::string(20, 'd'));
  EXPECT_EQ(staging.used_bytes(), 0u);  // recovered: the room is back
  next.append(std::string(20, 'n'));
  next.flush();
  next.close();
  EXPECT_EQ(s3.objects["/logs/next"], std::string(20, 'n'));
  EXPECT_EQ(staging.used_bytes(), 0u);
}

TEST_F(S3MultipartWriter, StoreStartChecksTheBucketAndRecoversTheLastRun) {
  auto settings = [&] {
    Diagnostics d;
    auto ctx = test::make_context({{"endpoint", server.endpoint()}, {"pathStyleAccess", "true"},
                                   {"accessKey", "AK"}, {"secretKey", "SK"}, {"stagingDir", dir},
                                   {"contentType", "text/plain"}},
                                  &d);
    auto s = read_s3_settings(ctx, "/unused");
    EXPECT_FALSE(d.has_errors()) << d.format();
    return s;
  };
  {
    S3Store first(settings());
    first.start("logs");
    auto w = first.open("logs", "run1/FlumeData.1");
    w->append("committed before the crash\n");
    w->flush();
  }  // process "dies": writer dropped without close
  EXPECT_EQ(s3.objects.count("/logs/run1/FlumeData.1"), 0u);
  S3Store second(settings());
  second.start("logs");
  EXPECT_EQ(s3.objects["/logs/run1/FlumeData.1"], "committed before the crash\n");
  EXPECT_EQ(staged_files(), 0u);
  S3Store third(settings());
  EXPECT_THROW(third.start("nope"), S3Error);
}

TEST_F(S3MultipartWriter, StagedObjectOfAFailedUploadIsFinishedWithoutWaitingForANewFile) {
  // An upload fails at close while S3 answers 503: the committed bytes stay staged. The sink may not
  // open another file for hours, so maintain() retries the recovery on a capped, doubling delay.
  Diagnostics d;
  auto ctx = test::make_context({{"endpoint", server.endpoint()}, {"pathStyleAccess", "true"}, {"accessKey", "AK"},
                                 {"secretKey", "SK"}, {"stagingDir", dir}, {"maxAttempts", "1"}},
                                &d);
  S3Storage storage(read_s3_settings(ctx, "/unused"));
  ASSERT_FALSE(d.has_errors()) << d.format();
  storage.start("logs");
  {
    auto f = storage.create("s3://logs/day/FlumeData.1");
    f->write("committed\n");
    f->sync();
    s3.unavailable = true;
    EXPECT_THROW(f->close(), storage::StorageError);
  }
  auto t0 = std::chrono::steady_clock::now();
  storage.maintain_at(t0);  // due at once, fails: next try 1 s later
  EXPECT_EQ(s3.objects.count("/logs/day/FlumeData.1"), 0u);
  s3.unavailable = false;
  int before = s3.requests;
  storage.maintain_at(t0 + std::chrono::milliseconds(500));
  EXPECT_EQ(s3.requests, before) << "retried before its delay";
  storage.maintain_at(t0 + std::chrono::milliseconds(1000));
  EXPECT_EQ(s3.objects["/logs/day/FlumeData.1"], "committed\n");
  EXPECT_EQ(staged_files(), 0u);
  before = s3.requests;
  storage.maintain_at(t0 + std::chrono::hours(1));  // nothing left to do: no request
  EXPECT_EQ(s3.requests, before);
}

TEST_F(S3MultipartWriter, RejectsPartsBelowFiveMiB) {
  StagingArea staging(dir, 64 * MiB);
  MultipartOptions o;
  o.part_size = MiB;
  EXPECT_THROW(MultipartWriter(*client, staging, "logs", "k", {}, o), std::invalid_argument);
}

TEST_F(S3MultipartWriter, JournalWithTornTailKeepsEarlierRecords) {
  StagingArea staging(dir, 64 * MiB);
  {
    Journal j(dir + "/x.journal");
    ObjectOptions oo;
    oo.content_encoding = "gzip";
    oo.metadata["m"] = "v";
    j.begin("logs", "dir/obj.gz", oo, 5 * MiB);
    j.upload("UP");
    j.part({1, "\"e1\""}, 5 * MiB);
    j.flushed(7 * MiB);
  }
  std::ofstream(dir + "/x.journal", std::ios::app) << "{\"op\":\"flushed\",\"le";  // crash mid-record
  auto s = read_journal(dir, "x");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->key, "dir/obj.gz");
  EXPECT_EQ(s->options.content_encoding, "gzip");
  EXPECT_EQ(s->options.metadata["m"], "v");
  EXPECT_EQ(s->upload_id, "UP");
  ASSERT_EQ(s->parts.size(), 1u);
  EXPECT_EQ(s->parts[0].etag, "\"e1\"");
  EXPECT_EQ(s->flushed, 7 * MiB);
  EXPECT_FALSE(s->completed);
  EXPECT_EQ(staging.staged_ids(), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace sluice::s3
