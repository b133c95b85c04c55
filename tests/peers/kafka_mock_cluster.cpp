// A Kafka broker for tests: librdkafka's mock cluster (rdkafka_mock.h) on loopback, reachable by
// any client (sluice, kcat, kafka-python). Prints the bootstrap servers on one line, then runs until
// its standard input closes or it gets SIGTERM. Lines on standard input take a broker down or bring
// it back, for outage tests: "down <id>" / "up <id>" (ids from 1); each is answered "ok" on stdout.
// usage: kafka_mock_cluster [brokers] [topic:partitions ...]
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

static volatile sig_atomic_t stop_flag = 0;
static void on_term(int) { stop_flag = 1; }

int main(int argc, char** argv) {
  int brokers = argc > 1 ? std::atoi(argv[1]) : 1;
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "kafka_mock_cluster: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    std::fprintf(stderr, "kafka_mock_cluster: cannot create the mock cluster\n");
    return 1;
  }
  for (int i = 2; i < argc; ++i) {
    std::string spec = argv[i];
    auto colon = spec.find(':');
    int parts = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
    rd_kafka_mock_topic_create(mc, spec.substr(0, colon).c_str(), parts, 1);
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  std::fflush(stdout);
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  std::string line;
  while (!stop_flag) {
    pollfd p{0, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      char c;
      if (::read(0, &c, 1) <= 0) break;
      if (c != '\n') {
        line += c;
        continue;
      }
      int id = 0;
      if (std::sscanf(line.c_str(), "down %d", &id) == 1) rd_kafka_mock_broker_set_down(mc, id);
      else if (std::sscanf(line.c_str(), "up %d", &id) == 1) rd_kafka_mock_broker_set_up(mc, id);
      std::printf("%s\n", id ? "ok" : "unknown command");
      std::fflush(stdout);
      line.clear();
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
