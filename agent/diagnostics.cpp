#include "agent/diagnostics.hpp"

#include <algorithm>

namespace sluice {

std::string Location::str() const {
  if (file.empty()) return "<config>";
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

std::string Diagnostic::str() const {
  std::string s = where.str() + ": ";
  if (severity == Severity::Warning) s += "warning: ";
  if (!key.empty()) s += key + ": ";
  return s + message;
}

void Diagnostics::error(Location where, std::string key, std::string message) {
  items_.push_back({Diagnostic::Severity::Error, std::move(where), std::move(key), std::move(message)});
}

void Diagnostics::warning(Location where, std::string key, std::string message) {
  items_.push_back({Diagnostic::Severity::Warning, std::move(where), std::move(key), std::move(message)});
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::Error; });
}

void Diagnostics::promote_warnings() {
  for (auto& d : items_) d.severity = Diagnostic::Severity::Error;
}

std::string Diagnostics::format() const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->where.file != b->where.file) return a->where.file < b->where.file;
    return a->where.line < b->where.line;
  });
  std::string out;
  for (const auto* d : sorted) out += d->str() + "\n";
  return out;
}

}  // namespace sluice
