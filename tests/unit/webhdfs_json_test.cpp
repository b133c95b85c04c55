// WebHDFS answers the backend reads (RemoteException, GETFILESTATUS, LISTSTATUS): well-formed
// ones as a namenode sends them, and malformed or hostile ones, which must never throw.
#include <gtest/gtest.h>

#include "sinks/backends/webhdfs_storage.hpp"

namespace sluice::storage {
namespace {

TEST(WebHdfsJson, RemoteException) {
  auto e = parse_remote_exception(
      R"({"RemoteException":{"exception":"FileNotFoundException","javaClassName":"java.io.FileNotFoundException",)"
      R"("message":"File does not exist: /a.tmp"}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->exception, "FileNotFoundException");
  EXPECT_EQ(e->message, "File does not exist: /a.tmp");
  // Wrong member types used to throw from the error path (boost's "not a string").
  e = parse_remote_exception(R"({"RemoteException":{"exception":7,"message":["x"]}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->exception, "RemoteException");
  EXPECT_EQ(e->message, "");
  EXPECT_FALSE(parse_remote_exception(R"({"RemoteException":"x"})"));
  EXPECT_FALSE(parse_remote_exception("<html>502 Bad Gateway</html>"));
  EXPECT_FALSE(parse_remote_exception(""));
}

TEST(WebHdfsJson, FileLength) {
  EXPECT_EQ(parse_file_length(R"({"FileStatus":{"length":24930,"type":"FILE","pathSuffix":""}})"), 24930);
  EXPECT_FALSE(parse_file_length(R"({"FileStatus":{"length":-1}})"));
  EXPECT_FALSE(parse_file_length(R"({"FileStatus":{"length":1.5}})"));
  EXPECT_FALSE(parse_file_length(R"({"FileStatus":{"length":"12"}})"));
  EXPECT_FALSE(parse_file_length(R"({"FileStatus":[]})"));
  EXPECT_FALSE(parse_file_length("{"));
}

TEST(WebHdfsJson, ListStatusSkipsNamesThatAreNotOneSegment) {
  auto l = parse_list_status(
      R"({"FileStatuses":{"FileStatus":[{"pathSuffix":"a.gz","type":"FILE","length":3},)"
      R"({"pathSuffix":"2025-11-23","type":"DIRECTORY"},{"pathSuffix":"","type":"DIRECTORY"},)"
      R"({"pathSuffix":"..","type":"DIRECTORY"},{"pathSuffix":"x/../../etc","type":"FILE"},{"type":"FILE"},7]}})");
  ASSERT_TRUE(l);
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].name, "a.gz");
  EXPECT_FALSE((*l)[0].directory);
  EXPECT_EQ((*l)[1].name, "2025-11-23");
  EXPECT_TRUE((*l)[1].directory);
  EXPECT_FALSE(parse_list_status(R"({"FileStatuses":{"FileStatus":{}}})"));
  EXPECT_FALSE(parse_list_status("null"));
}

}  // namespace
}  // namespace sluice::storage
