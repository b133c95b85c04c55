#include "sources/http_poll/request_auth.hpp"

#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sluice::http_poll {
namespace {

std::string strip(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::string read_secret(const std::string& file, const std::string& env, const char* what) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read the " + std::string(what) + " file " + file);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string s = strip(buf.str());
    if (s.empty()) throw std::runtime_error("the " + std::string(what) + " file " + file + " is empty");
    return s;
  }
  const char* v = std::getenv(env.c_str());
  std::string s = v ? strip(v) : std::string();
  if (s.empty()) throw std::runtime_error("environment variable " + env + " (the " + what + ") is not set or empty");
  return s;
}

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

std::string auth_settings_problem(const AuthSettings& a) {
  bool token = !a.token_file.empty() || !a.token_env.empty();
  bool password = !a.password_file.empty() || !a.password_env.empty();
  if (!a.token_file.empty() && !a.token_env.empty()) return "give auth.tokenFile or auth.tokenEnv, not both";
  if (!a.password_file.empty() && !a.password_env.empty())
    return "give auth.passwordFile or auth.passwordEnv, not both";
  if (token && (password || !a.user.empty())) return "a bearer token and basic auth (auth.user) exclude each other";
  if (password && a.user.empty()) return "basic auth needs auth.user with the password";
  if (!a.user.empty() && !password) return "basic auth needs auth.passwordFile or auth.passwordEnv";
  return "";
}

std::optional<std::string> authorization_value(const AuthSettings& a) {
  if (!a.token_file.empty() || !a.token_env.empty())
    return "Bearer " + read_secret(a.token_file, a.token_env, "bearer token");
  if (!a.user.empty())
    return "Basic " + base64(a.user + ":" + read_secret(a.password_file, a.password_env, "password"));
  return std::nullopt;
}

}  // namespace sluice::http_poll
