#include "agent/pipeline.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "agent/log.hpp"
#include "agent/registry.hpp"

namespace sluice {
namespace {

template <typename Base>
std::string type_list(const std::vector<TypeEntry<Base>>& table) {
  std::string s;
  for (const auto& e : table) s += (s.empty() ? "" : ", ") + std::string(e.type);
  return s;
}

// Explains a type that is not of this kind: wrong kind, or a likely typo.
std::string unknown_type_message(Kind kind, const std::string& type) {
  std::string k(kind_name(kind));
  std::string msg = "'" + type + "' is not " + (k == "interceptor" ? "an " : "a ") + k + " type";
  auto other = [&](Kind k, bool found) {
    if (found && k != kind) msg += " (it is a " + std::string(kind_name(k)) + " type)";
  };
  other(Kind::Source, find_type(source_types(), type));
  other(Kind::Channel, find_type(channel_types(), type));
  other(Kind::Sink, find_type(sink_types(), type));
  other(Kind::Interceptor, find_type(interceptor_types(), type));
  std::string best, all;
  size_t best_d = 3;
  auto scan = [&](const auto& table) {
    for (const auto& e : table) {
      all += (all.empty() ? "" : ", ") + std::string(e.type);
      size_t d = edit_distance(type, e.type);
      if (d < best_d) {
        best_d = d;
        best = e.type;
      }
    }
  };
  switch (kind) {
    case Kind::Source: scan(source_types()); break;
    case Kind::Channel: scan(channel_types()); break;
    case Kind::Sink: scan(sink_types()); break;
    case Kind::Interceptor: scan(interceptor_types()); break;
  }
  if (!best.empty()) msg += "; did you mean '" + best + "'?";
  return msg + " (expected one of: " + all + ")";
}

// Builds one component of a kind from its Context; reports a missing or unknown type.
template <typename Base>
std::unique_ptr<Base> construct(Kind kind, const std::vector<TypeEntry<Base>>& table, const ComponentSpec& spec,
                                Context& ctx) {
  ctx.mark_read("type");
  if (spec.type.empty()) {
    ctx.error("type", std::string(spec.values.count("type") ? "is empty" : "is missing") + " (expected one of: " +
                          type_list(table) + ")");
    return nullptr;
  }
  const TypeEntry<Base>* entry = find_type(table, spec.type);
  if (!entry) {
    ctx.error("type", unknown_type_message(kind, spec.type));
    return nullptr;
  }
  try {
    return entry->make(spec.name, ctx);
  } catch (const std::exception& e) {
    ctx.error("type", std::string("could not be configured: ") + e.what());
    return nullptr;
  }
}

std::string label(Kind k, const ComponentSpec& s) {
  return std::string(kind_name(k)) + " " + s.name + (s.type.empty() ? "" : " (type " + s.type + ")");
}

}  // namespace

Pipeline::~Pipeline() = default;

Channel* Pipeline::channel(const std::string& name) const {
  for (const auto& c : channels_)
    if (c.spec.name == name) return c.channel.get();
  return nullptr;
}

std::unique_ptr<Pipeline> Pipeline::build(const AgentConfig& cfg, Diagnostics& diag, bool strict, Pipeline* running) {
  std::unique_ptr<Pipeline> p(new Pipeline);
  p->agent_ = cfg.agent;
  const std::string a = cfg.agent + ".";
  std::vector<Context> contexts;  // checked for unknown keys at the end

  // Channels.
  std::set<Channel*> reused_channels;
  for (const auto& spec : cfg.channels) {
    ChannelNode node{spec, nullptr, false};
    if (running) {
      for (auto& old : running->channels_) {
        if (old.spec.name == spec.name && old.spec.same_as(spec)) {
          node.channel = old.channel;
          node.running = old.running;
          reused_channels.insert(old.channel.get());
        }
      }
    }
    if (!node.channel) {
      Context ctx(label(Kind::Channel, spec), a + "channels." + spec.name + ".", spec.values, &diag, spec.where);
      node.channel = construct(Kind::Channel, channel_types(), spec, ctx);
      contexts.push_back(ctx);
    }
    if (node.channel) p->channels_.push_back(std::move(node));
  }

  // Sinks are built as part of their group; first decide group membership.
  std::map<std::string, std::string> group_of;  // sink -> group
  struct GroupPlan {
    std::string name;
    const ComponentSpec* spec;  // nullptr: implicit single-sink group
    std::vector<std::string> sinks;
  };
  std::vector<GroupPlan> plans;
  for (const auto& g : cfg.sinkgroups) {
    Context ctx(label(Kind::Sink, g).replace(0, 4, "sinkgroup"), a + "sinkgroups." + g.name + ".", g.values, &diag,
                g.where);
    auto members = ctx.get_list("sinks", "sinks in this group");
    if (members.empty()) ctx.error("sinks", "is required for sink group " + g.name + " (expected sink names)");
    GroupPlan plan{g.name, &g, {}};
    for (const auto& m : members) {
      if (!cfg.find_sink(m)) {
        ctx.error("sinks", "sink '" + m + "' is not defined in " + a + "sinks");
      } else if (group_of.count(m)) {
        ctx.error("sinks", "sink '" + m + "' is already in sink group '" + group_of[m] + "' (a sink belongs to one group)");
      } else {
        group_of[m] = g.name;
        plan.sinks.push_back(m);
      }
    }
    ctx.get_prefixed("processor.", "the group's sink processor (type, priority.<sink>, maxpenalty, backoff, selector)");
    contexts.push_back(ctx);
    plans.push_back(std::move(plan));
  }
  for (const auto& s : cfg.sinks)
    if (!group_of.count(s.name)) plans.push_back({s.name, nullptr, {s.name}});

  for (const auto& plan : plans) {
    GroupNode group;
    group.name = plan.name;
    if (plan.spec) group.specs.push_back(*plan.spec);
    for (const auto& m : plan.sinks) group.specs.push_back(*cfg.find_sink(m));
    group.sinks = plan.sinks;
    // Carry over a running group whose configuration and channels are unchanged.
    if (running) {
      for (auto& old : running->groups_) {
        if (old.name != group.name || old.specs.size() != group.specs.size()) continue;
        bool same = true;
        for (size_t i = 0; i < old.specs.size() && same; ++i) same = old.specs[i].same_as(group.specs[i]);
        for (const auto& sn : old.sinks) {
          for (const auto& s : running->sinks_)
            if (s.spec.name == sn && !reused_channels.count(s.sink->channel())) same = false;
        }
        if (!same) continue;
        group.runner = old.runner;
        group.running = old.running;
        for (const auto& s : running->sinks_)
          if (std::find(old.sinks.begin(), old.sinks.end(), s.spec.name) != old.sinks.end()) p->sinks_.push_back(s);
      }
    }
    if (group.runner) {
      p->groups_.push_back(std::move(group));
      continue;
    }
    std::vector<Sink*> members;
    bool ok = true;
    for (const auto& m : plan.sinks) {
      const ComponentSpec& spec = *cfg.find_sink(m);
      Context ctx(label(Kind::Sink, spec), a + "sinks." + spec.name + ".", spec.values, &diag, spec.where);
      std::string ch = ctx.require_string("channel", "the channel this sink takes from (one)");
      if (!ch.empty() && ch.find_first_of(" \t") != std::string::npos)
        ctx.error("channel", "a sink takes from exactly one channel (got '" + ch + "')");
      else if (!ch.empty() && !cfg.find_channel(ch))
        ctx.error("channel", "channel '" + ch + "' is not defined in " + a + "channels");
      std::shared_ptr<Sink> sink = construct(Kind::Sink, sink_types(), spec, ctx);
      contexts.push_back(ctx);
      if (!sink || !p->channel(ch)) {
        ok = false;
        continue;
      }
      sink->set_channel(p->channel(ch));
      members.push_back(sink.get());
      p->sinks_.push_back({spec, sink, ch});
    }
    if (!ok) continue;
    std::unique_ptr<SinkProcessor> processor;
    if (plan.spec) {
      Context gctx(std::string("sinkgroup ") + plan.name, a + "sinkgroups." + plan.name + ".", plan.spec->values, &diag,
                   plan.spec->where);
      processor = make_sink_processor(gctx.sub("processor."), members);
    } else {
      processor = make_default_processor(members[0]);
    }
    if (!processor) continue;
    group.runner = std::make_shared<SinkRunner>(plan.name, std::move(processor));
    p->groups_.push_back(std::move(group));
  }

  // Sources.
  for (const auto& spec : cfg.sources) {
    Context ctx(label(Kind::Source, spec), a + "sources." + spec.name + ".", spec.values, &diag, spec.where);
    auto names = ctx.get_list("channels", "channels this source puts into (space separated)");
    if (names.empty()) ctx.error("channels", "is required: a source needs at least one channel (sources take `channels`, sinks `channel`)");
    std::vector<Channel*> chans;
    for (const auto& n : names) {
      if (!cfg.find_channel(n)) ctx.error("channels", "channel '" + n + "' is not defined in " + a + "channels");
      else if (Channel* c = p->channel(n)) chans.push_back(c);
    }
    bool reuse_ok = running != nullptr;
    for (Channel* c : chans) reuse_ok &= reused_channels.count(c) > 0;
    if (reuse_ok) {
      bool reused = false;
      for (auto& old : running->sources_) {
        if (old.spec.name == spec.name && old.spec.same_as(spec)) {
          p->sources_.push_back(old);
          reused = true;
        }
      }
      if (reused) continue;
    }
    std::shared_ptr<Source> source = construct(Kind::Source, source_types(), spec, ctx);
    // Interceptors: <source>.interceptors = i1 i2, <source>.interceptors.i1.type = ...
    std::vector<std::unique_ptr<Interceptor>> interceptors;
    for (const auto& iname : ctx.get_list("interceptors", "interceptor names, applied in order")) {
      Context ictx = ctx.sub("interceptors." + iname + ".");
      ComponentSpec ispec;
      ispec.name = iname;
      ispec.type = ictx.get_string("type", "", "interceptor type");
      ispec.type.erase(0, ispec.type.find_first_not_of(" \t"));
      ispec.type.erase(ispec.type.find_last_not_of(" \t") + 1);
      if (ispec.values.empty() && !ctx.has("interceptors." + iname + ".type")) {
        ctx.error("interceptors", "interceptor '" + iname + "' has no type (expected interceptors." + iname + ".type)");
        continue;
      }
      if (auto i = construct(Kind::Interceptor, interceptor_types(), ispec, ictx)) interceptors.push_back(std::move(i));
    }
    auto selector = make_channel_selector(ctx.sub("selector."), chans, [&](const std::string& n) { return p->channel(n); });
    contexts.push_back(ctx);
    if (!source || !selector || chans.size() != names.size()) continue;
    auto processor = std::make_shared<ChannelProcessor>(spec.name, std::move(selector), std::move(interceptors));
    source->set_channel_processor(processor);
    p->sources_.push_back({spec, source, processor, names, false});
  }

  // Channels nobody uses are kept but reported (Flume drops them with a warning).
  for (const auto& c : p->channels_) {
    bool used = false;
    for (const auto& s : p->sinks_) used |= s.channel == c.spec.name;
    for (const auto& s : p->sources_)
      used |= std::find(s.channels.begin(), s.channels.end(), c.spec.name) != s.channels.end();
    if (!used)
      diag.warning(c.spec.where, a + "channels." + c.spec.name, "is not used by any source or sink");
  }

  for (auto& ctx : contexts) ctx.report_unread_keys();
  if (strict) diag.promote_warnings();
  if (diag.has_errors()) return nullptr;
  return p;
}

void Pipeline::start(MetricsRegistry& metrics) {
  for (auto& c : channels_) {
    metrics.add(c.channel->metrics());
    if (c.running) continue;
    c.channel->start();
    c.running = true;
  }
  for (auto& g : groups_) {
    for (auto& s : sinks_)
      if (std::find(g.sinks.begin(), g.sinks.end(), s.spec.name) != g.sinks.end()) metrics.add(s.sink->metrics());
    if (g.running) continue;
    try {
      g.runner->start();
    } catch (const std::exception& e) {
      throw std::runtime_error("sink group " + g.name + " failed to start: " + e.what());
    }
    g.running = true;
  }
  for (auto& s : sources_) {
    metrics.add(s.source->metrics());
    for (const auto& i : s.processor->interceptors())
      if (auto m = i->metrics()) metrics.add(m);
    if (s.running) continue;
    try {
      s.processor->start();
      s.source->start();
    } catch (const std::exception& e) {
      throw std::runtime_error("source " + s.spec.name + " failed to start: " + e.what());
    }
    s.running = true;
    SLUICE_LOG(Info, s.spec.name) << "source started (type " << s.spec.type << ")";
  }
}

bool Pipeline::has_source(const Source* source) const {
  return std::any_of(sources_.begin(), sources_.end(), [&](const SourceNode& n) { return n.source.get() == source; });
}

void Pipeline::refresh_interceptors(const Pipeline& before) {
  for (auto& s : sources_)
    if (s.running && before.has_source(s.source.get()))
      for (const auto& i : s.processor->interceptors()) i->refresh();
}

void Pipeline::retire(Pipeline& old, MetricsRegistry& metrics) {
  for (auto& s : old.sources_) {
    if (!s.running || has_source(s.source.get())) continue;
    s.source->stop();
    s.processor->stop();
    s.running = false;
    metrics.remove(s.source->metrics()->key());
  }
  for (auto& g : old.groups_) {
    bool keep = false;
    for (const auto& n : groups_) keep |= n.runner == g.runner;
    if (keep || !g.running) continue;
    g.runner->stop(std::chrono::milliseconds(0));
    g.running = false;
    for (auto& s : old.sinks_)
      if (std::find(g.sinks.begin(), g.sinks.end(), s.spec.name) != g.sinks.end()) metrics.remove(s.sink->metrics()->key());
  }
  for (auto& c : old.channels_) {
    bool keep = false;
    for (const auto& n : channels_) keep |= n.channel == c.channel;
    if (keep || !c.running) continue;
    if (size_t left = c.channel->size()) log_left(c, left, "removed or reconfigured by reload");
    c.channel->stop();
    c.running = false;
    metrics.remove(c.channel->metrics()->key());
  }
}

// A memory channel's events are gone when it stops; a durable channel's stay where they are and are
// taken after the next start, so saying they were "left" would send an operator looking for a loss.
void Pipeline::log_left(const ChannelNode& c, size_t left, const char* why) {
  if (c.channel->durable())
    SLUICE_LOG(Info, c.spec.name) << "channel " << why << " with " << left
                                  << " events not yet taken: they stay in its storage (durable) and are taken when it runs again";
  else
    SLUICE_LOG(Warn, c.spec.name) << "channel " << why << " with " << left
                                  << " events not yet taken: they are lost (the channel is not durable)";
}

void Pipeline::stop(std::chrono::milliseconds drain_timeout) {
  for (auto& s : sources_) {
    if (!s.running) continue;
    s.source->stop();
    s.processor->stop();
    s.running = false;
  }
  for (auto& g : groups_) {
    if (!g.running) continue;
    g.runner->stop(drain_timeout);
    g.running = false;
  }
  for (auto& c : channels_) {
    if (!c.running) continue;
    if (size_t left = c.channel->size()) log_left(c, left, "stopped");
    c.channel->stop();
    c.running = false;
  }
}

std::string Pipeline::describe() const {
  std::ostringstream out;
  out << "agent " << agent_ << "\n";
  for (const auto& s : sources_) {
    out << "  source " << s.spec.name << " (" << s.spec.type << ")";
    for (const auto& i : s.processor->interceptors()) out << " | " << i->name();
    out << " -> ";
    for (size_t i = 0; i < s.channels.size(); ++i) out << (i ? ", " : "") << s.channels[i];
    out << "\n";
  }
  for (const auto& c : channels_) out << "  channel " << c.spec.name << " (" << c.spec.type << ")\n";
  for (const auto& g : groups_) {
    bool explicit_group = g.specs.size() > g.sinks.size();
    if (explicit_group) out << "  sinkgroup " << g.name << ":\n";
    for (const auto& name : g.sinks)
      for (const auto& s : sinks_)
        if (s.spec.name == name)
          out << (explicit_group ? "    " : "  ") << "sink " << name << " (" << s.spec.type << ") <- " << s.channel << "\n";
  }
  return out.str();
}

}  // namespace sluice
