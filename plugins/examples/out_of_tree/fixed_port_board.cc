// The second worked example of docs/writing-a-plugin.md: a plugin built OUTSIDE the mptest
// workspace with a plain compiler command line against an installed mptest
// (./bazelw run //:install -- --prefix=P; PKG_CONFIG_PATH=P/lib/pkgconfig), nothing else:
//
//   g++ -shared -fPIC fixed_port_board.cc $(pkg-config --cflags --libs mptest-plugin)
//       -o libfixed_port.so
//
// (one command line; see docs/writing-a-plugin.md for the full walk-through)
//
// The tentacle type "fixed_port": boards wired to a fixed serial device, named in the inventory
// entry's tags (tags { key: "port" value: "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0" }),
// flashed by hand. mptest picks it up with --plugin_path; the scheduler is not touched.
#include <sys/stat.h>

#include <string>

#include "core/api/plugin_sdk.h"

namespace {

class FixedPortBoardDriver : public mptest::BoardDriver {
 public:
  absl::StatusOr<mptest::proto::DiscoverResponse> Discover(
      const mptest::proto::DiscoverRequest& request) override {
    mptest::proto::DiscoverResponse response;
    for (const auto& entry : request.inventory().tentacles()) {
      auto port = entry.tags().find("port");
      if (port == entry.tags().end() || port->second.empty()) {
        return absl::InvalidArgumentError("inventory entry " + entry.label() +
                                          ": tags must give the serial \"port\"");
      }
      mptest::proto::Tentacle* tentacle = response.add_tentacles();
      *tentacle->mutable_entry() = entry;
      for (const auto& board : request.boards()) {
        if (board.name() == entry.board()) *tentacle->mutable_board() = board;
      }
      tentacle->set_console(port->second);
      tentacle->set_state("idle");
    }
    return response;
  }

  absl::StatusOr<mptest::proto::Tentacle> Start(const mptest::proto::Tentacle& tentacle) override {
    struct stat st;
    if (stat(tentacle.console().c_str(), &st) != 0) {
      return absl::UnavailableError("tentacle " + tentacle.entry().label() + ": port " +
                                    tentacle.console() + " is not there (board unplugged?)");
    }
    mptest::proto::Tentacle started = tentacle;
    started.set_state("ready");
    return started;
  }

  // No PowerCycle: fixed_port boards have no power switch (the default answers UNIMPLEMENTED).

  absl::Status Flash(const mptest::proto::FlashRequest& request) override {
    return absl::UnimplementedError("fixed_port boards are flashed by hand; flash " +
                                    request.firmware().path() + " onto " +
                                    request.tentacle().entry().label() + " yourself");
  }

  absl::Status Stop(const mptest::proto::Tentacle&) override { return absl::OkStatus(); }
};

}  // namespace

MPTEST_PLUGIN("fixed_port", "0.1.0", "Boards on fixed serial ports, flashed by hand",
              FixedPortBoardDriver);
