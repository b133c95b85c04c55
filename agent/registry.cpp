#include "agent/registry.hpp"

#include <strings.h>

#include "channels/file_channel.hpp"
#include "channels/kafka_channel.hpp"
#include "channels/memory_channel.hpp"
#include "interceptors/host_interceptor.hpp"
#include "interceptors/ioc_sweeper.hpp"
#include "interceptors/parse_interceptor.hpp"
#include "interceptors/regex_extractor_interceptor.hpp"
#include "interceptors/regex_filter_interceptor.hpp"
#include "interceptors/static_interceptor.hpp"
#include "interceptors/timestamp_interceptor.hpp"
#include "interceptors/uuid_interceptor.hpp"
#include "sinks/avro_sink.hpp"
#include "sinks/file_roll_sink.hpp"
#include "sinks/hdfs_sink.hpp"
#include "sinks/kafka_sink.hpp"
#include "sinks/logger_sink.hpp"
#include "sinks/null_sink.hpp"
#include "sinks/s3_sink.hpp"
#include "sources/avro_source.hpp"
#include "sources/exec_source.hpp"
#include "sources/http_poll_source.hpp"
#include "sources/http_source.hpp"
#include "sources/kafka_source.hpp"
#include "sources/netcat_source.hpp"
#include "sources/seq_source.hpp"
#include "sources/spooldir_source.hpp"
#include "sources/stdin_source.hpp"
#include "sources/syslog_tcp_source.hpp"
#include "sources/syslog_udp_source.hpp"
#include "sources/taildir_source.hpp"

namespace sluice {

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::Source: return "source";
    case Kind::Channel: return "channel";
    case Kind::Sink: return "sink";
    case Kind::Interceptor: return "interceptor";
  }
  return "component";
}

// One line per component type. Keep each table sorted by type name.
const std::vector<TypeEntry<Source>>& source_types() {
  static const std::vector<TypeEntry<Source>> table = {
      {"TAILDIR", {"org.apache.flume.source.taildir.TaildirSource"}, "follows files by inode across rotation",
       &make_component<TaildirSource, Source>},
      {"avro", {"org.apache.flume.source.AvroSource"}, "Flume's Avro RPC (from avro sinks and avro-client)",
       &make_component<AvroSource, Source>},
      {"exec", {"org.apache.flume.source.ExecSource"}, "the output lines of a command",
       &make_component<ExecSource, Source>},
      {"http", {"org.apache.flume.source.http.HTTPSource"}, "HTTP POST of JSON events or blobs (Boost.Beast)",
       &make_component<HttpSource, Source>},
      {"http_poll", {}, "polls a URL on an interval (feeds, REST APIs)", &make_component<HttpPollSource, Source>},
      {"kafka", {"org.apache.flume.source.kafka.KafkaSource"}, "consumes Kafka topics (librdkafka)",
       &make_component<KafkaSource, Source>},
      {"multiport_syslogtcp", {"org.apache.flume.source.MultiportSyslogTCPSource"},
       "syslog over TCP on several ports", &make_component<MultiportSyslogTcpSource, Source>},
      {"netcat", {"org.apache.flume.source.NetcatSource"}, "lines over TCP, acknowledged with OK (testing)",
       &make_component<NetcatSource, Source>},
      {"seq", {"org.apache.flume.source.SequenceGeneratorSource"}, "generates the numbers 0, 1, 2, ... (testing)",
       &make_component<SeqSource, Source>},
      {"spooldir", {"org.apache.flume.source.SpoolDirectorySource"}, "ingests files dropped into a directory",
       &make_component<SpoolDirSource, Source>},
      {"stdin", {}, "lines from standard input", &make_component<StdinSource, Source>},
      {"syslogtcp", {"org.apache.flume.source.SyslogTcpSource"}, "syslog over TCP (RFC 3164/5424, octet counting)",
       &make_component<SyslogTcpSource, Source>},
      {"syslogudp", {"org.apache.flume.source.SyslogUDPSource"}, "syslog over UDP (RFC 3164/5424)",
       &make_component<SyslogUdpSource, Source>},
  };
  return table;
}

const std::vector<TypeEntry<Channel>>& channel_types() {
  static const std::vector<TypeEntry<Channel>> table = {
      {"file", {"org.apache.flume.channel.file.FileChannel"}, "durable: write-ahead log, fsync per commit",
       &make_component<FileChannel, Channel>},
      {"kafka", {"org.apache.flume.channel.kafka.KafkaChannel"}, "a Kafka topic as the channel (librdkafka)",
       &make_component<KafkaChannel, Channel>},
      {"memory", {"org.apache.flume.channel.MemoryChannel"}, "bounded in-memory queue (lost on crash)",
       &make_component<MemoryChannel, Channel>},
  };
  return table;
}

const std::vector<TypeEntry<Sink>>& sink_types() {
  static const std::vector<TypeEntry<Sink>> table = {
      {"avro", {"org.apache.flume.sink.AvroSink"}, "Flume's Avro RPC to an avro source (the next tier)",
       &make_component<AvroSink, Sink>},
      {"file_roll", {"org.apache.flume.sink.RollingFileSink"}, "files in a local directory, rolled on an interval",
       &make_component<FileRollSink, Sink>},
      {"hdfs", {"org.apache.flume.sink.hdfs.HDFSEventSink"}, "rolled, date-partitioned files (gzip, SequenceFile)",
       &make_component<HdfsSink, Sink>},
      {"kafka", {"org.apache.flume.sink.kafka.KafkaSink"}, "produces to a Kafka topic (librdkafka)",
       &make_component<KafkaSink, Sink>},
      {"logger", {"org.apache.flume.sink.LoggerSink"}, "logs events at INFO (debugging)",
       &make_component<LoggerSink, Sink>},
      {"null", {"org.apache.flume.sink.NullSink"}, "discards events (testing, benchmarks)",
       &make_component<NullSink, Sink>},
      {"s3", {}, "the hdfs roller writing S3 objects (multipart, staged, crash-safe)", &make_component<S3Sink, Sink>},
  };
  return table;
}

const std::vector<TypeEntry<Interceptor>>& interceptor_types() {
  static const std::vector<TypeEntry<Interceptor>> table = {
      {"host", {"org.apache.flume.interceptor.HostInterceptor$Builder"}, "adds the agent host's IP or name",
       &make_component<HostInterceptor, Interceptor>},
      {"ioc_sweeper", {}, "tags events matching threat-intelligence feeds (sluice)",
       &make_component<IocSweeper, Interceptor>},
      {"parse", {}, "parses log formats into typed fields; failures tagged, never dropped (sluice)",
       &make_component<ParseInterceptor, Interceptor>},
      {"regex_extractor", {"org.apache.flume.interceptor.RegexExtractorInterceptor$Builder"},
       "capture groups of a regex become headers", &make_component<RegexExtractorInterceptor, Interceptor>},
      {"regex_filter", {"org.apache.flume.interceptor.RegexFilteringInterceptor$Builder"},
       "keeps (or drops) events whose body matches", &make_component<RegexFilterInterceptor, Interceptor>},
      {"static", {"org.apache.flume.interceptor.StaticInterceptor$Builder"}, "adds a fixed header",
       &make_component<StaticInterceptor, Interceptor>},
      {"timestamp", {"org.apache.flume.interceptor.TimestampInterceptor$Builder"}, "adds the time in ms",
       &make_component<TimestampInterceptor, Interceptor>},
      {"uuid", {"org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder"}, "adds a random UUID",
       &make_component<UuidInterceptor, Interceptor>},
  };
  return table;
}

template <typename Base>
const TypeEntry<Base>* find_type(const std::vector<TypeEntry<Base>>& table, std::string_view type) {
  for (const auto& e : table) {
    if (e.type.size() == type.size() && strncasecmp(e.type.data(), type.data(), type.size()) == 0) return &e;
    for (auto alias : e.aliases)
      if (alias == type) return &e;
  }
  return nullptr;
}

template const TypeEntry<Source>* find_type(const std::vector<TypeEntry<Source>>&, std::string_view);
template const TypeEntry<Channel>* find_type(const std::vector<TypeEntry<Channel>>&, std::string_view);
template const TypeEntry<Sink>* find_type(const std::vector<TypeEntry<Sink>>&, std::string_view);
template const TypeEntry<Interceptor>* find_type(const std::vector<TypeEntry<Interceptor>>&, std::string_view);

}  // namespace sluice
