// Flume type: s3 (sluice). The hdfs sink's roller writing to S3, with the same keys without the
// "hdfs." prefix (path = s3://bucket/prefix/%Y%m%d, filePrefix, fileSuffix, rollInterval, rollSize,
// rollCount, idleTimeout, batchSize, codeC, fileType, ...) and the S3 keys of
// backends/s3/s3_settings.hpp at the top level (region, endpoint, pathStyleAccess, partSize,
// stagingDir, serverSideEncryption, ...). Guarantee: a batch is committed only after its bytes are
// fsync'ed in local staging; a crash loses nothing committed (staging is uploaded on restart).
#pragma once
#include "sinks/hdfs_sink.hpp"

namespace sluice {

class S3Sink : public HdfsSink {
 public:
  S3Sink(const std::string& name, Context& ctx) : HdfsSink(name, ctx, "") {
    if (!writes_to_s3()) ctx.error("path", "sink type s3 needs an s3://bucket/... or s3a://bucket/... path");
  }
};

}  // namespace sluice
