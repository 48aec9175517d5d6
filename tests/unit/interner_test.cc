// The interner behind the stream's key and value tables must stay exact
// when hashes collide: random interning and releasing against a std::map,
// with a hash that collides always, one that collides often, and the real one.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "stream/interner.h"

namespace targeting::internal {
namespace {

std::uint64_t AllCollide(std::string_view) { return 42; }
std::uint64_t ByLength(std::string_view s) { return s.size() % 3; }

template <std::uint64_t (*kHash)(std::string_view)>
void RandomOps(std::uint64_t seed) {
  BasicInterner<kHash> in;
  struct Held {
    std::uint32_t id = 0;
    std::uint32_t refs = 0;
  };
  std::map<std::string, Held> ref;
  std::vector<std::string> pool;
  for (int i = 0; i < 300; ++i) {
    // Strings that share prefixes and lengths, the empty one included.
    pool.push_back(std::string(static_cast<std::size_t>(i % 37), static_cast<char>('a' + i % 5)) +
                   std::to_string(i / 5));
  }
  pool.push_back("");
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int step = 0; step < 20000; ++step) {
    const std::string& s = pool[next() % pool.size()];
    auto it = ref.find(s);
    if (next() % 3 != 0 || it == ref.end()) {
      const std::uint32_t found = in.Find(s, kHash(s));
      ASSERT_EQ(found == kNone, it == ref.end()) << s;
      const std::uint32_t id = in.Acquire(s, kHash(s), found);
      if (it == ref.end()) {
        it = ref.emplace(s, Held{id, 0}).first;
      } else {
        ASSERT_EQ(id, it->second.id);
      }
      ++it->second.refs;
    } else {
      in.Release(it->second.id);
      if (--it->second.refs == 0) ref.erase(it);
    }
    if (step % 500 == 0) {
      ASSERT_EQ(in.size(), ref.size());
      for (const std::string& p : pool) {
        const std::uint32_t id = in.Find(p, kHash(p));
        auto r = ref.find(p);
        ASSERT_EQ(id == kNone, r == ref.end()) << p;
        if (id != kNone) {
          ASSERT_EQ(id, r->second.id);
          ASSERT_TRUE(in.live(id));
          ASSERT_EQ(in.View(id), p);
        }
      }
    }
  }
  // Release everything: the interner is empty again and finds nothing.
  for (auto& [s, h] : ref) {
    for (std::uint32_t i = 0; i < h.refs; ++i) in.Release(h.id);
  }
  EXPECT_EQ(in.size(), 0u);
  for (const std::string& p : pool) EXPECT_EQ(in.Find(p, kHash(p)), kNone);
}

TEST(StreamInterner, ExactWhenEveryHashCollides) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) RandomOps<AllCollide>(seed);
}
TEST(StreamInterner, ExactWhenHashesCollideOften) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) RandomOps<ByLength>(seed);
}
TEST(StreamInterner, ExactWithTheStreamsHash) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) RandomOps<HashBytes>(seed);
}

// A lazy interner (the distinct values' tables) keeps strings whose count
// fell to 0 for a while: Find may still find them, under their old id and
// bytes, and acquiring them again works; once they outnumber half the held
// strings plus 64 they are all dropped. Payloads come zeroed and stay put.
template <std::uint64_t (*kHash)(std::string_view)>
void LazyOps(std::uint64_t seed) {
  BasicInterner<kHash> in(8, 8, /*lazy=*/true);
  std::map<std::string, std::uint32_t> refs;  // held strings and their counts
  std::vector<std::string> pool;
  for (int i = 0; i < 400; ++i) pool.push_back(std::string(static_cast<std::size_t>(i % 23), 'x') + std::to_string(i));
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::map<std::string, std::uint32_t> ids;
  std::map<std::string, std::uint64_t> marks;  // what each string's payload holds
  for (int step = 0; step < 30000; ++step) {
    const std::string& s = pool[next() % pool.size()];
    const std::uint32_t found = in.Find(s, kHash(s));
    auto it = refs.find(s);
    if (it != refs.end() && it->second > 0) {
      ASSERT_EQ(found, ids[s]) << s;  // a string in use is always found
    }
    if (found != kNone) {
      ASSERT_TRUE(in.live(found));
      ASSERT_EQ(in.View(found), s);
      ASSERT_EQ(*reinterpret_cast<const std::uint64_t*>(in.payload(found)), marks[s]);
    }
    if (next() % 2 == 0 || it == refs.end() || it->second == 0) {
      const std::uint32_t id = in.Acquire(s, kHash(s), found);
      if (found == kNone) {
        ASSERT_EQ(*reinterpret_cast<const std::uint64_t*>(in.payload(id)), 0u);
        marks[s] = static_cast<std::uint64_t>(step) + 1;
        *reinterpret_cast<std::uint64_t*>(in.payload(id)) = marks[s];
      }
      ids[s] = id;
      ++refs[s];
    } else {
      in.Release(ids[s]);
      --it->second;
    }
    std::size_t in_use = 0;
    for (auto& [k, n] : refs) in_use += n > 0;
    ASSERT_GE(in.size(), in_use);
    // idle <= size / 2 + 64 once a release has dropped them: size <= 2 in_use + 129.
    ASSERT_LE(in.size(), 2 * in_use + 129);
  }
}

TEST(StreamInterner, LazyKeepsAndDropsReleasedStrings) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) LazyOps<AllCollide>(seed);
  for (std::uint64_t seed = 1; seed <= 3; ++seed) LazyOps<HashBytes>(seed);
}

}  // namespace
}  // namespace targeting::internal
