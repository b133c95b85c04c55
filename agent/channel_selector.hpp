// Channel selectors: which channels an event must (required) or may (optional) go to.
// replicating: all of the source's channels (selector.optional lists best-effort ones);
// multiplexing: by a header value (selector.header, selector.mapping.<v>, selector.default, selector.optional.<v>).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/channel.hpp"
#include "agent/context.hpp"

namespace sluice {

class ChannelSelector {
 public:
  virtual ~ChannelSelector() = default;
  virtual const std::vector<Channel*>& required(const Event& e) const = 0;
  virtual const std::vector<Channel*>& optional(const Event& e) const = 0;
  // All channels this selector may deliver to.
  virtual std::vector<Channel*> all() const = 0;
};

// Resolves channel names for selector configuration.
using ChannelLookup = std::function<Channel*(const std::string& name)>;

// ctx: the source's "selector." sub-context; source_channels: the source's `channels` in order.
// Reports unknown types / channels to ctx's diagnostics and returns nullptr on error.
std::unique_ptr<ChannelSelector> make_channel_selector(Context ctx, const std::vector<Channel*>& source_channels,
                                                       const ChannelLookup& lookup);

}  // namespace sluice
