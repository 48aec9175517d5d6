#include "plan/fingerprint.h"

#include <openssl/evp.h>

#include "load/normalize.h"

namespace targeting::internal {

namespace {

void AppendField(std::string_view tag, std::string_view value, std::string* out) {
  out->append(tag);
  out->push_back('=');
  out->append(std::to_string(value.size()));
  out->push_back(':');
  out->append(value);
  out->push_back(';');
}

void AppendCondition(const RuleSetData& d, int node, std::string* out) {
  const Node& n = d.nodes[static_cast<std::size_t>(node)];
  switch (n.kind) {
    case Node::Kind::kLeaf:
      AppendField("p", PredicateCanonicalKey(d, d.predicates[static_cast<std::size_t>(n.pred)]), out);
      return;
    case Node::Kind::kAll: out->append("all("); break;
    case Node::Kind::kAny: out->append("any("); break;
    case Node::Kind::kNot: out->append("not("); break;
    case Node::Kind::kAtLeast: out->append("atleast" + std::to_string(n.at_least) + "("); break;
  }
  for (std::uint32_t i = 0; i < n.child_count; ++i) {
    AppendCondition(d, static_cast<int>(d.children[n.first_child + i]), out);
  }
  out->push_back(')');
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

std::string Sha256::Hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  return h.Hex();
}

namespace {

// Writes the canonical text of `data` to `out`, calling `flush` whenever it
// holds more than 64 KiB (and leaving the rest for the caller), so that the
// fingerprint of a large set is taken without holding its whole text.
template <class Flush>
void WriteCanonical(const RuleSetData& data, std::string* out, Flush flush) {
  std::string& c = *out;
  c += "targeting-ruleset/1\n";
  c += data.schema.Canonical();
  c += '\n';
  const RuleSetConfig& cfg = data.config;
  c += "config{";
  AppendField("red", FormatNumber(cfg.red), &c);
  AppendField("yellow", FormatNumber(cfg.yellow), &c);
  AppendField("rate", FormatNumber(cfg.sampling_rate), &c);
  AppendField("salt", cfg.salt, &c);
  for (const std::string& p : cfg.priorities) AppendField("priority", p, &c);
  const PromotionCriteria& pr = cfg.promotion;
  AppendField("min_examined", std::to_string(pr.min_examined), &c);
  AppendField("min_discrepancy_rate", FormatNumber(pr.min_discrepancy_rate), &c);
  AppendField("confidence", FormatNumber(pr.confidence), &c);
  AppendField("min_ports", std::to_string(pr.min_ports), &c);
  AppendField("min_new_discrepant", std::to_string(pr.min_new_discrepant), &c);
  if (cfg.scorecard.given) {
    // Only when written: rule sets without it keep the fingerprints they had.
    const ScorecardCriteria& sc = cfg.scorecard;
    AppendField("scorecard_by", sc.by, &c);
    AppendField("scorecard_idle_periods", std::to_string(sc.idle_periods), &c);
    AppendField("scorecard_redundant_jaccard", FormatNumber(sc.redundant_jaccard), &c);
    AppendField("scorecard_min_examined", std::to_string(sc.min_examined), &c);
  }
  c += "}\n";
  for (std::size_t i = 0; i < data.entries.size(); ++i) {
    const EntryInfo& e = data.entries[i];
    c += "entry{";
    AppendField("id", e.id, &c);
    AppendField("kind", EntryKindName(e.kind), &c);
    AppendField("version", std::to_string(e.version), &c);
    AppendField("status", EntryStatusName(e.status), &c);
    AppendField("weight", FormatNumber(e.weight), &c);
    for (const std::string& p : e.priorities) AppendField("priority", p, &c);
    AppendField("name", e.name, &c);
    AppendField("description", e.description, &c);
    AppendField("owner", e.owner, &c);
    AppendField("promoted_from", e.promoted_from, &c);
    c += "when=";
    AppendCondition(data, data.code[i].root, &c);
    c += "}\n";
    if (c.size() > 64 * 1024) flush();
  }
}

}  // namespace

std::string CanonicalText(const RuleSetData& data) {
  std::string c;
  WriteCanonical(data, &c, [] {});
  return c;
}

void ComputeFingerprint(RuleSetData* data) {
  // The text is hashed as it is written, not kept: at 100k rules it is
  // ~20 MB (RuleSet::canonical() writes it again when asked).
  Sha256 h;
  std::string c;
  WriteCanonical(*data, &c, [&] {
    h.Update(c);
    c.clear();
  });
  h.Update(c);
  data->fingerprint = "sha256:" + h.Hex();
}

}  // namespace targeting::internal
