// The table `mptest list-tentacles` prints: one row per tentacle of every type.
#ifndef MPTEST_PLUGINS_BOARDS_TENTACLE_TABLE_H_
#define MPTEST_PLUGINS_BOARDS_TENTACLE_TABLE_H_

#include <string>
#include <vector>

#include "core/proto/tentacle.pb.h"

namespace mptest {

// Columns LABEL TYPE BOARD VARIANTS PORT STATE, padded to the widest cell, one line per
// tentacle in the given order, each line ending in '\n'. VARIANTS are the entry's variants (or
// the board's when the entry restricts none), "" shown as "(default)", comma-separated; PORT is
// the console, or "-" when unknown; an empty state is "-".
std::string FormatTentacleTable(const std::vector<proto::Tentacle>& tentacles);

}  // namespace mptest

#endif  // MPTEST_PLUGINS_BOARDS_TENTACLE_TABLE_H_
