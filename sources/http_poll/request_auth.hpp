// The Authorization header of an http_poll source: a bearer token (auth.tokenFile or
// auth.tokenEnv) or basic auth (auth.user with auth.passwordFile or auth.passwordEnv). The secret
// is read again for every poll, so a rotated token is picked up without a restart, and it never
// appears in an error message, a log line or the configuration report.
#pragma once
#include <optional>
#include <string>

namespace sluice::http_poll {

struct AuthSettings {
  std::string token_file, token_env;
  std::string user, password_file, password_env;
  bool empty() const {
    return token_file.empty() && token_env.empty() && user.empty() && password_file.empty() && password_env.empty();
  }
};

// The header value ("Bearer ..." / "Basic ..."), nullopt without auth. Trailing whitespace and
// newlines of a file are dropped. Throws std::runtime_error naming the file or variable (never
// its content) when it cannot be read or is empty.
std::optional<std::string> authorization_value(const AuthSettings& auth);

// Why the settings are inconsistent ("" if they are fine), e.g. both a token and a user.
std::string auth_settings_problem(const AuthSettings& auth);

}  // namespace sluice::http_poll
