#include "sinks/backends/s3/credentials.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include "agent/log.hpp"
#include "sinks/backends/s3/http_transport.hpp"

namespace sluice::s3 {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// ISO 8601 "2026-11-24T12:00:00Z" as IMDS returns it.
std::chrono::system_clock::time_point parse_iso8601(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

std::string describe(const Credentials& c) {
  return c.access_key_id.substr(0, 4) + "…(" + c.source + ")";
}

std::optional<Credentials> credentials_from_environment() {
  Credentials c;
  c.access_key_id = env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  c.session_token = env("AWS_SESSION_TOKEN");
  c.source = "environment";
  if (c.access_key_id.empty() && c.secret_access_key.empty()) return std::nullopt;
  if (c.empty())
    throw CredentialsError("environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set");
  return c;
}

std::optional<Credentials> credentials_from_shared_file(const std::string& path, const std::string& profile) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  Credentials c;
  c.source = "profile " + profile + " in " + path;
  std::string line, section;
  bool found = false;
  int lineno = 0, id_line = 0;
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      auto close = line.find(']');
      section = trim(line.substr(1, close == std::string::npos ? std::string::npos : close - 1));
      // ~/.aws/config spells named profiles "profile NAME"; accept it in the credentials file too.
      if (section.starts_with("profile ")) section = trim(section.substr(8));
      continue;
    }
    if (section != profile) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    found = true;
    if (key == "aws_access_key_id") {
      c.access_key_id = value;
      id_line = lineno;
    } else if (key == "aws_secret_access_key") {
      c.secret_access_key = value;
    } else if (key == "aws_session_token") {
      c.session_token = value;
    }
  }
  if (!found) return std::nullopt;
  if (c.empty())
    throw CredentialsError(path + ":" + std::to_string(id_line) + ": profile [" + profile +
                           "] needs both aws_access_key_id and aws_secret_access_key");
  return c;
}

std::optional<Credentials> credentials_from_imds(const std::string& endpoint, std::chrono::milliseconds timeout) {
  TransportOptions topts;
  topts.timeout = timeout;
  topts.max_response_bytes = 64 * 1024;
  HttpTransport http(Endpoint::parse(endpoint), topts);
  std::string host = http.endpoint().host_header();
  try {
    auto tok = http.send({"PUT", "/latest/api/token",
                          {{"Host", host}, {"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}, {}});
    if (tok.status != 200) return std::nullopt;  // not on EC2, or IMDSv2 refused
    HeaderList auth{{"Host", host}, {"X-aws-ec2-metadata-token", tok.body}};
    auto roles = http.send({"GET", "/latest/meta-data/iam/security-credentials/", auth, {}});
    if (roles.status != 200) return std::nullopt;  // instance without a role
    std::string role = trim(roles.body.substr(0, roles.body.find('\n')));
    if (role.empty()) return std::nullopt;
    auto doc = http.send({"GET", "/latest/meta-data/iam/security-credentials/" + uri_encode(role, false), auth, {}});
    if (doc.status != 200)
      throw CredentialsError("IMDS: role " + role + " credentials: HTTP " + std::to_string(doc.status));
    boost::system::error_code ec;
    auto jv = boost::json::parse(doc.body, ec);
    if (ec || !jv.is_object()) throw CredentialsError("IMDS: role " + role + " credentials are not a JSON object");
    auto& o = jv.as_object();
    auto str = [&](const char* k) -> std::string {
      auto* v = o.if_contains(k);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    if (auto code = str("Code"); !code.empty() && code != "Success")
      throw CredentialsError("IMDS: role " + role + " credentials: Code " + code);
    Credentials c;
    c.access_key_id = str("AccessKeyId");
    c.secret_access_key = str("SecretAccessKey");
    c.session_token = str("Token");
    c.expiration = parse_iso8601(str("Expiration"));
    c.source = "imds role " + role;
    if (c.empty()) throw CredentialsError("IMDS: role " + role + " credentials lack AccessKeyId/SecretAccessKey");
    return c;
  } catch (const TransportError&) {
    return std::nullopt;  // no metadata service within the timeout: not on EC2
  }
}

Credentials CredentialsProvider::get() {
  std::lock_guard lock(mu_);
  auto now = std::chrono::system_clock::now();
  if (cached_ && (cached_->expiration == std::chrono::system_clock::time_point{} ||
                  cached_->expiration - now > std::chrono::minutes(5)))
    return *cached_;
  cached_ = resolve();
  return *cached_;
}

void CredentialsProvider::invalidate() {
  std::lock_guard lock(mu_);
  cached_.reset();
}

Credentials CredentialsProvider::resolve() {
  if (!cfg_.access_key_id.empty() || !cfg_.secret_access_key.empty()) {
    Credentials c{cfg_.access_key_id, cfg_.secret_access_key, cfg_.session_token, "config", {}};
    if (c.empty()) throw CredentialsError("config: accessKey and secretKey must both be set");
    return c;
  }
  if (auto c = credentials_from_environment()) return *c;
  std::string file = cfg_.credentials_file;
  if (file.empty()) file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty() && !env("HOME").empty()) file = env("HOME") + "/.aws/credentials";
  std::string profile = cfg_.profile.empty() ? env("AWS_PROFILE") : cfg_.profile;
  if (profile.empty()) profile = "default";
  if (!file.empty())
    if (auto c = credentials_from_shared_file(file, profile)) return *c;
  std::string tried = "config keys, environment, " + (file.empty() ? std::string("no credentials file") : file) +
                      " [" + profile + "]";
  std::string imds_disabled = env("AWS_EC2_METADATA_DISABLED");
  if (cfg_.use_imds && imds_disabled != "true" && imds_disabled != "TRUE") {
    std::string ep = cfg_.imds_endpoint;
    if (ep.empty()) ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (ep.empty()) ep = "http://169.254.169.254";
    if (auto c = credentials_from_imds(ep, cfg_.imds_timeout)) {
      SLUICE_LOG(Info, "s3") << "using instance-metadata credentials " << describe(*c);
      return *c;
    }
    tried += ", instance metadata at " + ep;
  }
  throw CredentialsError("no AWS credentials found (tried " + tried + ")");
}

}  // namespace sluice::s3
