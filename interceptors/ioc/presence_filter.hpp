// A blocked Bloom filter over 64-bit key hashes: "certainly absent" in one cache line, so the
// common case of the sweep (a candidate that is no indicator) never touches the hash tables.
// About 16 bits and 6 probe bits per key, all in one 64-byte block: ~0.1-0.3 % false "maybe".
// Grows by rebuilding from the caller's keys (IndicatorSet::add), never shrinks; read-only once
// built, so concurrent lookups need no lock.
#pragma once
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

namespace sluice::ioc {

// 64-bit hash of a byte string (8 bytes per multiply-fold step), seeded by the indicator type.
inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t hash_key(std::string_view s, uint64_t seed) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = fold_mul(seed ^ 0x9e3779b97f4a7c15ULL, n + 0xa0761d6478bd642fULL);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = fold_mul(h ^ w, 0xe7037ed1a0b428dbULL);
    p += 8;
    n -= 8;
  }
  // The last 1-7 bytes without a variable-length copy: the 8 bytes that end the string when it
  // has them (overlapping bytes already hashed), else two overlapping 4-byte or 1-3 byte reads.
  uint64_t w = 0;
  if (s.size() >= 8) {
    if (n > 0) std::memcpy(&w, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = uint64_t{a} << 32 | b;
  } else if (n > 0) {
    w = uint64_t{static_cast<unsigned char>(p[0])} << 16 | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
        static_cast<unsigned char>(p[n - 1]);
  }
  return fold_mul(h ^ w ^ 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL);
}

class PresenceFilter {
 public:
  bool may_contain(uint64_t h) const {
    if (!blocks_) return false;
    const Block& b = blocks_[block_of(h)];
    uint64_t bits = probe_bits(h);
    for (int i = 0; i < kProbes; ++i) {
      unsigned bit = probe(bits, i);
      if (!(b.w[bit >> 6] >> (bit & 63) & 1)) return false;
    }
    return true;
  }
  // Starts loading the block of h, so that several probes wait for memory at the same time.
  void prefetch(uint64_t h) const {
    if (blocks_) __builtin_prefetch(&blocks_[block_of(h)]);
  }
  void insert(uint64_t h) {
    Block& b = blocks_[block_of(h)];
    uint64_t bits = probe_bits(h);
    for (int i = 0; i < kProbes; ++i) {
      unsigned bit = probe(bits, i);
      b.w[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
  }
  // Room for `keys` keys at the target density; true if the caller must re-insert every key.
  bool reserve(size_t keys) {
    if (keys * kBitsPerKey <= count_ * 512) return false;
    size_t n = 1;
    while (n * 512 < keys * kBitsPerKey * 2) n <<= 1;  // doubling: rebuilds are amortised O(1)
    // Whole 2 MiB huge pages where the kernel gives them (THP "madvise" mode): the probes go to
    // random blocks of a filter of megabytes, and with 4 KiB pages most of them also missed the TLB.
    size_t bytes = n * sizeof(Block);
    size_t align = bytes >= kHugePage ? kHugePage : alignof(Block);
    void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
    if (!p) throw std::bad_alloc();
    if (align == kHugePage) ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint; fine if refused
    std::memset(p, 0, bytes);
    blocks_.reset(static_cast<Block*>(p));
    count_ = n;
    shift_ = 64 - __builtin_ctzll(n);
    return true;
  }
  size_t bytes() const { return count_ * sizeof(Block); }

 private:
  static constexpr int kProbes = 6;
  static constexpr size_t kHugePage = size_t{2} << 20;
  static constexpr size_t kBitsPerKey = 16;
  struct alignas(64) Block {
    uint64_t w[8];
  };
  size_t block_of(uint64_t h) const { return shift_ >= 64 ? 0 : static_cast<size_t>(h >> shift_); }
  // The block index takes the high bits of h; the probes take nine bits each of a remix of h, so
  // the two are independent at any size.
  static uint64_t probe_bits(uint64_t h) { return fold_mul(h, 0x2d358dccaa6c78a5ULL); }
  static unsigned probe(uint64_t bits, int i) { return static_cast<unsigned>(bits >> (9 * i)) & 511; }

  struct Free {
    void operator()(Block* b) const { std::free(b); }
  };
  std::unique_ptr<Block[], Free> blocks_;
  size_t count_ = 0;
  int shift_ = 64;
};

}  // namespace sluice::ioc
