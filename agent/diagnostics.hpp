// Diagnostics: every configuration problem found in one pass, reported together as
// "file:line: a1.sinks.k1.hdfs.rollCount: what is wrong (expected ...)".
#pragma once
#include <string>
#include <vector>

namespace sluice {

struct Location {
  std::string file;
  int line = 0;  // 0: whole file / unknown line
  std::string str() const;
};

struct Diagnostic {
  enum class Severity { Error, Warning } severity;
  Location where;
  std::string key;  // full key, e.g. a1.sinks.k1.hdfs.rollCount (may be empty)
  std::string message;
  std::string str() const;
};

class Diagnostics {
 public:
  void error(Location where, std::string key, std::string message);
  void warning(Location where, std::string key, std::string message);
  bool has_errors() const;
  size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  // Warnings become errors (--strict).
  void promote_warnings();
  // Sorted by file and line, errors and warnings interleaved, one per line.
  std::string format() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace sluice
