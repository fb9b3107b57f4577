// Tests of the process-tree helpers: /proc parsing, the tree walk, killing a tree that left
// its process group, a child ending its own descendants, and ending recorded leftovers.
#include "core/process/descendants.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "core/process/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::process {
namespace {

using ::testing::Contains;

// Forks a child that starts a grandchild which leaves the group (setsid), reports the
// grandchild's pid through `report`, and then both pause. Returns the child's pid.
pid_t StartChildWithEscapedGrandchild(pid_t* grandchild) {
  int report[2];
  if (pipe(report) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    close(report[0]);
    pid_t escaped = fork();
    if (escaped == 0) {
      setsid();
      for (;;) pause();
    }
    ssize_t ignored = write(report[1], &escaped, sizeof(escaped));
    (void)ignored;
    for (;;) pause();
  }
  close(report[1]);
  if (read(report[0], grandchild, sizeof(*grandchild)) != sizeof(*grandchild)) *grandchild = -1;
  close(report[0]);
  return child;
}

TEST(DescendantsTest, ReadsThisProcessStat) {
  std::optional<ProcStat> stat = ReadProcStat(getpid());
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->ppid, getppid());
  EXPECT_EQ(stat->pgid, getpgrp());
  EXPECT_GT(stat->start_ticks, 0u);
  EXPECT_FALSE(ReadProcStat(-1).has_value());
}

TEST(DescendantsTest, KillingATreeEndsTheGrandchildThatLeftTheGroup) {
  pid_t grandchild = 0;
  const pid_t child = StartChildWithEscapedGrandchild(&grandchild);
  ASSERT_GT(child, 0);
  ASSERT_GT(grandchild, 0);
  EXPECT_THAT(ChildrenOf(getpid()), Contains(child));
  EXPECT_THAT(ChildrenOf(child), Contains(grandchild));

  std::vector<ProcessRef> seen;
  SignalDescendants(child, SIGKILL, &seen);
  ASSERT_EQ(seen.size(), 1u);  // the grandchild, not the root
  EXPECT_EQ(seen[0].pid, grandchild);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  // The grandchild was re-parented (to us if we are a subreaper, else to init); either way it
  // is gone, and EndLeftovers reaps it if it is ours.
  EndLeftovers(seen, 1000);
  EXPECT_TRUE(testing::WaitFor([&] { return !testing::ProcessRunning(grandchild); }));
}

TEST(DescendantsTest, EndLeftoversEndsRecordedOrphansAndLeavesOthersAlone) {
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  pid_t grandchild = 0;
  const pid_t child = StartChildWithEscapedGrandchild(&grandchild);
  ASSERT_GT(grandchild, 0);
  pid_t bystander = fork();  // ours, not the child's: must survive
  if (bystander == 0) {
    setsid();
    for (;;) pause();
  }
  std::optional<ProcessRef> recorded = RefOf(grandchild);
  ASSERT_TRUE(recorded.has_value());
  kill(child, SIGKILL);  // dies abruptly: the grandchild comes to us
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  ASSERT_TRUE(testing::WaitFor([&] { return ReadProcStat(grandchild)->ppid == getpid(); }));

  EndLeftovers({*recorded}, 1000);
  EXPECT_FALSE(testing::ProcessRunning(grandchild));
  EXPECT_EQ(waitpid(grandchild, nullptr, WNOHANG), -1);  // reaped already
  EXPECT_TRUE(testing::ProcessRunning(bystander));
  kill(bystander, SIGKILL);
  EXPECT_EQ(waitpid(bystander, nullptr, 0), bystander);
  EXPECT_TRUE(testing::ChildPids().empty());
}

TEST(DescendantsTest, ARecordOfAnEndedProcessDoesNotMatchItsReusedPid) {
  pid_t child = fork();
  if (child == 0) {
    for (;;) pause();
  }
  std::optional<ProcessRef> ref = RefOf(child);
  ASSERT_TRUE(ref.has_value());
  ProcessRef stale = *ref;
  stale.start_ticks += 1;  // as if the pid now belonged to a later process
  EndLeftovers({stale}, 100);
  EXPECT_TRUE(testing::ProcessRunning(child));
  kill(child, SIGKILL);
  EXPECT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(RefOf(child).has_value());
}

TEST(DescendantsTest, AChildEndsItsOwnDescendantsIncludingEscapedOnes) {
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t child = fork();
  if (child == 0) {
    close(report[0]);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t escaped = 0;
    StartChildWithEscapedGrandchild(&escaped);  // a child and a setsid grandchild
    ssize_t ignored = write(report[1], &escaped, sizeof(escaped));
    (void)ignored;
    EndOwnDescendants(2000);
    _exit(waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD ? 0 : 1);
  }
  close(report[1]);
  pid_t escaped = 0;
  ASSERT_EQ(read(report[0], &escaped, sizeof(escaped)), static_cast<ssize_t>(sizeof(escaped)));
  close(report[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(testing::ProcessRunning(escaped));
}

}  // namespace
}  // namespace mptest::process
