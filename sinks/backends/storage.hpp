// Where the roller's files live, behind one small interface: the local filesystem here; WebHDFS
// and S3 implement the same calls. A file is written in order and made durable by sync(); sync()
// returning is what lets the sink commit its channel transaction.
#pragma once
#include "agent/event.hpp"
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::storage {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputFile {
 public:
  virtual ~OutputFile() = default;
  virtual void write(std::string_view data) = 0;
  // Everything written so far is durable when this returns (fsync, completed WebHDFS call, ...).
  virtual void sync() = 0;
  virtual void close() = 0;
  virtual uint64_t size() const = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  // Creates (truncating) a file and its parent directories.
  virtual std::unique_ptr<OutputFile> create(const std::string& path) = 0;
  // create() for a file opened by an event (the roller's case): backends that label objects from
  // event headers (S3 metadata) use them; the others ignore them.
  virtual std::unique_ptr<OutputFile> create_for(const std::string& path, const Headers& /*opening_event*/) {
    return create(path);
  }
  virtual void rename(const std::string& from, const std::string& to) = 0;
  virtual bool exists(const std::string& path) = 0;
  // Files below dir (recursively), for crash recovery; empty if dir does not exist.
  virtual std::vector<std::string> list_files(const std::string& dir) = 0;
  virtual std::string read_all(const std::string& path) = 0;
  virtual void remove(const std::string& path) = 0;
  // Background duties, called by the sink between batches and when idle (S3: retry finishing objects
  // a failed upload left in staging). Must return quickly when there is nothing due.
  virtual void maintain() {}
};

}  // namespace sluice::storage
