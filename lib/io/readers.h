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

}  // namespace targeting::internal

#endif  // TARGETING_LIB_IO_READERS_H_
