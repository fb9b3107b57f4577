// Tests for EventBus dispatch and SendEvent framing.
#include "core/bus/event_bus.h"

#include <fcntl.h>
#include <unistd.h>

#include "core/bus/event_sender.h"
#include "core/bus/frame.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mptest::bus {
namespace {

using ::testing::HasSubstr;

proto::Event LogEvent(const std::string& text) {
  proto::Event event;
  event.mutable_log_line()->set_text(text);
  return event;
}

TEST(EventBusTest, DispatchesInOrderToMatchingSubscribers) {
  EventBus bus;
  std::vector<std::string> all, logs_only;
  int exits = 0;
  bus.Subscribe([&](const proto::Event& e) { all.push_back(e.log_line().text()); });
  auto id = bus.SubscribeTo(proto::Event::kLogLine, [&](const proto::Event& e) {
    logs_only.push_back(e.log_line().text());
  });
  bus.SubscribeTo(proto::Event::kExit, [&](const proto::Event&) { ++exits; });
  bus.Publish(LogEvent("a"));
  bus.Publish(LogEvent("b"));
  bus.Unsubscribe(id);
  bus.Publish(LogEvent("c"));
  proto::Event exit_event;
  exit_event.mutable_exit()->set_success(true);
  bus.Publish(exit_event);
  EXPECT_EQ(all, (std::vector<std::string>{"a", "b", "c", ""}));
  EXPECT_EQ(logs_only, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(exits, 1);
  EXPECT_EQ(bus.published(), 4);
}

TEST(EventBusTest, MalformedBodyIsAnErrorNotACrash) {
  EventBus bus;
  int received = 0;
  bus.Subscribe([&](const proto::Event&) { ++received; });
  absl::Status status = bus.PublishSerialized(std::string("\xff\xff\xff", 3));
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("3 bytes"));
  EXPECT_EQ(received, 0);
}

TEST(EventSenderTest, OutsideAChildIsAFailedPrecondition) {
  RemoveEventSender();
  EXPECT_EQ(SendEvent(LogEvent("x")).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(EventSenderTest, InlineSenderPublishesWithSequenceNumbers) {
  EventBus bus;
  std::vector<proto::Event> got;
  bus.Subscribe([&](const proto::Event& e) { got.push_back(e); });
  InstallEventSender(
      {.fd = -1, .ring = nullptr, .inline_bus = &bus, .source = "inline-target", .call_index = 4});
  ASSERT_TRUE(SendEvent(LogEvent("one")).ok());
  ASSERT_TRUE(SendEvent(LogEvent("two")).ok());
  RemoveEventSender();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].source(), "inline-target");
  EXPECT_EQ(got[0].call_index(), 4);
  EXPECT_EQ(got[0].sequence(), 1u);
  EXPECT_EQ(got[1].sequence(), 2u);
  EXPECT_EQ(got[1].pid(), getpid());
}

TEST(EventSenderTest, ChannelSenderWritesTaggedFrames) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  InstallEventSender(
      {.fd = fds[1], .ring = nullptr, .inline_bus = nullptr, .source = "t", .call_index = 0});
  ASSERT_TRUE(SendEvent(LogEvent("framed")).ok());
  RemoveEventSender();
  close(fds[1]);
  FrameReader reader;
  auto more = reader.ReadFrom(fds[0]);
  close(fds[0]);
  ASSERT_TRUE(more.ok());
  auto frame = reader.Next();
  ASSERT_TRUE(frame.ok() && frame->has_value());
  ASSERT_EQ((**frame)[0], kEventTag);
  EventBus bus;
  std::string text;
  bus.Subscribe([&](const proto::Event& e) { text = e.log_line().text(); });
  ASSERT_TRUE(bus.PublishSerialized(absl::string_view(**frame).substr(1)).ok());
  EXPECT_EQ(text, "framed");
}

}  // namespace
}  // namespace mptest::bus
