#include "interceptors/parse/format_factory.hpp"

#include "interceptors/parse/combined_parser.hpp"
#include "interceptors/parse/squid_parser.hpp"

namespace sluice::parse {

ParserMaker make_parser_maker(Context& ctx, const FormatLimits& limits, std::string& format_name) {
  (void)limits;
  if (!ctx.has("format")) ctx.error("format", "is required (expected squid or combined)");
  format_name = ctx.get_choice("format", "squid", {"squid", "combined"}, "log format of the body: squid or combined");
  if (format_name == "combined") return [] { return std::make_unique<CombinedParser>(); };
  return [] { return std::make_unique<SquidParser>(); };
}

}  // namespace sluice::parse
