// Local filesystem backend of the roller (plain paths and file:// URIs): write(2) + fsync(2);
// directories are fsync'ed after a rename so the new name survives a crash.
#pragma once
#include "sinks/backends/storage.hpp"

namespace sluice::storage {

class LocalStorage : public Storage {
 public:
  std::unique_ptr<OutputFile> create(const std::string& path) override;
  void rename(const std::string& from, const std::string& to) override;
  bool exists(const std::string& path) override;
  std::vector<std::string> list_files(const std::string& dir) override;
  std::string read_all(const std::string& path) override;
  void remove(const std::string& path) override;
};

}  // namespace sluice::storage
