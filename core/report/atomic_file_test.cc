// Tests of the crash-safe file writes, including a full disk (a file size limit in a child).
#include "core/report/atomic_file.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/report/test_child.h"
#include "gtest/gtest.h"

namespace mptest::report {
namespace {

std::string TestDir(const std::string& name) {
  std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  EXPECT_TRUE(MakeDirectories(dir).ok());
  return dir;
}

std::vector<std::string> ListDirectory(const std::string& dir) {
  std::vector<std::string> names;
  DIR* handle = opendir(dir.c_str());
  while (dirent* entry = readdir(handle)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(handle);
  return names;
}

TEST(AtomicFileTest, WritesAndReplaces) {
  const std::string dir = TestDir("replace");
  const std::string path = dir + "/report.md";
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second, longer").ok());
  EXPECT_EQ(*ReadFile(path), "second, longer");
  EXPECT_EQ(ListDirectory(dir), std::vector<std::string>{"report.md"});
}

// A firmware image copied into a board's state: the same bytes, still executable, replacing
// the old image without a temporary left behind; a missing source names itself.
TEST(AtomicFileTest, CopyKeepsTheExecutableBitAndReplaces) {
  const std::string dir = TestDir("copy");
  const std::string from = dir + "/micropython";
  ASSERT_TRUE(WriteFileAtomically(from, "#!/bin/sh\necho unix port\n").ok());
  ASSERT_EQ(chmod(from.c_str(), 0755), 0);
  const std::string to = dir + "/flash";
  ASSERT_TRUE(WriteFileAtomically(to, "old image").ok());
  ASSERT_TRUE(CopyFileAtomically(from, to).ok());
  EXPECT_EQ(*ReadFile(to), "#!/bin/sh\necho unix port\n");
  EXPECT_EQ(access(to.c_str(), X_OK), 0);
  EXPECT_EQ(ListDirectory(dir).size(), 2u);
  absl::Status missing = CopyFileAtomically(dir + "/absent", to);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find(dir + "/absent"), std::string::npos) << missing;
  EXPECT_EQ(*ReadFile(to), "#!/bin/sh\necho unix port\n");
}

TEST(AtomicFileTest, MissingDirectoryIsAnErrorNamingTheFile) {
  absl::Status status = WriteFileAtomically("/nonexistent-mptest-dir/results.json", "{}");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent-mptest-dir/results.json"), std::string::npos)
      << status;
}

TEST(AtomicFileTest, ReadMissingFileIsNotFound) {
  absl::StatusOr<std::string> content = ReadFile("/nonexistent-mptest-dir/context.json");
  EXPECT_TRUE(absl::IsNotFound(content.status())) << content.status();
}

TEST(AtomicFileTest, ReadsAPrefixAndTriesQuietly) {
  const std::string dir = TestDir("prefix");
  const std::string path = dir + "/big.out";
  ASSERT_TRUE(WriteFileAtomically(path, std::string(200000, 'x') + "end").ok());
  EXPECT_EQ(ReadFile(path, 5)->size(), 5u);
  EXPECT_EQ(ReadFile(path, 100000)->size(), 100000u);
  EXPECT_EQ(ReadFile(path)->size(), 200003u);
  EXPECT_EQ(TryReadFile(path, 3), "xxx");
  EXPECT_EQ(TryReadFile(dir + "/absent.out"), std::nullopt);
}

TEST(AtomicFileTest, MakeDirectoriesRefusesAFile) {
  const std::string dir = TestDir("mkdir");
  ASSERT_TRUE(WriteFileAtomically(dir + "/file", "x").ok());
  EXPECT_FALSE(MakeDirectories(dir + "/file").ok());
  EXPECT_TRUE(MakeDirectories(dir + "/a/b/c").ok());
}

// The disk fills up: a file size limit of 4 KiB in a forked child, which tries to replace a
// small complete file with a 64 KiB one. The child reports the error message through a pipe.
TEST(AtomicFileTest, FullDiskLeavesOldFileAndNoTemporary) {
  const std::string dir = TestDir("full");
  const std::string path = dir + "/results.json";
  ASSERT_TRUE(WriteFileAtomically(path, "{\"complete\": true}").ok());

  testing::ChildResult child = testing::RunWithFileSizeLimit(
      4096, [&] { return WriteFileAtomically(path, std::string(65536, 'x')); });
  ASSERT_TRUE(child.exited);
  EXPECT_EQ(child.code, absl::StatusCode::kResourceExhausted) << child.message;
  const std::string& message = child.message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  EXPECT_EQ(*ReadFile(path), "{\"complete\": true}");
  EXPECT_EQ(ListDirectory(dir), std::vector<std::string>{"results.json"});
}

}  // namespace
}  // namespace mptest::report
