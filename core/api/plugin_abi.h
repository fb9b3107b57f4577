/*
 * plugin_abi.h: the C ABI between mptest and a plugin shared library.
 *
 * A plugin is a shared object that exports exactly one symbol, MPTEST_PLUGIN_ENTRY_SYMBOL:
 *
 *   const mptest_plugin_descriptor* mptest_plugin_entry(void);
 *
 * The descriptor says which ABI the plugin was built for (its FIRST field, read before anything
 * else), its own size, the plugin's name and version, and the kinds it provides (a builder, a
 * board driver, a harness), each as a table of C functions. Request and response messages cross
 * as serialized protocol buffers (the messages of core/proto/tentacle.proto); errors cross as an
 * absl::StatusCode value plus a UTF-8 message. No C++ object, exception, allocator or std type
 * crosses, so a plugin built with another compiler version, or written in C, still works.
 *
 * C++ authors do not use this header directly: core/api/plugin_sdk.h turns an implementation of
 * mptest::Builder / mptest::BoardDriver / mptest::Harness into this ABI with one macro. The
 * fixtures in testdata/plugins/ show plain-C plugins.
 *
 * OWNERSHIP rule, the same for every call: nothing is freed across the boundary.
 *  - Pointers passed by the host (requests, the output sink) are BORROWED by the plugin for the
 *    duration of the call only; the plugin must not keep them.
 *  - Bytes the plugin produces are handed to the host through mptest_plugin_output.write, which
 *    COPIES them before returning; the plugin keeps ownership of its buffers.
 *  - Pointers in the descriptor and its tables are owned by the plugin and must stay valid (static
 *    storage) for as long as the library is loaded. mptest never dlclose()s a plugin.
 *
 * THREADING: after init returns OK, the host may call any table function from several threads at
 * once, and from child processes forked after loading. Plugins keep no per-tentacle state in
 * memory (see core/api/board_driver.h): it lives in Tentacle.runtime.
 *
 * ERRORS: every function that can fail returns an mptest_plugin_status: 0 (MPTEST_PLUGIN_OK) or an
 * absl::StatusCode value (2 unknown, 3 invalid argument, 5 not found, 12 unimplemented, 13
 * internal, 14 unavailable, ...). On failure the plugin writes the message to `out`; on success
 * `out` receives the serialized response message. A C++ exception must never leave a plugin
 * function: the SDK catches everything at the boundary and turns it into MPTEST_PLUGIN_INTERNAL.
 */
#ifndef MPTEST_CORE_API_PLUGIN_ABI_H_
#define MPTEST_CORE_API_PLUGIN_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The ABI version. Rule for bumping it (write the reason in the commit):
 *  - BUMP when a field or function of any struct below is removed, reordered or changes type or
 *    meaning, when a struct shrinks, or when the meaning of a status code or message changes.
 *    mptest refuses plugins built for any other version ("built for ABI 3, this mptest supports
 * 2").
 *  - DO NOT bump when a new optional function or field is placed in a reserved slot: old plugins
 *    have NULL/0 there (the rule below requires it), and the host treats NULL as "not provided".
 *    Such additions must be optional; a new REQUIRED function is a bump.
 */
#define MPTEST_PLUGIN_ABI_VERSION 1u

/* The name of the one symbol a plugin exports. */
#define MPTEST_PLUGIN_ENTRY_SYMBOL "mptest_plugin_entry"

/* Number of reserved slots at the end of each struct. They must be NULL (0) in this version. */
#define MPTEST_PLUGIN_RESERVED_SLOTS 8

/* An absl::StatusCode value; 0 is OK. */
typedef int32_t mptest_plugin_status;
#define MPTEST_PLUGIN_OK 0
#define MPTEST_PLUGIN_INVALID_ARGUMENT 3
#define MPTEST_PLUGIN_UNIMPLEMENTED 12
#define MPTEST_PLUGIN_INTERNAL 13

/*
 * Where a plugin function writes its result: the serialized response message on success, the
 * error message on failure. OWNERSHIP: host; borrowed for the duration of the call.
 * `write` appends `size` bytes from `data` (OWNERSHIP: plugin; copied before write returns) and
 * may be called any number of times. `host_context` is opaque to the plugin.
 */
typedef struct mptest_plugin_output {
  void* host_context;
  void (*write)(void* host_context, const char* data, size_t size);
} mptest_plugin_output;

/*
 * What the host offers the plugin, passed to init. OWNERSHIP: host; valid while the library is
 * loaded (the plugin may keep the pointer).
 */
typedef struct mptest_plugin_host {
  uint32_t abi_version;       /* the host's MPTEST_PLUGIN_ABI_VERSION */
  uint32_t struct_size;       /* sizeof(mptest_plugin_host) in the host */
  const char* mptest_version; /* e.g. "0.1.0"; OWNERSHIP: host */
  /* Logs one line into mptest's log. severity: 0 info, 1 warning, 2 error. `message`
   * (OWNERSHIP: plugin, copied) need not be NUL-terminated. Thread-safe. Never NULL. */
  void (*log)(int32_t severity, const char* message, size_t size);
  /* In what was the first reserved slot (no ABI bump): a harness reports one test as it starts
   * and as it ends, while its run goes on. `progress` (OWNERSHIP: plugin, copied) is a serialized
   * mptest.proto.TestProgress. Thread-safe, returns quickly. NULL in an mptest older than this
   * call: a plugin must check before calling (the SDK does). */
  void (*report_test)(const char* progress, size_t size);
  /* In what was the second reserved slot (no ABI bump): a builder reports what its Build does
   * while it runs. `progress` (OWNERSHIP: plugin, copied) is a serialized
   * mptest.proto.BuildProgress. Thread-safe, returns quickly. NULL in an mptest older than this
   * call: a plugin must check before calling (the SDK does). */
  void (*report_build)(const char* progress, size_t size);
  void* reserved[MPTEST_PLUGIN_RESERVED_SLOTS - 2];
} mptest_plugin_host;

/*
 * A firmware builder (mptest::Builder). Every function is REQUIRED unless marked optional.
 * Request/response are serialized messages of core/proto/tentacle.proto.
 */
typedef struct mptest_plugin_builder {
  uint32_t struct_size; /* sizeof(mptest_plugin_builder) in the plugin */
  /* BuildRequest -> Firmware */
  mptest_plugin_status (*build)(const char* request, size_t request_size,
                                mptest_plugin_output* out);
  void* reserved[MPTEST_PLUGIN_RESERVED_SLOTS];
} mptest_plugin_builder;

/* A tentacle type (mptest::BoardDriver). Every function is REQUIRED but read_version. */
typedef struct mptest_plugin_board_driver {
  uint32_t struct_size; /* sizeof(mptest_plugin_board_driver) in the plugin */
  /* DiscoverRequest -> DiscoverResponse */
  mptest_plugin_status (*discover)(const char* request, size_t request_size,
                                   mptest_plugin_output* out);
  /* Tentacle -> Tentacle */
  mptest_plugin_status (*start)(const char* request, size_t request_size,
                                mptest_plugin_output* out);
  /* Tentacle -> nothing (out only carries an error message) */
  mptest_plugin_status (*power_cycle)(const char* request, size_t request_size,
                                      mptest_plugin_output* out);
  /* FlashRequest -> nothing */
  mptest_plugin_status (*flash)(const char* request, size_t request_size,
                                mptest_plugin_output* out);
  /* Tentacle -> nothing */
  mptest_plugin_status (*stop)(const char* request, size_t request_size, mptest_plugin_output* out);
  /* OPTIONAL, in what was the first reserved slot (no ABI bump; NULL = not provided): the
   * board's version probe. Tentacle -> BoardIdentity. UNIMPLEMENTED, like NULL, makes mptest
   * probe the board itself over the raw REPL. */
  mptest_plugin_status (*read_version)(const char* request, size_t request_size,
                                       mptest_plugin_output* out);
  void* reserved[MPTEST_PLUGIN_RESERVED_SLOTS - 1];
} mptest_plugin_board_driver;

/* A test harness (mptest::Harness). Every function is REQUIRED. */
typedef struct mptest_plugin_harness {
  uint32_t struct_size; /* sizeof(mptest_plugin_harness) in the plugin */
  /* HarnessRequest -> HarnessResult */
  mptest_plugin_status (*run)(const char* request, size_t request_size, mptest_plugin_output* out);
  void* reserved[MPTEST_PLUGIN_RESERVED_SLOTS];
} mptest_plugin_harness;

/*
 * What mptest_plugin_entry returns. OWNERSHIP: plugin, static storage.
 * The host reads abi_version first and stops there if it differs from its own; then it checks
 * struct_size, the strings and that every table has its required functions.
 */
typedef struct mptest_plugin_descriptor {
  uint32_t abi_version; /* MUST be first: MPTEST_PLUGIN_ABI_VERSION the plugin was built with */
  uint32_t struct_size; /* sizeof(mptest_plugin_descriptor) in the plugin */
  /* The plugin's name, unique among loaded plugins: [a-z0-9_]+, at most 64 characters. It is
   * what inventories (tentacle type), board definitions (builder) and test specs (harness)
   * refer to. OWNERSHIP: plugin, static. */
  const char* name;
  const char* version; /* the plugin's own version, free-form, e.g. "1.2.0". OWNERSHIP: plugin */
  const char* description; /* one line for `mptest plugins`; may be NULL */
  /* REQUIRED. Called once, after the checks and before any table function. `host` stays valid.
   * On failure writes a message to `error` and the plugin is rejected (never called again). */
  mptest_plugin_status (*init)(const mptest_plugin_host* host, mptest_plugin_output* error);
  /* The kinds provided; NULL = not provided. At least one must be non-NULL. */
  const mptest_plugin_builder* builder;
  const mptest_plugin_board_driver* board_driver;
  const mptest_plugin_harness* harness;
  void* reserved[MPTEST_PLUGIN_RESERVED_SLOTS];
} mptest_plugin_descriptor;

/* The entry symbol's type. */
typedef const mptest_plugin_descriptor* (*mptest_plugin_entry_fn)(void);

/* Marks the entry symbol as exported even when compiled with -fvisibility=hidden. */
#if defined(__GNUC__)
#define MPTEST_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MPTEST_PLUGIN_EXPORT
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MPTEST_CORE_API_PLUGIN_ABI_H_ */
