// Flume type: timestamp (org.apache.flume.interceptor.TimestampInterceptor$Builder)
// Keys: headerName (timestamp), preserveExisting (false). Sets the header to the current time in ms.
#pragma once
#include "agent/context.hpp"
#include "agent/interceptor.hpp"

namespace sluice {

class TimestampInterceptor : public Interceptor {
 public:
  TimestampInterceptor(const std::string& name, Context& ctx);
  void intercept(Batch& batch) override;
  bool only_sets_headers() const override { return true; }

 private:
  std::string header_;
  bool preserve_;
};

}  // namespace sluice
