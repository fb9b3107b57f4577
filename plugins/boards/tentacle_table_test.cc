// Tests for the list-tentacles table.
#include "plugins/boards/tentacle_table.h"

#include "gtest/gtest.h"

namespace mptest {
namespace {

TEST(TentacleTableTest, AlignedColumnsWithDefaults) {
  proto::Tentacle virtual_board;
  virtual_board.mutable_entry()->set_label("v1");
  virtual_board.mutable_entry()->set_type("virtual");
  virtual_board.mutable_entry()->set_board("VIRTUAL");
  virtual_board.mutable_board()->add_variants("");
  virtual_board.mutable_board()->add_variants("SPIRAM");
  virtual_board.set_console("/tmp/state/v1/tty");
  virtual_board.set_state("idle");
  proto::Tentacle pico;
  pico.mutable_entry()->set_label("2731-RPI_PICO2");
  pico.mutable_entry()->set_type("serial");
  pico.mutable_entry()->set_board("RPI_PICO2");
  pico.mutable_entry()->add_variants("RISCV");
  EXPECT_EQ(FormatTentacleTable({virtual_board, pico}),
            "LABEL           TYPE     BOARD      VARIANTS          PORT               STATE\n"
            "v1              virtual  VIRTUAL    (default),SPIRAM  /tmp/state/v1/tty  idle\n"
            "2731-RPI_PICO2  serial   RPI_PICO2  RISCV             -                  -\n");
}

TEST(TentacleTableTest, EmptyListHasTheHeader) {
  EXPECT_EQ(FormatTentacleTable({}), "LABEL  TYPE  BOARD  VARIANTS  PORT  STATE\n");
}

}  // namespace
}  // namespace mptest
