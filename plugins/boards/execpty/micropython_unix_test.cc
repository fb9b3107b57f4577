// Optional: the raw-REPL client's checks against MicroPython's real unix port, run as an
// execpty tentacle. Needs MPTEST_MICROPYTHON_DIR (a checkout with a built unix port) passed
// with --test_env; FAILS with the reason otherwise (it is tagged manual, so `bazel test //...`
// does not run it; a skip would be reported as a pass). Nothing is fetched or built here.
#include <stdlib.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "core/repl/raw_repl_client.h"
#include "gtest/gtest.h"
#include "plugins/boards/execpty/execpty_driver.h"

namespace mptest::boards {
namespace {

absl::Time In(double seconds) { return absl::Now() + absl::Seconds(seconds); }

TEST(MicroPythonUnixTest, ClientChecksAgainstTheUnixPort) {
  const char* dir = getenv("MPTEST_MICROPYTHON_DIR");
  if (dir == nullptr || *dir == '\0') {
    FAIL() << "MPTEST_MICROPYTHON_DIR is not set: no MicroPython unix port to test against "
              "(bazel test ... --test_env=MPTEST_MICROPYTHON_DIR=/path/to/micropython with "
              "ports/unix built)";
  }
  const std::string binary = absl::StrCat(dir, "/ports/unix/build-standard/micropython");
  if (access(binary.c_str(), X_OK) != 0) {
    FAIL() << binary << " is not an executable: build the unix port first "
           << "(make -C ports/unix)";
  }
  ExecPtyDriver driver(
      absl::StrCat(getenv("TEST_SRCDIR"), "/mptest/plugins/boards/execpty/execpty_relay"));
  proto::DiscoverRequest request;
  request.set_state_dir(absl::StrCat(getenv("TEST_TMPDIR"), "/state"));
  request.add_boards()->set_name("UNIX");
  proto::InventoryEntry* entry = request.mutable_inventory()->add_tentacles();
  entry->set_label("unix");
  entry->set_type("execpty");
  entry->set_board("UNIX");
  entry->add_command("{firmware}");
  (*entry->mutable_tags())["firmware"] = binary;
  absl::StatusOr<proto::DiscoverResponse> discovered = driver.Discover(request);
  ASSERT_TRUE(discovered.ok()) << discovered.status();
  absl::StatusOr<proto::Tentacle> tentacle = driver.Start(discovered->tentacles(0));
  ASSERT_TRUE(tentacle.ok()) << tentacle.status();

  auto client = repl::RawReplClient::Open(tentacle->console());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnterRawRepl(In(10)).ok());
  absl::StatusOr<repl::ExecResult> two = (*client)->Execute("print(1+1)", In(10));
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->stdout_text, "2\r\n");
  absl::StatusOr<repl::ExecResult> error = (*client)->Execute("1/0", In(10));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_NE(error->stderr_text.find("ZeroDivisionError: divide by zero"), std::string::npos);
  ASSERT_TRUE((*client)->Execute("x = 1", In(10)).ok());
  ASSERT_TRUE((*client)->SoftReset(In(15)).ok());
  absl::StatusOr<repl::ExecResult> gone = (*client)->Execute("print(x)", In(10));
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_NE(gone->stderr_text.find("NameError"), std::string::npos);
  absl::StatusOr<repl::BoardVersion> version = (*client)->ReadVersion(In(10));
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_NE(version->identity.find("; MicroPython v"), std::string::npos) << version->identity;
  // The relay sends the unix port's bare \n as \r\n, and a CRLF in the code is one line end.
  absl::StatusOr<repl::ExecResult> crlf = (*client)->Execute("print(repr('''a\r\nb'''))", In(10));
  ASSERT_TRUE(crlf.ok()) << crlf.status();
  EXPECT_EQ(crlf->stdout_text, "'a\\nb'\r\n");
  EXPECT_TRUE(driver.Stop(*tentacle).ok());
}

}  // namespace
}  // namespace mptest::boards
