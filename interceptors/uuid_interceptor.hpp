// Flume type: uuid (org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder)
// Keys: headerName (id), preserveExisting (true), prefix (""). A random (version 4) UUID per event,
// from a per-interceptor generator seeded from the OS.
#pragma once
#include <mutex>
#include <random>

#include "agent/context.hpp"
#include "agent/interceptor.hpp"

namespace sluice {

class UuidInterceptor : public Interceptor {
 public:
  UuidInterceptor(const std::string& name, Context& ctx);
  void intercept(Batch& batch) override;
  std::string next();

 private:
  std::string header_, prefix_;
  bool preserve_;
  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace sluice
