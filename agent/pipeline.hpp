// Pipeline: an agent's configuration compiled into components, validated as a whole before any of
// them starts. Start order channels -> sink runners -> sources; stop in reverse, letting sinks drain.
// On reload, a new Pipeline is built against the running one: channels whose configuration did not
// change are carried over with their events, and so are sources and sink groups whose own
// configuration and channels did not change; everything else is stopped and started anew.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent_config.hpp"
#include "agent/channel.hpp"
#include "agent/metrics.hpp"
#include "agent/sink_processor.hpp"
#include "agent/source.hpp"

namespace sluice {

class Pipeline {
 public:
  ~Pipeline();
  // Constructs every component (no I/O) and reports all problems to diag. With strict, unknown-key
  // warnings become errors. Returns nullptr when there are errors.
  static std::unique_ptr<Pipeline> build(const AgentConfig& cfg, Diagnostics& diag, bool strict,
                                         Pipeline* running = nullptr);

  // Starts what is not already running. Throws std::runtime_error naming the component that failed.
  void start(MetricsRegistry& metrics);
  // Stops sources, lets sinks drain their channels for up to drain_timeout, stops channels.
  void stop(std::chrono::milliseconds drain_timeout);
  // Stops the parts of `old` that this pipeline does not carry over (called before start() on reload).
  void retire(Pipeline& old, MetricsRegistry& metrics);
  // SIGHUP: Interceptor::refresh() on the interceptors of every running source that `before` also
  // ran (the sources a reload carried over; pass *this when the reload was refused).
  void refresh_interceptors(const Pipeline& before);

  // Human-readable graph: sources -> channels -> sinks.
  std::string describe() const;

 private:
  struct SourceNode {
    ComponentSpec spec;
    std::shared_ptr<Source> source;
    std::shared_ptr<ChannelProcessor> processor;
    std::vector<std::string> channels;
    bool running = false;
  };
  struct ChannelNode {
    ComponentSpec spec;
    std::shared_ptr<Channel> channel;
    bool running = false;
  };
  struct SinkNode {
    ComponentSpec spec;
    std::shared_ptr<Sink> sink;
    std::string channel;
  };
  struct GroupNode {
    std::string name;
    std::vector<ComponentSpec> specs;  // the group's own spec (if any) followed by its sinks' specs
    std::vector<std::string> sinks;
    std::shared_ptr<SinkRunner> runner;
    bool running = false;
  };
  // Says what becomes of a stopped channel's events: kept (durable channels) or lost.
  static void log_left(const ChannelNode& c, size_t left, const char* why);

  // True when this pipeline's sources include `source` (a reload carried it over).
  bool has_source(const Source* source) const;
  Channel* channel(const std::string& name) const;
  std::vector<ChannelNode> channels_;
  std::vector<SinkNode> sinks_;
  std::vector<GroupNode> groups_;
  std::vector<SourceNode> sources_;
  std::string agent_;
};

}  // namespace sluice
