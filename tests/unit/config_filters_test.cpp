// Flume's configuration filters and ${ENV} substitution in values.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "agent/agent_config.hpp"
#include "agent/config_filters.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

std::string value_of(const std::vector<ConfigEntry>& es, const std::string& key) {
  for (const auto& e : es)
    if (e.key == key) return e.value;
  return "<missing>";
}

std::vector<ConfigEntry> filtered(const std::string& text, Diagnostics& d) {
  return apply_config_filters(parse_properties(text, "f.conf", d), "a1", d);
}

TEST(ConfigFilters, EnvFilterInAllThreeQuotings) {
  setenv("SLUICE_TEST_PW", "s3cret", 1);
  Diagnostics d;
  auto es = filtered(
      "a1.configfilters = f1\n"
      "a1.configfilters.f1.type = env\n"
      "a1.sources.r1.keystore-password = ${f1['SLUICE_TEST_PW']}\n"
      "a1.sources.r1.a = ${f1[\"SLUICE_TEST_PW\"]}\n"
      "a1.sources.r1.b = pre-${f1[SLUICE_TEST_PW]}-post\n",
      d);
  EXPECT_FALSE(d.has_errors()) << d.format();
  EXPECT_EQ(value_of(es, "a1.sources.r1.keystore-password"), "s3cret");
  EXPECT_EQ(value_of(es, "a1.sources.r1.a"), "s3cret");
  EXPECT_EQ(value_of(es, "a1.sources.r1.b"), "pre-s3cret-post");
  EXPECT_EQ(value_of(es, "a1.configfilters"), "<missing>");  // consumed, not left for the agent
  unsetenv("SLUICE_TEST_PW");
}

TEST(ConfigFilters, ExternalCommandGetsTheKey) {
  test::TempDir dir;
  std::string script = (dir.p / "secret.sh").string();
  std::ofstream(script) << "#!/bin/sh\n[ \"$1\" = db_password ] && echo \"pw-for-$1\" && exit 0\nexit 3\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  Diagnostics d;
  auto es = filtered("a1.configfilters = ext\na1.configfilters.ext.type = external\na1.configfilters.ext.command = " +
                         script + "\na1.sinks.k1.password = ${ext['db_password']}\na1.sinks.k1.other = ${ext['nope']}\n",
                     d);
  EXPECT_EQ(value_of(es, "a1.sinks.k1.password"), "pw-for-db_password");
  ASSERT_TRUE(d.has_errors());
  EXPECT_NE(d.format().find("exit status 3"), std::string::npos) << d.format();
  EXPECT_NE(d.format().find("a1.sinks.k1.other"), std::string::npos) << d.format();
}

TEST(ConfigFilters, FileFilterReadsCredentialDirectory) {
  test::TempDir dir;
  std::ofstream(dir.p / "s3_secret") << "AKIA-SECRET\n";
  Diagnostics d;
  auto es = filtered("a1.configfilters = creds\na1.configfilters.creds.type = file\na1.configfilters.creds.directory = " +
                         dir.p.string() + "\na1.sinks.k1.secretKey = ${creds['s3_secret']}\n"
                                          "a1.sinks.k1.x = ${creds['../etc/passwd']}\n",
                     d);
  EXPECT_EQ(value_of(es, "a1.sinks.k1.secretKey"), "AKIA-SECRET");
  // The directory may come from the environment (systemd's $CREDENTIALS_DIRECTORY).
  setenv("SLUICE_TEST_CREDS", dir.p.c_str(), 1);
  Diagnostics d2;
  auto es2 = filtered("a1.configfilters = c\na1.configfilters.c.type = file\n"
                      "a1.configfilters.c.directory = ${SLUICE_TEST_CREDS}\na1.sinks.k1.secretKey = ${c['s3_secret']}\n",
                      d2);
  EXPECT_FALSE(d2.has_errors()) << d2.format();
  EXPECT_EQ(value_of(es2, "a1.sinks.k1.secretKey"), "AKIA-SECRET");
  unsetenv("SLUICE_TEST_CREDS");
  EXPECT_NE(d.format().find("is not a file name"), std::string::npos) << d.format();
}

TEST(ConfigFilters, EnvironmentVariablesInValues) {
  setenv("SLUICE_TEST_PORT", "5140", 1);
  Diagnostics d;
  auto es = filtered("a1.sources.r1.port = ${SLUICE_TEST_PORT}\na1.sources.r1.q = ${SLUICE_SURELY_UNSET_VAR}\n"
                     "a1.sources.r1.regex = ^a{2}${x y}$\n",
                     d);
  EXPECT_EQ(value_of(es, "a1.sources.r1.port"), "5140");
  EXPECT_EQ(value_of(es, "a1.sources.r1.regex"), "^a{2}${x y}$");  // not a variable name: kept as written
  EXPECT_NE(d.format().find("environment variable 'SLUICE_SURELY_UNSET_VAR' is not set"), std::string::npos);
  EXPECT_EQ(d.error_count(), 1u) << d.format();
  unsetenv("SLUICE_TEST_PORT");
}

TEST(ConfigFilters, ErrorsNameTheKeyAndNeverTheSecret) {
  setenv("SLUICE_TEST_PW", "TOPSECRET", 1);
  Diagnostics d;
  filtered("a1.configfilters = f1 f2 f3\na1.configfilters.f1.type = hadoop\na1.configfilters.f2.type = external\n"
           "a1.configfilters.f3.type = env\na1.sources.r1.x = ${f9['k']}\na1.sources.r1.y = ${f3['SLUICE_TEST_PW']}\n",
           d);
  std::string msg = d.format();
  EXPECT_NE(msg.find("needs a JVM"), std::string::npos) << msg;
  EXPECT_NE(msg.find("a1.configfilters.f2.command"), std::string::npos) << msg;
  EXPECT_NE(msg.find("filter 'f9', which is not listed"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("TOPSECRET"), std::string::npos) << msg;
  unsetenv("SLUICE_TEST_PW");
}

TEST(ConfigFilters, ResolvedAgentSeesValuesAndNoStrayKeyWarning) {
  setenv("SLUICE_TEST_PW", "pw", 1);
  Diagnostics d;
  auto es = parse_properties(
      "a1.configfilters = f1\na1.configfilters.f1.type = env\na1.sources = r1\na1.sources.r1.type = seq\n"
      "a1.sources.r1.password = ${f1['SLUICE_TEST_PW']}\na1.sources.r1.channels = c1\na1.channels = c1\n"
      "a1.channels.c1.type = memory\n",
      "f.conf", d);
  auto cfg = resolve_agent(es, "a1", "f.conf", d);
  EXPECT_EQ(d.format().find("configfilters"), std::string::npos) << d.format();
  ASSERT_EQ(cfg.sources.size(), 1u);
  EXPECT_EQ(cfg.sources[0].values.at("password").value, "pw");
  unsetenv("SLUICE_TEST_PW");
}

}  // namespace
}  // namespace sluice
