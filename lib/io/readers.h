// Layout: io/ reads manifest records from CSV and JSON Lines (engine stage 3 of 11).
// The CSV and JSON Lines readers behind RecordReader. Private header.
#ifndef TARGETING_LIB_IO_READERS_H_
#define TARGETING_LIB_IO_READERS_H_

#include <memory>
#include <string>

#include "io/byte_source.h"
#include "targeting/io.h"

namespace targeting::internal {

// Reads the header row before returning, so a bad header fails here
// (kInvalidArgument, "NAME:LINE: ..."), as does a read error in it.
Result<std::unique_ptr<RecordReader>> NewCsvReader(std::unique_ptr<ByteSource> source,
                                                   std::string name, const Schema& schema,
                                                   const ReaderOptions& options);
Result<std::unique_ptr<RecordReader>> NewJsonlReader(std::unique_ptr<ByteSource> source,
                                                     std::string name, const Schema& schema,
                                                     const ReaderOptions& options);
// RecordReader::Restart with a source of one's own (tests read it a few
// bytes at a time): points a reader made by NewJsonlReader at `source`,
// which it then reads from its first line exactly as a new reader of the
// same name, schema and options would, keeping what it has allocated
// (simdjson's buffers, the key table). False, and nothing changed (*source
// kept), when `reader` is not a JSON Lines reader.
bool RestartJsonlReader(RecordReader* reader, std::unique_ptr<ByteSource>* source);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_IO_READERS_H_
