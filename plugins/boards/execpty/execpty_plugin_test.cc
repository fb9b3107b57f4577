// Loads the "execpty" plugin through the registry (child check included) and runs a
// command-on-a-pty tentacle through the C ABI.
#include <stdlib.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/plugin/registry.h"
#include "core/repl/raw_repl_client.h"
#include "gtest/gtest.h"

namespace mptest {
namespace {

std::string Runfile(const std::string& path) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/", path);
}

TEST(ExecPtyPluginTest, CommandOnAPtyThroughTheAbi) {
  setenv("MPTEST_EXECPTY_RELAY", Runfile("plugins/boards/execpty/execpty_relay").c_str(), 1);
  plugin::PluginSearchOptions options;
  options.checker = Runfile("core/plugin/mptest_plugin_check");
  options.check_timeout = absl::Seconds(30);
  options.builtin_files.push_back(Runfile("plugins/boards/execpty/libexecpty.so"));
  plugin::PluginRegistry registry = plugin::PluginRegistry::Load(options);
  for (const plugin::PluginRecord& record : registry.records()) {
    ASSERT_TRUE(record.status.ok()) << record.path << ": " << record.status;
  }
  absl::StatusOr<std::unique_ptr<BoardDriver>> driver = registry.NewBoardDriver("execpty");
  ASSERT_TRUE(driver.ok()) << driver.status();

  // The command is a tiny raw-REPL board in CPython: enough for the client's checks.
  const std::string program = absl::StrCat(getenv("TEST_TMPDIR"), "/board.py");
  std::ofstream(program)
      << "import os\n"
         "os.write(1, b'>>> ')\n"
         "line = b''\n"
         "while True:\n"
         "    for b in os.read(0, 4096):\n"
         "        c = bytes([b])\n"
         "        if c == b'\\x01': os.write(1, b'\\r\\nraw REPL; CTRL-B to exit\\r\\n>')\n"
         "        elif c == b'\\x04':\n"
         "            os.write(1, b'OK' + line.upper() + b'\\x04\\x04>'); line = b''\n"
         "        elif c not in b'\\r\\x03\\x05': line += c\n";
  proto::DiscoverRequest request;
  request.set_state_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/state"));
  request.add_boards()->set_name("PY");
  proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
  entry->set_label("py");
  entry->set_type("execpty");
  entry->set_board("PY");
  entry->add_command("/usr/bin/python3");
  entry->add_command(program);
  absl::StatusOr<proto::DiscoverResponse> discovered = (*driver)->Discover(request);
  ASSERT_TRUE(discovered.ok()) << discovered.status();
  absl::StatusOr<proto::Tentacle> tentacle = (*driver)->Start(discovered->tentacles(0));
  ASSERT_TRUE(tentacle.ok()) << tentacle.status();
  repl::ClientOptions client_options;
  client_options.use_raw_paste = false;
  auto client = repl::RawReplClient::Open(tentacle->console(), 0, client_options);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(absl::Now() + absl::Seconds(5)).ok());
  absl::StatusOr<repl::ExecResult> result =
      (*client)->Execute("hello", absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->stdout_text, "HELLO");
  EXPECT_TRUE((*driver)->Stop(*tentacle).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition((*driver)->PowerCycle(*tentacle)));
}

}  // namespace
}  // namespace mptest
