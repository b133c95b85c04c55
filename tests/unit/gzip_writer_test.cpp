// CompressedStream (gzip) writer: members of mixed sizes, read back by GNU gzip (an independent
// decoder), ratio against one zlib stream, and what a crash between syncs leaves readable.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "sinks/backends/local_storage.hpp"
#include "sinks/roller/file_format.hpp"
#include "sinks/roller/serializer.hpp"
#include "test_support.hpp"

namespace sluice {
namespace {

using roller::FileType;

std::string gnu_gunzip(const std::string& path) {
  std::string cmd = "gzip -dc '" + path + "'", out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << "gzip -dc failed on " << path;
  return out;
}

// Proxy-log-like lines, compressible like the real thing.
std::vector<std::string> lines(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back("1764064800." + std::to_string(rng() % 1000) + " " + std::to_string(rng() % 900) + " 10." +
                  std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + ".7 TCP_MISS/200 " +
                  std::to_string(rng() % 90000) + " GET http://cdn" + std::to_string(rng() % 40) +
                  ".example.com/a/" + std::to_string(rng() % 100000) + ".js - HIER_DIRECT/93.184.216.34 text/html");
  return out;
}

struct Writer {
  test::TempDir dir;
  std::string path = (dir.p / "out.gz").string();
  storage::LocalStorage storage;
  std::unique_ptr<roller::FileWriter> w;
  std::string expected;
  Writer() {
    roller::FormatOptions o;
    o.type = FileType::CompressedStream;
    w = roller::make_file_writer(o, storage.create(path), roller::make_serializer("TEXT", test::make_context({})));
  }
  void add(const std::vector<std::string>& ls) {
    for (const auto& l : ls) {
      w->append(Event(l));
      expected += l + "\n";
    }
  }
};

TEST(GzipWriter, SmallAndLargeBatchesReadBackByGnuGzip) {
  Writer t;
  t.add(lines(10, 1));      // small batch: open zlib member
  t.w->sync();
  t.add(lines(5000, 2));    // ~700 KB: ends the zlib member, then a libdeflate member
  t.w->sync();
  t.add(lines(3, 3));       // small again: a new zlib member
  t.w->sync();
  t.add(lines(40000, 4));   // over 4 MiB without a sync: cut into members while appending
  t.w->close();
  EXPECT_EQ(gnu_gunzip(t.path), t.expected);
  std::string got;
  EXPECT_TRUE(roller::salvage_gzip(t.storage.read_all(t.path), got));
  EXPECT_EQ(got, t.expected);  // the recovery reader also reads every member
}

TEST(GzipWriter, LargeBatchesCompressAboutAsWellAsOneStream) {
  Writer t;
  for (int b = 0; b < 10; ++b) {
    t.add(lines(3000, 10 + b));  // ~420 KB per sync
    t.w->sync();
  }
  t.w->close();
  size_t ours = t.storage.read_all(t.path).size();
  size_t one_stream = roller::gzip_compress(t.expected, 6).size();
  EXPECT_EQ(gnu_gunzip(t.path), t.expected);
  EXPECT_LE(static_cast<double>(ours), one_stream * 1.02) << ours << " vs " << one_stream;
}

TEST(GzipWriter, EverythingSyncedIsReadableWithoutClose) {
  Writer t;
  t.add(lines(20, 5));
  t.w->sync();
  t.add(lines(4000, 6));
  t.w->sync();
  t.add(lines(7, 7));
  t.w->sync();
  // No close: the process died here. The last member has no trailer.
  std::string got;
  EXPECT_TRUE(roller::salvage_gzip(t.storage.read_all(t.path), got));
  EXPECT_EQ(got, t.expected);
  t.w.reset();
}

TEST(GzipWriter, EmptyFileIsValidGzip) {
  Writer t;
  t.w->close();
  EXPECT_EQ(gnu_gunzip(t.path), "");
}

}  // namespace
}  // namespace sluice
