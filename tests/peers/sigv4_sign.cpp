// Test peer: signs one S3 request with sluice's SigV4 signer and prints the Authorization header
// (line 1) and the canonical request (after a blank line), so tests can compare with botocore.
// Usage: sigv4_sign --method PUT --host H --path /raw/path [--query name=value]... [--header 'N: v']...
//                   [--body-file F] [--unsigned] --date 20261124T101500Z [--region R] [--service S]
//                   --access-key AK --secret-key SK [--token T]
#include <fstream>
#include <iostream>
#include <sstream>

#include "sinks/backends/s3/sigv4.hpp"

using namespace sluice::s3;

int main(int argc, char** argv) {
  SigningRequest req;
  SigningParams params;
  Credentials creds;
  std::string host, body;
  bool unsigned_payload = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "sigv4_sign: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--method") req.method = next();
    else if (a == "--host") host = next();
    else if (a == "--path") req.path = next();
    else if (a == "--query") {
      std::string q = next();
      auto eq = q.find('=');
      req.query.emplace_back(q.substr(0, eq), eq == std::string::npos ? "" : q.substr(eq + 1));
    } else if (a == "--header") {
      std::string h = next();
      auto colon = h.find(':');
      std::string v = colon == std::string::npos ? "" : h.substr(colon + 1);
      req.headers.emplace_back(h.substr(0, colon), v);
    } else if (a == "--body-file") {
      std::ifstream in(next(), std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      body = s.str();
    } else if (a == "--unsigned") unsigned_payload = true;
    else if (a == "--date") params.amz_date = next();
    else if (a == "--region") params.region = next();
    else if (a == "--service") params.service = next();
    else if (a == "--access-key") creds.access_key_id = next();
    else if (a == "--secret-key") creds.secret_access_key = next();
    else if (a == "--token") creds.session_token = next();
    else {
      std::cerr << "sigv4_sign: unknown argument " << a << "\n";
      return 2;
    }
  }
  req.headers.emplace_back("host", host);
  req.payload_sha256 = unsigned_payload ? std::string(kUnsignedPayload) : sha256_hex(body);
  try {
    auto s = sign_v4(req, creds, params);
    std::cout << s.authorization << "\n\n" << s.canonical_request << "\n";
  } catch (const std::exception& e) {
    std::cerr << "sigv4_sign: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
