#include "agent/config_filters.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace sluice {
namespace {

struct Filter {
  std::string type;
  std::map<std::string, std::string> keys;
  Location where;
};

std::string strip_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The filter's answer for key; false with a reason (never containing the answer).
bool ask(const std::string& name, const Filter& f, const std::string& key, std::string& out, std::string& why) {
  if (f.type == "env" || f.type == "org.apache.flume.configfilter.EnvironmentVariableConfigFilter") {
    const char* v = std::getenv(key.c_str());
    if (!v) why = "filter " + name + ": environment variable '" + key + "' is not set";
    else out = v;
    return v != nullptr;
  }
  if (f.type == "external" || f.type == "org.apache.flume.configfilter.ExternalProcessConfigFilter") {
    auto cmd = f.keys.find("command");
    FILE* p = popen((shell_quote(cmd->second) + " " + shell_quote(key)).c_str(), "r");
    if (!p) {
      why = "filter " + name + ": cannot run '" + cmd->second + "'";
      return false;
    }
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0 && text.size() < (1 << 20)) text.append(buf, n);
    int status = pclose(p);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      why = "filter " + name + ": '" + cmd->second + " " + key + "' failed (exit status " +
            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
      return false;
    }
    out = strip_newline(text.substr(0, text.find('\n')));
    return true;
  }
  if (f.type == "file") {
    std::string path = f.keys.at("directory") + "/" + key;
    if (key.find('/') != std::string::npos || key == ".." || key == ".") {
      why = "filter " + name + ": '" + key + "' is not a file name (expected a name inside directory)";
      return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      why = "filter " + name + ": cannot read '" + path + "'";
      return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    out = strip_newline(ss.str());
    return true;
  }
  why = "filter " + name + " has no usable type";
  return false;
}

bool valid_env_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// Replaces every ${...} in value; reports problems at the entry.
std::string resolve(const ConfigEntry& e, const std::map<std::string, Filter>& filters, Diagnostics& diag) {
  std::string out;
  const std::string& v = e.value;
  size_t i = 0;
  while (i < v.size()) {
    size_t start = v.find("${", i);
    size_t end = start == std::string::npos ? start : v.find('}', start + 2);
    if (end == std::string::npos) {
      out += v.substr(i);
      break;
    }
    out += v.substr(i, start - i);
    std::string inner = v.substr(start + 2, end - start - 2);
    i = end + 1;
    size_t br = inner.find('[');
    if (br != std::string::npos && inner.back() == ']') {
      std::string name = inner.substr(0, br), key = inner.substr(br + 1, inner.size() - br - 2);
      if (key.size() >= 2 && (key.front() == '\'' || key.front() == '"') && key.back() == key.front())
        key = key.substr(1, key.size() - 2);
      auto f = filters.find(name);
      if (f == filters.end()) {
        diag.error(e.where, e.key, "uses filter '" + name + "', which is not listed in configfilters");
        continue;
      }
      std::string answer, why;
      if (ask(name, f->second, key, answer, why)) out += answer;
      else diag.error(e.where, e.key, why);
    } else if (valid_env_name(inner)) {
      const char* env = std::getenv(inner.c_str());
      if (env) out += env;
      else diag.error(e.where, e.key, "environment variable '" + inner + "' is not set (${" + inner + "} is replaced by it)");
    } else {
      out += "${" + inner + "}";  // not ours: keep as written
    }
  }
  return out;
}

}  // namespace

std::vector<ConfigEntry> apply_config_filters(const std::vector<ConfigEntry>& entries, const std::string& agent,
                                              Diagnostics& diag) {
  const std::string list_key = agent + ".configfilters", prefix = list_key + ".";
  std::map<std::string, Filter> filters;
  std::vector<std::string> listed;
  Location list_where;
  for (const auto& e : entries) {
    if (e.key == list_key) {
      std::istringstream in(e.value);
      for (std::string n; in >> n;) listed.push_back(n);
      list_where = e.where;
    } else if (e.key.starts_with(prefix)) {
      std::string rest = e.key.substr(prefix.size());
      size_t dot = rest.find('.');
      if (dot == std::string::npos) {
        diag.error(e.where, e.key, "expected " + prefix + "<name>.<key>");
        continue;
      }
      Filter& f = filters[rest.substr(0, dot)];
      std::string k = rest.substr(dot + 1);
      if (k == "type") {
        f.type = e.value;
        f.where = e.where;
      } else {
        // ${NAME} works here too: e.g. directory = ${CREDENTIALS_DIRECTORY} (systemd's LoadCredential=).
        f.keys[k] = e.value.find("${") == std::string::npos ? e.value : resolve(e, {}, diag);
      }
    }
  }
  std::map<std::string, Filter> usable;
  for (const auto& name : listed) {
    auto it = filters.find(name);
    if (it == filters.end() || it->second.type.empty()) {
      diag.error(list_where, list_key, "lists '" + name + "' but " + prefix + name + ".type is not set (expected env, external or file)");
      continue;
    }
    Filter& f = it->second;
    const std::string type_key = prefix + name + ".type";
    if (f.type == "hadoop" || f.type == "org.apache.flume.configfilter.HadoopCredentialStoreConfigFilter") {
      diag.error(f.where, type_key, "the hadoop credential store needs a JVM and is not available in sluice (expected env, external or file)");
    } else if ((f.type == "external" || f.type == "org.apache.flume.configfilter.ExternalProcessConfigFilter") &&
               !f.keys.count("command")) {
      diag.error(f.where, prefix + name + ".command", "is required for an external filter (expected a command)");
    } else if (f.type == "file" && !f.keys.count("directory")) {
      diag.error(f.where, prefix + name + ".directory", "is required for a file filter (expected a directory)");
    } else if (f.type != "env" && f.type != "external" && f.type != "file" &&
               f.type != "org.apache.flume.configfilter.EnvironmentVariableConfigFilter" &&
               f.type != "org.apache.flume.configfilter.ExternalProcessConfigFilter") {
      diag.error(f.where, type_key, "'" + f.type + "' is not a filter type (expected env, external or file)");
    } else {
      for (const auto& [k, v] : f.keys)
        if (k != "command" && k != "directory" && k != "charset")
          diag.warning(f.where, prefix + name + "." + k, "is not a key of configuration filters");
      usable[name] = f;
    }
  }
  std::vector<ConfigEntry> out;
  out.reserve(entries.size());
  const std::string mine = agent + ".";
  for (const auto& e : entries) {
    if (e.key == list_key || e.key.starts_with(prefix)) continue;
    if (!e.key.starts_with(mine) || e.value.find("${") == std::string::npos) {
      out.push_back(e);
      continue;
    }
    ConfigEntry r = e;
    r.value = resolve(e, usable, diag);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sluice
