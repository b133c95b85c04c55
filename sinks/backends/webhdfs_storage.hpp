// WebHDFS / HttpFS backend of the roller (what non-JVM clients use to write HDFS), selected by
// hdfs:// and webhdfs:// paths. Follows the WebHDFS REST API: CREATE / APPEND / OPEN in two steps
// (the namenode answers 307 with a datanode Location that receives the data), RENAME, DELETE,
// GETFILESTATUS, LISTSTATUS; errors are RemoteException JSON, shown with the HTTP status.
// A file is created when opened; each sync() appends what was written since, so a batch is durable
// in HDFS once the APPEND call returned. Idempotent calls are retried on 5xx and connection errors
// with capped backoff; a failed APPEND is retried only after GETFILESTATUS shows it did not land.
// HTTPS (swebhdfs://, or hdfs.webhdfs.https): TLS to the namenode and to the datanodes its redirects
// name (their https:// Locations), certificates verified against hdfs.webhdfs.caFile or the system
// CAs, with the host name checked.
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/backends/storage.hpp"

namespace sluice::storage {

struct WebHdfsOptions {
  std::string host;
  int port = 9870;
  std::string user;
  std::chrono::milliseconds timeout{30000};
  int retries = 3;
  bool https = false;
  std::shared_ptr<boost::asio::ssl::context> tls;  // set when https (or a redirect goes to https://)
};

// The JSON answers read, as pure functions (unit-tested and fuzzed; none throws on any body).
struct RemoteException {
  std::string exception;  // e.g. FileNotFoundException; "RemoteException" when absent
  std::string message;
};
// nullopt unless body is {"RemoteException": {...}}; non-string members are left empty.
std::optional<RemoteException> parse_remote_exception(std::string_view body);
// GETFILESTATUS: FileStatus.length, or nullopt when absent, not an integer or negative.
std::optional<int64_t> parse_file_length(std::string_view body);
struct DirEntry {
  std::string name;  // pathSuffix
  bool directory = false;
};
// LISTSTATUS: the entries; nullopt when body is not a FileStatuses document. Entries without a
// string pathSuffix, or whose pathSuffix is empty, ".", ".." or contains '/', are skipped.
std::optional<std::vector<DirEntry>> parse_list_status(std::string_view body);

class WebHdfsStorage : public Storage {
 public:
  explicit WebHdfsStorage(WebHdfsOptions o) : o_(std::move(o)) {}
  std::unique_ptr<OutputFile> create(const std::string& path) override;
  void rename(const std::string& from, const std::string& to) override;
  bool exists(const std::string& path) override;
  std::vector<std::string> list_files(const std::string& dir) override;
  std::string read_all(const std::string& path) override;
  void remove(const std::string& path) override;

  struct Response {
    int status = 0;
    std::string body, location;
  };
  // One WebHDFS operation (following the 307 for CREATE / APPEND / OPEN). Throws StorageError with
  // the RemoteException text on an error status; retries idempotent ones.
  Response call(const std::string& method, const std::string& path, const std::string& op,
                const std::string& params = "", const std::string& data = "", bool idempotent = true);
  int64_t length(const std::string& path);  // -1 if missing

 private:
  Response once(bool https, const std::string& method, const std::string& host, int port, const std::string& target,
                const std::string& data);
  WebHdfsOptions o_;
};

}  // namespace sluice::storage
