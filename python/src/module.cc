// targeting._targeting: the engine for Python (python/targeting/ wraps it).
// A front end over include/targeting/ only, like the command and the service.
//
// Thread-safety, as the C++ API: a RuleSet is immutable and may be shared by
// threads; a Scorer is not thread-safe (one per thread). The GIL is released
// while records are scored, read or backtested.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "targeting/targeting.h"

namespace py = pybind11;

namespace targeting::python {
namespace {

// ---------------------------------------------------------------------------
// Errors: targeting.Error (a system failure, bad input) and
// targeting.CompileError (rules that do not compile, with .issues).

struct CompileFailure {
  std::string message;
  std::vector<Issue> issues;
};

PyObject* g_error = nullptr;
PyObject* g_compile_error = nullptr;

[[noreturn]] void Raise(const std::string& message) { throw std::runtime_error(message); }

std::string SeverityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

// ---------------------------------------------------------------------------
// Values: Python objects to record cells.

// Why a Python value cannot be a value of `field`, or "" when it was added.
// None and NaN are missing; a list or tuple gives a list field's elements; a
// str in a list field is split on the field's separator, as a CSV cell is.
std::string AddValue(Record* record, int field, const FieldDef& def, py::handle value,
                     std::string* scratch);

bool IsMissing(py::handle v) {
  if (v.is_none()) return true;
  if (PyFloat_Check(v.ptr())) return std::isnan(PyFloat_AS_DOUBLE(v.ptr()));
  return false;
}

// The text of a scalar, or false when it has no text form.
bool ScalarText(py::handle v, std::string* scratch, std::string_view* out) {
  PyObject* o = v.ptr();
  if (PyUnicode_Check(o)) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(o, &n);
    if (!p) {
      PyErr_Clear();
      return false;
    }
    *out = std::string_view(p, static_cast<std::size_t>(n));
    return true;
  }
  if (PyBool_Check(o)) {
    *out = o == Py_True ? "true" : "false";
    return true;
  }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow != 0) {
      *scratch = py::str(v).cast<std::string>();
    } else {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, x);
      scratch->assign(buf, r.ptr);
    }
    *out = *scratch;
    return true;
  }
  if (PyFloat_Check(o)) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, PyFloat_AS_DOUBLE(o));
    scratch->assign(buf, r.ptr);
    *out = *scratch;
    return true;
  }
  // numpy scalars, dates and Timestamps: by their text.
  if (py::hasattr(v, "year") && py::hasattr(v, "month") && py::hasattr(v, "day")) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", v.attr("year").cast<int>(),
                  v.attr("month").cast<int>(), v.attr("day").cast<int>());
    *scratch = buf;
    *out = *scratch;
    return true;
  }
  if (py::hasattr(v, "item") && py::hasattr(v, "dtype")) {
    return ScalarText(v.attr("item")(), scratch, out);
  }
  return false;
}

std::string AddValue(Record* record, int field, const FieldDef& def, py::handle value,
                     std::string* scratch) {
  if (IsMissing(value)) return "";
  std::string error;
  if (PyList_Check(value.ptr()) || PyTuple_Check(value.ptr())) {
    if (!def.list) return "field '" + def.name + "': a list is not a value of a field that is not a list";
    for (py::handle e : value) {
      if (IsMissing(e)) continue;
      std::string_view text;
      if (!ScalarText(e, scratch, &text)) {
        return "field '" + def.name + "': cannot read an element of type " +
               py::str(py::type::of(e).attr("__name__")).cast<std::string>();
      }
      if (!record->AddElement(field, text, &error)) return error;
    }
    return "";
  }
  std::string_view text;
  if (!ScalarText(value, scratch, &text)) {
    return "field '" + def.name + "': cannot read a value of type " +
           py::str(py::type::of(value).attr("__name__")).cast<std::string>();
  }
  if (!record->SetCell(field, text, &error)) return error;
  return "";
}

// A record from a dict; Error on a value that does not parse. Keys that are
// not fields of the schema are ignored, as CSV columns and JSON keys are.
Record RecordFromDict(const Schema& schema, const py::dict& d) {
  Record record(schema);
  std::string scratch;
  for (auto [k, v] : d) {
    if (!PyUnicode_Check(k.ptr())) Raise("record keys must be field names (str)");
    const int f = schema.Find(k.cast<std::string>());
    if (f < 0 || schema.field(f).derived) continue;
    std::string why = AddValue(&record, f, schema.field(f), v, &scratch);
    if (!why.empty()) Raise(why);
  }
  std::string error;
  if (!record.Finish(&error)) Raise(error);
  return record;
}

Days DateArg(const py::object& as_of) {
  if (as_of.is_none()) return TodayUtc();
  std::string scratch;
  std::string_view text;
  if (!ScalarText(as_of, &scratch, &text)) Raise("as_of must be a date or 'YYYY-MM-DD'");
  auto d = ParseDate(text);
  if (!d) Raise("as_of '" + std::string(text) + "' is not a date (YYYY-MM-DD)");
  return *d;
}

// ---------------------------------------------------------------------------
// The objects.

struct PyRuleSet {
  std::shared_ptr<const RuleSet> rules;
  std::vector<Issue> warnings;
  std::string path;
};

struct Fired {
  std::string id;
  std::string kind;
  int version = 1;
  std::string status;
  double weight = 0;
};

struct PyResult {
  std::string record_id;
  double score = 0;
  std::string lane;
  bool sampled = false;
  std::vector<Fired> fired;
};

PyResult ToPyResult(const RuleSet& rules, const Record& record, const ScoreResult& r) {
  PyResult out;
  out.record_id = std::string(record.record_id());
  out.score = r.score;
  out.lane = LaneName(r.lane);
  out.sampled = r.sampled;
  for (std::uint32_t e : r.fired) {
    const EntryInfo& info = rules.entries()[e];
    out.fired.push_back(Fired{info.id, EntryKindName(info.kind), info.version,
                              EntryStatusName(info.status), info.weight});
  }
  return out;
}

PyRuleSet Compile(const std::string& path, const py::kwargs& limits) {
  CompileOptions options;
  Limits& l = options.limits;
  for (auto [k, v] : limits) {
    const std::string name = k.cast<std::string>();
    const auto n = v.cast<long long>();
    if (n < 0) Raise("limit " + name + " must not be negative");
    if (name == "max_entries") l.max_entries = static_cast<std::size_t>(n);
    else if (name == "max_condition_depth") l.max_condition_depth = static_cast<int>(n);
    else if (name == "max_condition_nodes") l.max_condition_nodes = static_cast<std::size_t>(n);
    else if (name == "max_list_size") l.max_list_size = static_cast<std::size_t>(n);
    else if (name == "max_regex_program_size") l.max_regex_program_size = static_cast<int>(n);
    else if (name == "regex_max_mem") l.regex_max_mem = n;
    else if (name == "regex_set_max_mem") l.regex_set_max_mem = n;
    else if (name == "max_file_bytes") l.max_file_bytes = static_cast<std::size_t>(n);
    else if (name == "max_yaml_nodes") l.max_yaml_nodes = static_cast<std::size_t>(n);
    else if (name == "max_tests_per_entry") l.max_tests_per_entry = static_cast<std::size_t>(n);
    else throw py::type_error("compile() got an unknown limit '" + name + "'");
  }
  CompileResult result;
  {
    py::gil_scoped_release release;
    result = CompilePath(path, options);
  }
  if (!result.status.ok()) Raise(result.status.message());
  if (!result.ok()) {
    const std::size_t errors = result.error_count();
    std::string message = path + ": " + std::to_string(errors) + " error" + (errors == 1 ? "" : "s") +
                          "; the rule set does not compile";
    for (const Issue& i : result.issues) {
      if (i.severity == Severity::kError) message += "\n" + i.ToString();
    }
    throw CompileFailure{message, result.issues};
  }
  PyRuleSet out;
  out.rules = result.rule_set;
  out.warnings = result.issues;
  out.path = path;
  return out;
}

py::dict Config(const PyRuleSet& rs) {
  const RuleSetConfig& c = rs.rules->config();
  py::dict d;
  d["lanes"] = py::dict(py::arg("red") = c.red, py::arg("yellow") = c.yellow);
  d["sampling"] = py::dict(py::arg("rate") = c.sampling_rate, py::arg("salt") = c.salt);
  d["priorities"] = c.priorities;
  d["promotion"] = py::dict(
      py::arg("min_examined") = c.promotion.min_examined,
      py::arg("min_discrepancy_rate") = c.promotion.min_discrepancy_rate,
      py::arg("confidence") = c.promotion.confidence, py::arg("min_ports") = c.promotion.min_ports,
      py::arg("min_new_discrepant") = c.promotion.min_new_discrepant);
  return d;
}

// ---------------------------------------------------------------------------
// Frames: whole columns at a time. The Python side hands over one numpy
// array per schema field it has (object, float, int or bool arrays); cells
// are read with the GIL held into a chunk of plain cells, and the chunk is
// then scored (or backtested) with the GIL released.

struct Column {
  int field = -1;
  py::array array;
  char kind = 'O';  // numpy dtype kind: O f i u b
};

std::vector<Column> Columns(const Schema& schema, const py::dict& columns, std::size_t* rows) {
  std::vector<Column> out;
  *rows = 0;
  bool first = true;
  for (auto [k, v] : columns) {
    const int f = schema.Find(k.cast<std::string>());
    if (f < 0 || schema.field(f).derived) continue;
    Column c;
    c.field = f;
    c.array = py::reinterpret_borrow<py::array>(v);
    if (c.array.ndim() != 1) Raise("column '" + k.cast<std::string>() + "' is not one-dimensional");
    c.kind = c.array.dtype().kind();
    if (std::strchr("Ofiub", c.kind) == nullptr) {
      Raise("column '" + k.cast<std::string>() + "' has dtype kind '" + std::string(1, c.kind) +
            "'; convert it to str or object first");
    }
    const auto n = static_cast<std::size_t>(c.array.shape(0));
    if (!first && n != *rows) Raise("columns have different lengths");
    *rows = n;
    first = false;
    out.push_back(std::move(c));
  }
  return out;
}

// Fills `record` from row `row` of the columns; "" or why it cannot be read.
std::string RowRecord(const std::vector<Column>& cols, std::size_t row, Record* record,
                      std::string* scratch) {
  record->Clear();
  const Schema& schema = record->schema();
  for (const Column& c : cols) {
    const FieldDef& def = schema.field(c.field);
    std::string why;
    switch (c.kind) {
      case 'O': {
        auto* data = static_cast<PyObject* const*>(c.array.data());
        why = AddValue(record, c.field, def, py::handle(data[row]), scratch);
        break;
      }
      case 'f': {
        double x = 0;
        const auto* base = static_cast<const char*>(c.array.data()) + row * static_cast<std::size_t>(c.array.strides(0));
        if (c.array.itemsize() == 8) std::memcpy(&x, base, 8);
        else {
          float f32 = 0;
          std::memcpy(&f32, base, 4);
          x = f32;
        }
        if (std::isnan(x)) break;
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, x);
        std::string error;
        if (!record->SetCell(c.field, std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)), &error)) why = error;
        break;
      }
      case 'i':
      case 'u':
      case 'b': {
        py::object item = c.array.attr("item")(row);
        why = AddValue(record, c.field, def, item, scratch);
        break;
      }
      default:
        break;
    }
    if (!why.empty()) return why;
  }
  std::string error;
  if (!record->Finish(&error)) return error;
  return "";
}

// Rows to score or backtest, a chunk at a time: 'O' cells need the GIL, so
// each chunk's records are built with it, then handled without it.
template <typename Handle>
void ForEachRow(const Schema& schema, const std::vector<Column>& cols, std::size_t rows,
                Handle&& handle) {
  constexpr std::size_t kChunk = 4096;
  std::vector<Record> records;
  std::vector<std::string> why(kChunk);
  records.reserve(kChunk);
  for (std::size_t i = 0; i < kChunk; ++i) records.emplace_back(schema);
  std::string scratch;
  for (std::size_t begin = 0; begin < rows; begin += kChunk) {
    const std::size_t end = std::min(rows, begin + kChunk);
    for (std::size_t r = begin; r < end; ++r) why[r - begin] = RowRecord(cols, r, &records[r - begin], &scratch);
    py::gil_scoped_release release;
    for (std::size_t r = begin; r < end; ++r) handle(r, records[r - begin], why[r - begin]);
  }
}

py::dict ScoreColumns(Scorer& scorer, const py::dict& columns) {
  const RuleSet& rules = scorer.rules();
  const Schema& schema = rules.schema();
  std::size_t rows = 0;
  std::vector<Column> cols = Columns(schema, columns, &rows);
  if (schema.Find("record_id") >= 0 && rows > 0) {
    bool have_id = false;
    for (const Column& c : cols) have_id |= c.field == schema.record_id_field();
    if (!have_id) Raise("the frame has no '" + schema.field(schema.record_id_field()).name + "' column");
  }
  py::array_t<double> score(static_cast<py::ssize_t>(rows));
  py::array_t<bool> sampled(static_cast<py::ssize_t>(rows));
  std::vector<std::uint8_t> lane(rows);
  std::vector<std::uint32_t> fired_flat;
  std::vector<std::size_t> fired_end(rows);
  // Record ids: the input's own str objects where the id column holds them
  // (a string id is kept as written), else the record's text.
  const Column* id_column = nullptr;
  for (const Column& col : cols) {
    if (col.field == schema.record_id_field() && col.kind == 'O' &&
        schema.field(col.field).type == FieldType::kString) {
      id_column = &col;
    }
  }
  std::vector<std::string> ids(rows), rejected(rows);
  double* score_p = score.mutable_data();
  bool* sampled_p = sampled.mutable_data();
  ScoreResult result;
  ForEachRow(schema, cols, rows, [&](std::size_t r, const Record& record, const std::string& why) {
    if (!id_column) ids[r] = std::string(record.record_id());
    if (!why.empty()) {
      rejected[r] = why;
      score_p[r] = std::nan("");
      sampled_p[r] = false;
      lane[r] = 255;
    } else {
      Status s = scorer.Score(record, &result);
      if (!s.ok()) {
        rejected[r] = s.message();
        score_p[r] = std::nan("");
        sampled_p[r] = false;
        lane[r] = 255;
      } else {
        score_p[r] = result.score;
        sampled_p[r] = result.sampled;
        lane[r] = static_cast<std::uint8_t>(result.lane);
        fired_flat.insert(fired_flat.end(), result.fired.begin(), result.fired.end());
      }
    }
    fired_end[r] = fired_flat.size();
  });
  // Python objects, one per row; entry ids and lanes are shared strings.
  std::vector<py::str> entry_ids;
  for (const EntryInfo& e : rules.entries()) entry_ids.emplace_back(e.id);
  py::str lanes[3] = {py::str(LaneName(Lane::kGreen)), py::str(LaneName(Lane::kYellow)),
                      py::str(LaneName(Lane::kRed))};
  py::list id_col(rows), lane_col(rows), fired_col(rows), rejected_col(rows);
  py::str empty("");
  std::size_t at = 0;
  auto* id_cells = id_column ? static_cast<PyObject* const*>(id_column->array.data()) : nullptr;
  for (std::size_t r = 0; r < rows; ++r) {
    if (id_cells && PyUnicode_Check(id_cells[r])) {
      id_col[r] = py::reinterpret_borrow<py::object>(id_cells[r]);
    } else if (id_cells) {
      id_col[r] = py::none();  // no id: the row is rejected
    } else {
      id_col[r] = py::str(ids[r]);
    }
    lane_col[r] = lane[r] == 255 ? py::object(py::none()) : py::object(lanes[lane[r]]);
    py::list f(fired_end[r] - at);
    for (std::size_t k = 0; at < fired_end[r]; ++at, ++k) f[k] = entry_ids[fired_flat[at]];
    fired_col[r] = std::move(f);
    rejected_col[r] = rejected[r].empty() ? empty : py::str(rejected[r]);
  }
  py::dict out;
  out["record_id"] = id_col;
  out["score"] = score;
  out["lane"] = lane_col;
  out["sampled"] = sampled;
  out["fired"] = fired_col;
  out["rejected"] = rejected_col;
  return out;
}

// ---------------------------------------------------------------------------
// Outcomes and backtests.

struct PyOutcomes {
  std::shared_ptr<const Outcomes> outcomes;
  std::string schema;  // Schema::Canonical() it was read for
};

PyOutcomes ReadOutcomesPath(const PyRuleSet& rs, const std::string& path) {
  Result<Outcomes> o = Status::Ok();
  {
    py::gil_scoped_release release;
    o = Outcomes::ReadCsvFile(path, rs.rules->schema());
  }
  if (!o.ok()) Raise(o.status().message());
  return PyOutcomes{std::make_shared<const Outcomes>(std::move(o).value()),
                    rs.rules->schema().Canonical()};
}

// Outcomes from columns of text (record_id, examined, finding, and the
// optional action, msrp_usd, identified_by), as an outcomes CSV's cells.
PyOutcomes ReadOutcomesColumns(const PyRuleSet& rs, const py::dict& columns, std::size_t rows) {
  const Schema& schema = rs.rules->schema();
  Outcomes::Builder builder(schema.field(schema.record_id_field()).type);
  static const char* kNames[] = {"record_id", "examined", "finding", "action", "msrp_usd", "identified_by"};
  std::vector<py::list> cols;
  for (const char* name : kNames) {
    if (columns.contains(name)) {
      cols.push_back(columns[name].cast<py::list>());
      if (cols.back().size() != rows) Raise(std::string("outcomes column '") + name + "' has another length");
    } else {
      cols.emplace_back();
    }
  }
  for (const char* required : {"record_id", "examined", "finding"}) {
    if (!columns.contains(required)) Raise(std::string("the outcomes frame has no '") + required + "' column");
  }
  std::string scratch[6];
  for (std::size_t r = 0; r < rows; ++r) {
    std::string_view cell[6];
    for (int c = 0; c < 6; ++c) {
      if (cols[static_cast<std::size_t>(c)].empty() && rows > 0 && !columns.contains(kNames[c])) continue;
      py::handle v = cols[static_cast<std::size_t>(c)][r];
      if (IsMissing(v)) continue;
      if (!ScalarText(v, &scratch[c], &cell[c])) Raise(std::string("outcomes column '") + kNames[c] + "': a value that is not text");
      if (cell[c].data() != scratch[c].data()) {
        scratch[c] = std::string(cell[c]);
        cell[c] = scratch[c];
      }
    }
    builder.AddRow(r + 2, OutcomeCells{cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]});
  }
  return PyOutcomes{std::make_shared<const Outcomes>(builder.Build()), schema.Canonical()};
}

// A backtest: over the inputs (paths, or (path, begin, end) ranges), or over
// columns of a frame.
struct BacktestInput {
  std::vector<std::string> paths;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // per path; begin > end: whole file
};

std::unique_ptr<Backtest> RunBacktest(const PyRuleSet& rs, const PyOutcomes& outcomes,
                                      const BacktestInput& input, const py::object& frame, Days as_of) {
  if (outcomes.schema != rs.rules->schema().Canonical()) Raise("the outcomes were read for another schema");
  auto backtest = std::make_unique<Backtest>(rs.rules, outcomes.outcomes);
  ScoreOptions options;
  options.as_of = as_of;
  Scorer scorer(rs.rules, options);
  ScoreResult result;
  if (!frame.is_none()) {
    std::size_t rows = 0;
    std::vector<Column> cols = Columns(rs.rules->schema(), frame.cast<py::dict>(), &rows);
    ForEachRow(rs.rules->schema(), cols, rows, [&](std::size_t, const Record& record, const std::string& why) {
      if (!why.empty() || !scorer.Score(record, &result).ok()) {
        backtest->AddRejected();
        return;
      }
      backtest->Add(record, result);
    });
    return backtest;
  }
  std::string error;
  {
    py::gil_scoped_release release;
    Record record(rs.rules->schema());
    Reject reject;
    for (std::size_t i = 0; i < input.paths.size() && error.empty(); ++i) {
      const std::string& path = input.paths[i];
      auto format = InputFormatFromPath(path);
      if (!format) {
        error = path + ": not a .csv, .jsonl or .ndjson file";
        break;
      }
      const auto [begin, end] = input.ranges[i];
      auto reader = begin > end ? RecordReader::Open(path, *format, rs.rules->schema())
                                : RecordReader::OpenRange(path, *format, rs.rules->schema(), begin, end);
      if (!reader.ok()) {
        error = reader.status().message();
        break;
      }
      for (;;) {
        RecordReader::Next next = reader.value()->Read(&record, &reject);
        if (next == RecordReader::Next::kEnd) break;
        if (next == RecordReader::Next::kReject || !scorer.Score(record, &result).ok()) {
          backtest->AddRejected();
          continue;
        }
        backtest->Add(record, result);
      }
      if (!reader.value()->status().ok()) error = reader.value()->status().message();
    }
  }
  if (!error.empty()) Raise(error);
  return backtest;
}

std::string ReportJson(const Backtest& backtest) {
  std::string json;
  AppendBacktestJson(backtest.Report(), &json);
  return json;
}

std::string MergeJson(const std::vector<std::string>& texts, const std::vector<std::string>& names) {
  Result<BacktestReport> r = Status::Ok();
  {
    py::gil_scoped_release release;
    r = MergeBacktestPartials(texts, names);
  }
  if (!r.ok()) Raise(r.status().message());
  std::string json;
  AppendBacktestJson(r.value(), &json);
  return json;
}

}  // namespace
}  // namespace targeting::python

PYBIND11_MODULE(_targeting, m) {
  using namespace targeting;
  using namespace targeting::python;
  m.doc() = "The targeting engine: compile rule sets, score records, backtest and merge.";

  g_error = PyErr_NewExceptionWithDoc("targeting.Error",
                                      "A failure of the system or bad input: an unreadable file, a "
                                      "record value that does not parse. The message is the CLI's.",
                                      PyExc_RuntimeError, nullptr);
  g_compile_error = PyErr_NewExceptionWithDoc(
      "targeting.CompileError",
      "A rule set that does not compile. .issues lists every error and warning, each with "
      "file, line, column, entry_id, severity and message.",
      g_error, nullptr);
  m.add_object("Error", py::handle(g_error));
  m.add_object("CompileError", py::handle(g_compile_error));

  py::class_<Issue>(m, "Issue", "One error or warning of a rule set, where it was written.")
      .def_readonly("file", &Issue::file)
      .def_readonly("line", &Issue::line)
      .def_readonly("column", &Issue::column)
      .def_readonly("entry_id", &Issue::entry_id)
      .def_property_readonly("severity", [](const Issue& i) { return SeverityName(i.severity); })
      .def_readonly("message", &Issue::message)
      .def("__str__", &Issue::ToString)
      .def("__repr__", [](const Issue& i) { return "<Issue " + i.ToString() + ">"; });

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const CompileFailure& f) {
      py::object err = py::reinterpret_steal<py::object>(
          PyObject_CallFunction(g_compile_error, "s", f.message.c_str()));
      if (!err) return;
      py::list issues;
      for (const Issue& i : f.issues) issues.append(py::cast(i));
      PyObject_SetAttrString(err.ptr(), "issues", issues.ptr());
      PyErr_SetObject(g_compile_error, err.ptr());
    } catch (const py::builtin_exception&) {
      throw;  // TypeError and the like: pybind11's own translation
    } catch (const std::runtime_error& e) {
      PyErr_SetString(g_error, e.what());
    }
  });

  py::class_<EntryInfo>(m, "Entry", "One entry (rule or query) of a rule set.")
      .def_readonly("id", &EntryInfo::id)
      .def_property_readonly("kind", [](const EntryInfo& e) { return EntryKindName(e.kind); })
      .def_readonly("version", &EntryInfo::version)
      .def_property_readonly("status", [](const EntryInfo& e) { return EntryStatusName(e.status); })
      .def_readonly("weight", &EntryInfo::weight)
      .def_readonly("priorities", &EntryInfo::priorities)
      .def_readonly("name", &EntryInfo::name)
      .def_readonly("description", &EntryInfo::description)
      .def_readonly("owner", &EntryInfo::owner)
      .def_readonly("promoted_from", &EntryInfo::promoted_from)
      .def_readonly("file", &EntryInfo::file)
      .def_readonly("line", &EntryInfo::line)
      .def("__repr__", [](const EntryInfo& e) {
        return "<Entry " + e.id + " (" + EntryKindName(e.kind) + ", " + EntryStatusName(e.status) + ")>";
      });

  py::class_<PyRuleSet>(m, "RuleSet",
                        "A compiled rule set. Immutable: share it freely, across threads too.")
      .def_property_readonly("fingerprint", [](const PyRuleSet& r) { return r.rules->fingerprint(); })
      .def_property_readonly("entries", [](const PyRuleSet& r) { return r.rules->entries(); },
                             "Active, shadow and draft entries, sorted by id.")
      .def_property_readonly("config", &Config, "targeting.yaml, with its defaults, as a dict.")
      .def_readonly("warnings", &PyRuleSet::warnings)
      .def_readonly("path", &PyRuleSet::path)
      .def("__repr__", [](const PyRuleSet& r) {
        return "<RuleSet " + r.path + " " + r.rules->fingerprint() + ", " +
               std::to_string(r.rules->entries().size()) + " entries>";
      });

  m.def("compile", &Compile, py::arg("path"),
        "compile(path, **limits) -> RuleSet\n\n"
        "Compiles a rule-set directory or single YAML file. Limits are the CLI's --max-* options "
        "with underscores (max_entries=..., regex_max_mem=...). Raises CompileError with .issues "
        "when the rules do not compile, Error when the path cannot be read.");

  py::class_<Fired>(m, "Fired", "An entry that fired on a record.")
      .def_readonly("id", &Fired::id)
      .def_readonly("kind", &Fired::kind)
      .def_readonly("version", &Fired::version)
      .def_readonly("status", &Fired::status)
      .def_readonly("weight", &Fired::weight)
      .def("__repr__", [](const Fired& f) { return "<Fired " + f.id + ">"; });

  py::class_<PyResult>(m, "Result", "How a record scored (SPEC section 5).")
      .def_readonly("record_id", &PyResult::record_id)
      .def_readonly("score", &PyResult::score)
      .def_readonly("lane", &PyResult::lane)
      .def_readonly("sampled", &PyResult::sampled)
      .def_readonly("fired", &PyResult::fired)
      .def("__repr__", [](const PyResult& r) {
        std::string s = "<Result " + r.record_id + " score " + FormatNumber(r.score) + " " + r.lane;
        for (const Fired& f : r.fired) s += " " + f.id;
        return s + ">";
      });

  py::class_<Scorer>(m, "_Scorer")
      .def(py::init([](const PyRuleSet& rs, const py::object& as_of) {
             ScoreOptions options;
             options.as_of = DateArg(as_of);
             return Scorer(rs.rules, options);
           }),
           py::arg("rule_set"), py::arg("as_of") = py::none())
      .def("score",
           [](Scorer& s, const py::dict& record) {
             Record r = RecordFromDict(s.rules().schema(), record);
             ScoreResult result;
             Status st;
             {
               py::gil_scoped_release release;
               st = s.Score(r, &result);
             }
             if (!st.ok()) Raise(st.message());
             return ToPyResult(s.rules(), r, result);
           })
      .def("score_columns", &ScoreColumns)
      .def("load_state",
           [](Scorer& s, const std::string& path) {
             if (!s.has_stream()) Raise(path + ": the rule set has no aggregates, so it keeps no stream state");
             std::vector<std::string> missing;
             Status st;
             {
               py::gil_scoped_release release;
               st = s.stream()->LoadFile(path, &missing);
             }
             if (st.code() == StatusCode::kNotFound) return std::vector<std::string>{};  // starts empty
             if (!st.ok()) Raise(st.message());
             return missing;
           })
      .def("save_state",
           [](Scorer& s, const std::string& path) {
             if (!s.has_stream()) Raise(path + ": the rule set has no aggregates, so it keeps no stream state");
             Status st;
             {
               py::gil_scoped_release release;
               st = s.stream()->SaveFile(path);
             }
             if (!st.ok()) Raise(st.message());
           })
      .def("explain",
           [](Scorer& s, const py::dict& record, const std::vector<std::string>& entry_ids) {
             const RuleSet& rules = s.rules();
             Record r = RecordFromDict(rules.schema(), record);
             std::vector<int> entries;
             for (const std::string& id : entry_ids) {
               const int e = rules.FindEntry(id);
               if (e < 0) Raise("no entry '" + id + "' in the rule set (retired entries are not compiled)");
               entries.push_back(e);
             }
             // Measured against this scorer's stream as its next record would
             // be, without joining it (StreamState::Peek).
             AggregateMeasures measures;
             if (s.has_stream()) {
               Status st = s.stream()->Peek(r, &measures);
               if (!st.ok()) Raise(st.message());
             }
             std::vector<std::string> out;
             for (int e : entries) {
               std::string json;
               AppendExplanationJson(rules, Explain(rules, r, e, s.options().as_of, &measures), &json);
               out.push_back(std::move(json));
             }
             return out;
           })
      .def_property_readonly("has_stream", &Scorer::has_stream);

  py::class_<PyOutcomes>(m, "Outcomes", "Exam outcomes, read once and joined by every backtest.")
      .def_property_readonly("rows", [](const PyOutcomes& o) { return o.outcomes->rows(); })
      .def("__len__", [](const PyOutcomes& o) { return o.outcomes->size(); });
  m.def("_outcomes_path", &ReadOutcomesPath);
  m.def("_outcomes_columns", &ReadOutcomesColumns);

  m.def("_backtest",
        [](const PyRuleSet& rs, const PyOutcomes& outcomes, const std::vector<std::string>& paths,
           const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges, const py::object& frame,
           const py::object& as_of, bool partial) {
          BacktestInput input{paths, ranges};
          if (input.ranges.size() != input.paths.size()) Raise("one range per path");
          auto b = RunBacktest(rs, outcomes, input, frame, DateArg(as_of));
          return partial ? b->PartialJson() : ReportJson(*b);
        });
  m.def("_merge", &MergeJson);
  m.def("_explain",
        [](const PyRuleSet& rs, const py::dict& record, const std::vector<std::string>& entry_ids,
           const py::object& as_of) {
          Record r = RecordFromDict(rs.rules->schema(), record);
          const Days day = DateArg(as_of);
          std::vector<std::string> out;
          for (const std::string& id : entry_ids) {
            const int e = rs.rules->FindEntry(id);
            if (e < 0) Raise("no entry '" + id + "' in the rule set (retired entries are not compiled)");
            std::string json;
            AppendExplanationJson(*rs.rules, Explain(*rs.rules, r, e, day), &json);
            out.push_back(std::move(json));
          }
          return out;
        });
  m.def("split_ranges",
        [](const std::string& path, int parts) {
          auto format = InputFormatFromPath(path);
          if (!format) Raise(path + ": not a .csv, .jsonl or .ndjson file");
          Result<std::vector<std::uint64_t>> r = Status::Ok();
          {
            py::gil_scoped_release release;
            r = SplitRecordRanges(path, *format, parts);
          }
          if (!r.ok()) Raise(r.status().message());
          std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
          for (std::size_t i = 0; i + 1 < r.value().size(); ++i) out.emplace_back(r.value()[i], r.value()[i + 1]);
          return out;
        },
        py::arg("path"), py::arg("parts"),
        "split_ranges(path, parts) -> [(begin, end), ...]\n\n"
        "Byte ranges of whole records of a .csv or .jsonl file, about equal in size; a quoted "
        "line break never splits a CSV record.");
}
