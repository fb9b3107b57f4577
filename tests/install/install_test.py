#!/usr/bin/env python3
"""The installed tree stands alone (issue 15): `//:install --prefix=P` into a temporary prefix,
then, from a temporary directory holding copies of the example plugins' sources and nothing of
the checkout:

1. the installed tree holds files, not links back into the build, its pkg-config module
   names the prefix, and the SDK's library holds no generated protobuf code;
2. plugins/examples/example_board, example_harness and out_of_tree/fixed_port_board.cc build
   with exactly `g++ -shared -fPIC SOURCES $(pkg-config --cflags --libs mptest-plugin) -o LIB`
   (PKG_CONFIG_PATH=P/lib/pkgconfig) and export only mptest_plugin_entry; a program of the
   author's own (driver_probe.cc) builds with the example driver and mptest-proto, and its
   Discover call answers;
3. P/bin/mptest, run outside Bazel's runfiles, lists them beside its built-in plugins from
   P/lib/mptest;
4. a campaign on an example_board tentacle (its simulator is the installed virtual board)
   passes; so does one of the example harness's test kind on such a tentacle (both plugins
   loaded with --plugin_path); so does one on a fixed_port tentacle whose port is a virtual
   board this test starts with the firmware the first campaign built (flashed by hand:
   --flash_skip)."""
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("TEST_SRCDIR", ""), "mptest", "tests", "common"))
from mptest_test_util import finish, runfile  # noqa: E402

# What Bazel gives a test and an installed mptest must not see: it would find the checkout's
# files through them instead of its own.
BAZEL_VARIABLES = ("RUNFILES_DIR", "RUNFILES_MANIFEST_FILE", "TEST_SRCDIR", "JAVA_RUNFILES",
                   "PYTHON_RUNFILES", "BUILD_WORKING_DIRECTORY", "BUILD_WORKSPACE_DIRECTORY")


def install_prefix():
    """Where the test installs mptest."""
    return os.path.join(os.environ["TEST_TMPDIR"], "prefix")


def outside_env(work):
    env = {k: v for k, v in os.environ.items() if k not in BAZEL_VARIABLES}
    env["XDG_CACHE_HOME"] = os.path.join(work, "xdg-cache")  # the plugin verdict cache
    env["PKG_CONFIG_PATH"] = f"{install_prefix()}/lib/pkgconfig"  # the installed tree's modules
    return env


def run(argv, work, **kwargs):
    return subprocess.run(argv, cwd=work, env=outside_env(work), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=240, **kwargs)


def gxx(directory, options, sources, modules, output):
    """Copies `sources` into `directory` and runs g++ there on their .cc files with the
    pkg-config line for `modules` (the installed tree's, by PKG_CONFIG_PATH); a problem, or
    None."""
    os.makedirs(directory, exist_ok=True)
    for source in sources:
        shutil.copy(runfile(source), directory)
    cc = [os.path.basename(s) for s in sources if s.endswith(".cc")]
    command = f"g++ {options}{' '.join(cc)} $(pkg-config --cflags --libs {modules}) -o {output}"
    built = run(["/bin/sh", "-c", command], directory)
    return None if built.returncode == 0 else f"{command}: exit {built.returncode}: {built.stdout}"


def build_plugin(work, name, sources):
    """Builds lib<name>.so from copies of `sources` in work/<name>/ with the pkg-config line;
    the directory, or a problem."""
    directory = os.path.join(work, name)
    problem = gxx(directory, "-shared -fPIC ", sources, "mptest-plugin", f"lib{name}.so")
    if problem:
        return None, problem
    exported = run(["nm", "-D", "--defined-only", "--format=just-symbols", f"lib{name}.so"],
                   directory).stdout.split()
    if exported != ["mptest_plugin_entry"]:
        return None, f"lib{name}.so exports {exported}, want only mptest_plugin_entry"
    return directory, None


def basics_specs(work):
    """A specs file of one test kind: MicroPython's basics tests by the native harness."""
    specs = os.path.join(work, "specs.textproto")
    with open(specs, "w") as out:
        out.write('spec { label: "RUN-TESTS_BASICS" fut: "MCU_ONLY" harness: "native" '
                  'args: "--test-dirs=basics" timeout_s: 60 tentacles: 1 }\n')
    return specs


def campaign(work, prefix, name, inventory, plugin_dir, specs, *flags):
    """Runs P/bin/mptest on `inventory` (text) with the test kinds of `specs` (a file), which
    must run one group with every test passed; problems."""
    inventory_path = os.path.join(work, f"{name}.textproto")
    with open(inventory_path, "w") as out:
        out.write(inventory)
    results = os.path.join(work, f"results-{name}")
    ran = run([f"{prefix}/bin/mptest", f"--inventory={inventory_path}", f"--specs={specs}",
               f"--plugin_path={plugin_dir}", f"--testresults={results}",
               f"--build_cache={work}/cache", f"--lock_dir={work}/locks", *flags], work)
    if ran.returncode != 0:
        return [f"{name}: mptest exited {ran.returncode}: {ran.stdout[-3000:]}"]
    with open(os.path.join(results, "results.json")) as handle:
        report = json.load(handle)
    summary = report["summary"]
    problems = []
    if summary["groups_run"] != 1 or summary["tests_passed"] == 0 or \
            summary["tests_passed"] != summary["tests_total"]:
        problems.append(f"{name}: want one group with every test passed, got {summary}")
    label = inventory.split('label: "')[1].split('"')[0]
    if [group["tentacle"] for group in report["groups"]] != [label]:
        problems.append(f"{name}: groups ran on {[g['tentacle'] for g in report['groups']]}")
    return problems


def main():
    work = os.environ["TEST_TMPDIR"]
    prefix = install_prefix()
    problems = []

    installed = subprocess.run([runfile("tools/install/install"), f"--prefix={prefix}"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if installed.returncode != 0:
        return finish("install_test",
                      [f"install exited {installed.returncode}: {installed.stdout}"])
    links = [path for path in glob.glob(f"{prefix}/**", recursive=True) if os.path.islink(path)]
    if links:
        problems.append(f"the installed tree has links into the build: {links[:5]}")
    with open(f"{prefix}/lib/pkgconfig/mptest-plugin.pc") as pc:
        if f"prefix={prefix}\n" not in pc.read():
            problems.append("mptest-plugin.pc does not name the prefix")
    # The SDK's helpers carry no generated protobuf code: the mptest process holds the only
    # copy, and a plugin with a second one would abort it ("File already exists in database").
    sdk_symbols = run(["nm", "--defined-only", f"{prefix}/lib/libmptest_plugin_sdk.a"], work)
    protos = sorted({line.split()[-1] for line in sdk_symbols.stdout.splitlines()
                     if "descriptor_table_" in line})
    if sdk_symbols.returncode != 0 or protos:
        problems.append(f"libmptest_plugin_sdk.a defines protobuf descriptors: {protos[:5]}")

    plugins = os.path.join(work, "plugins")  # the built libraries, copied together
    os.makedirs(plugins)
    example = [f"plugins/examples/example_board/{f}" for f in ("example_board.h",
                                                               "example_board.cc")]
    for name, sources in (
            ("example_board", example + ["plugins/examples/example_board/plugin.cc"]),
            ("example_unittest", ["plugins/examples/example_harness/unittest_harness.cc"]),
            ("fixed_port", ["plugins/examples/out_of_tree/fixed_port_board.cc"])):
        directory, problem = build_plugin(work, name, sources)
        if problem:
            return finish("install_test", problems + [problem])
        shutil.copy(os.path.join(directory, f"lib{name}.so"), plugins)

    probe_dir = os.path.join(work, "probe")
    problem = gxx(probe_dir, "", example + ["tests/install/driver_probe.cc"],
                  "mptest-plugin mptest-proto", "driver_probe")
    if problem:
        problems.append(problem)
    else:
        probed = run(["./driver_probe", "state", "ex01", "VIRTUAL_ESP", "/sim"], probe_dir)
        if probed.returncode != 0 or probed.stdout != "state/ex01/console\n":
            problems.append(f"driver_probe exited {probed.returncode}: {probed.stdout}")

    listed = run([f"{prefix}/bin/mptest", "plugins", f"--plugin_path={plugins}"], work)
    for name, origin in (("example_board", f"{plugins}/libexample_board.so"),
                         ("example_unittest", f"{plugins}/libexample_unittest.so"),
                         ("fixed_port", f"{plugins}/libfixed_port.so"),
                         ("native", f"{prefix}/lib/mptest/plugins/harnesses/libnative.so")):
        if not any(line.split()[:1] == [name] and line.endswith(origin)
                   for line in listed.stdout.splitlines()):
            problems.append(f"mptest plugins: no {name} from {origin}: {listed.stdout}")

    virtual_board = f"{prefix}/lib/mptest/firmware/virtual_board"
    example_tentacle = ('tentacles { label: "ex01-VIRTUAL_ESP" type: "example_board" '
                        f'board: "VIRTUAL_ESP" command: "{virtual_board}" }}\n')
    basics = basics_specs(work)
    problems += campaign(work, prefix, "example_board", example_tentacle, plugins, basics)

    # The example harness's test kind over a suite of its passing script (and a file that is
    # not a test), on an example_board tentacle.
    suite = os.path.join(work, "suite", "unittest")
    os.makedirs(suite)
    for script in ("test_arith.py", "helpers.py"):
        shutil.copy(runfile(f"plugins/examples/example_harness/suite/unittest/{script}"), suite)
    problems += campaign(work, prefix, "example_unittest", example_tentacle, plugins,
                         runfile("plugins/examples/example_harness/specs.textproto"),
                         f"--micropython_tests={os.path.dirname(suite)}")

    # A board on a fixed port, flashed by hand with the firmware the first campaign built.
    images = glob.glob(f"{work}/cache/firmware/*/VIRTUAL_ESP.vimg")
    if not images:
        return finish("install_test", problems + ["the first campaign built no VIRTUAL_ESP image"])
    flash = os.path.join(work, "fixed.flash")
    shutil.copy(images[0], flash)
    port = os.path.join(work, "bench", "port")
    os.makedirs(os.path.dirname(port))
    board = subprocess.Popen([virtual_board, "--board=VIRTUAL_ESP", f"--flash={flash}",
                              f"--link={port}"], stderr=subprocess.PIPE, text=True)
    try:
        announced = board.stderr.readline()  # its first line comes once the port is there
        if not announced.startswith("mptest-virtual-board: pty"):
            problems.append(f"the fixed port's board did not start: {announced}")
        else:
            problems += campaign(work, prefix, "fixed_port",
                                 'tentacles { label: "fp01-VIRTUAL_ESP" type: "fixed_port" '
                                 'board: "VIRTUAL_ESP" '
                                 f'tags {{ key: "port" value: "{port}" }} }}\n',
                                 plugins, basics, "--flash_skip")
    finally:
        board.terminate()
        board.wait(timeout=30)
    return finish("install_test", problems)


if __name__ == "__main__":
    sys.exit(main())
