#include "agent/channel_selector.hpp"

#include <strings.h>

#include <map>
#include <set>
#include <sstream>

namespace sluice {
namespace {

std::vector<Channel*> resolve(Context& ctx, const std::string& key, const std::vector<std::string>& names,
                              const ChannelLookup& lookup, const std::vector<Channel*>& source_channels) {
  std::vector<Channel*> out;
  for (const auto& n : names) {
    Channel* c = lookup(n);
    bool attached = false;
    for (Channel* sc : source_channels) attached |= (sc == c);
    if (!c) {
      ctx.error(key, "channel '" + n + "' is not defined (expected one of the source's channels)");
    } else if (!attached) {
      ctx.error(key, "channel '" + n + "' is not in the source's `channels` list");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class ReplicatingSelector : public ChannelSelector {
 public:
  ReplicatingSelector(Context& ctx, const std::vector<Channel*>& source_channels, const ChannelLookup& lookup) {
    auto optional_names = ctx.get_list("optional", "channels whose put failures are ignored");
    optional_ = resolve(ctx, "optional", optional_names, lookup, source_channels);
    std::set<Channel*> opt(optional_.begin(), optional_.end());
    for (Channel* c : source_channels)
      if (!opt.count(c)) required_.push_back(c);
  }
  const std::vector<Channel*>& required(const Event&) const override { return required_; }
  const std::vector<Channel*>& optional(const Event&) const override { return optional_; }
  std::vector<Channel*> all() const override {
    auto v = required_;
    v.insert(v.end(), optional_.begin(), optional_.end());
    return v;
  }

 private:
  std::vector<Channel*> required_, optional_;
};

// Flume's MultiplexingChannelSelector: mapping.<value> -> required channels, optional.<value> ->
// optional channels; an unmapped value goes to default (required). Flume also sends an event whose
// value has only optional channels to default.
class MultiplexingSelector : public ChannelSelector {
 public:
  MultiplexingSelector(Context& ctx, const std::vector<Channel*>& source_channels, const ChannelLookup& lookup) {
    header_ = ctx.get_string("header", "flume.selector.header", "header whose value picks the channels");
    default_ = resolve(ctx, "default", ctx.get_list("default", "channels for unmapped values"), lookup,
                       source_channels);
    for (auto& [value, names] : ctx.get_prefixed("mapping.", "mapping.<value> = channels for that header value")) {
      std::istringstream in(names);
      std::vector<std::string> list;
      for (std::string n; in >> n;) list.push_back(n);
      mapping_[value] = resolve(ctx, "mapping." + value, list, lookup, source_channels);
    }
    for (auto& [value, names] :
         ctx.get_prefixed("optional.", "optional.<value> = best-effort channels for that header value")) {
      std::istringstream in(names);
      std::vector<std::string> list;
      for (std::string n; in >> n;) list.push_back(n);
      optional_[value] = resolve(ctx, "optional." + value, list, lookup, source_channels);
    }
  }
  const std::vector<Channel*>& required(const Event& e) const override {
    const std::string* v = e.headers.find(header_);
    if (v) {
      auto it = mapping_.find(*v);
      if (it != mapping_.end() && !it->second.empty()) return it->second;
    }
    return default_;
  }
  const std::vector<Channel*>& optional(const Event& e) const override {
    const std::string* v = e.headers.find(header_);
    if (v) {
      auto it = optional_.find(*v);
      if (it != optional_.end()) return it->second;
    }
    return empty_;
  }
  std::vector<Channel*> all() const override {
    std::set<Channel*> s(default_.begin(), default_.end());
    for (auto& [k, v] : mapping_) s.insert(v.begin(), v.end());
    for (auto& [k, v] : optional_) s.insert(v.begin(), v.end());
    return {s.begin(), s.end()};
  }

 private:
  std::string header_;
  std::vector<Channel*> default_, empty_;
  std::map<std::string, std::vector<Channel*>> mapping_, optional_;
};

}  // namespace

std::unique_ptr<ChannelSelector> make_channel_selector(Context ctx, const std::vector<Channel*>& source_channels,
                                                       const ChannelLookup& lookup) {
  std::string type = "replicating";
  if (auto raw = ctx.get_optional("type", "replicating | multiplexing (or Flume's selector class name)")) {
    if (strcasecmp(raw->c_str(), "multiplexing") == 0 ||
        *raw == "org.apache.flume.channel.MultiplexingChannelSelector") {
      type = "multiplexing";
    } else if (strcasecmp(raw->c_str(), "replicating") != 0 &&
               *raw != "org.apache.flume.channel.ReplicatingChannelSelector") {
      ctx.error("type", "'" + *raw + "' is not a channel selector (expected replicating or multiplexing)");
      return nullptr;
    }
  }
  if (type == "multiplexing") return std::make_unique<MultiplexingSelector>(ctx, source_channels, lookup);
  return std::make_unique<ReplicatingSelector>(ctx, source_channels, lookup);
}

}  // namespace sluice
