// The umbrella header of the targeting library.
//
//   Compiler / CompilePath  -> RuleSet (immutable, shared across threads)
//   RecordReader / Record   -> normalized records
//   Scorer (one per thread) -> ScoreResult: fired entries, score, lane, sampled
//   StreamState             -> aggregate history of a stream, saved across runs (stream.h)
//   Engine                  -> hot reload of the current RuleSet
//   Outcomes + Backtest     -> per-entry metrics, promotion candidates (measure.h)
//   RuleSetDiff             -> what changes between two rule sets
#ifndef TARGETING_TARGETING_H_
#define TARGETING_TARGETING_H_

#include "targeting/explain.h"
#include "targeting/io.h"
#include "targeting/json.h"
#include "targeting/measure.h"
#include "targeting/record.h"
#include "targeting/rules.h"
#include "targeting/score.h"
#include "targeting/status.h"
#include "targeting/stream.h"
#include "targeting/suggest.h"

#endif  // TARGETING_TARGETING_H_
