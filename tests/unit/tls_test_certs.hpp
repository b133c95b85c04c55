// Certificates made by the test itself with the openssl command: a CA, a server certificate for
// localhost / 127.0.0.1, a client certificate (both signed by the CA), a PKCS12 store of the server
// identity, and a file that looks like a Java keystore.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace sluice::test {

struct TestCerts {
  TempDir dir;
  std::string ca, server_cert, server_key, client_cert, client_key, server_p12, other_ca, jks;
  std::string elsewhere_cert, elsewhere_key;  // signed by the CA, but for the name elsewhere.example
  static constexpr const char* p12_password = "changeit";

  TestCerts() {
    const std::string d = dir.p.string();
    ca = d + "/ca.pem";
    server_cert = d + "/server.pem";
    server_key = d + "/server.key";
    client_cert = d + "/client.pem";
    client_key = d + "/client.key";
    server_p12 = d + "/server.p12";
    other_ca = d + "/other-ca.pem";
    jks = d + "/server.jks";
    elsewhere_cert = d + "/elsewhere.pem";
    elsewhere_key = d + "/elsewhere.key";
    std::ofstream(d + "/san.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    std::ofstream(d + "/elsewhere.cnf") << "subjectAltName=DNS:elsewhere.example\n";
    std::string q = " >/dev/null 2>&1";
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=sluice-test-ca -keyout " + d + "/ca.key -out " +
        ca + q);
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=other-ca -keyout " + d + "/other.key -out " +
        other_ca + q);
    for (auto [name, cn] : {std::pair{"server", "localhost"}, std::pair{"client", "sluice-client"},
                            std::pair{"elsewhere", "elsewhere.example"}}) {
      std::string n = d + "/" + name;
      std::string ext = std::string(name) == "elsewhere" ? "/elsewhere.cnf" : "/san.cnf";
      run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + std::string(cn) + " -keyout " + n + ".key -out " + n +
          ".csr" + q);
      run("openssl x509 -req -in " + n + ".csr -CA " + ca + " -CAkey " + d + "/ca.key -CAcreateserial -days 2 " +
          "-extfile " + d + ext + " -out " + n + ".pem" + q);
    }
    run("openssl pkcs12 -export -in " + server_cert + " -inkey " + server_key + " -certfile " + ca +
        " -passout pass:" + p12_password + " -out " + server_p12 + q);
    std::ofstream(jks, std::ios::binary) << std::string("\xFE\xED\xFE\xED\x00\x00\x00\x02", 8);
  }

 private:
  static void run(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }
};

}  // namespace sluice::test
