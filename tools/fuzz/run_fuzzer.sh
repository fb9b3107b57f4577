#!/bin/bash
# Runs an mptest fuzz target under libFuzzer (clang++ -fsanitize=fuzzer,address) for a time.
#   tools/fuzz/run_fuzzer.sh NAME SECONDS [extra libFuzzer flags...]
# NAME is the corpus directory's name: testdata/fuzz/NAME/ holds the corpus, and the target is
# the mptest_fuzz_test whose corpus is //testdata/fuzz/NAME:corpus. The target's own sources
# and its dependencies' sources inside this repository are compiled with clang; system
# libraries (absl, protobuf) are linked through pkg-config. New interesting inputs go to a
# temporary directory (printed at the end): copy the useful ones into testdata/fuzz/NAME/.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 NAME SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
name="$1"
seconds="$2"
shift 2
cd "$(dirname "$0")/../.."
corpus="testdata/fuzz/${name}"
if [[ ! -d "${corpus}" ]]; then
  echo "run_fuzzer: no corpus directory ${corpus}" >&2
  exit 2
fi
bazel="${BAZEL:-bazel}"
# --keep_going: a package broken elsewhere in the tree must not hide this target (query then
# exits 3 with the partial result).
query() { "${bazel}" query --keep_going --noshow_progress "$@" 2>/dev/null || true; }
target="$(query "attr(tags, mptest_fuzz, rdeps(//..., //${corpus}:corpus, 1))" | head -1)"
if [[ -z "${target}" ]]; then
  echo "run_fuzzer: no mptest_fuzz_test uses //${corpus}:corpus" >&2
  exit 2
fi
echo "run_fuzzer: target ${target}"
# Generated sources (protobuf) must exist before they can be compiled.
if ! "${bazel}" build --noshow_progress "${target}" >/dev/null 2>&1; then
  echo "run_fuzzer: 'bazel build ${target}' failed; fix the build first" >&2
  exit 2
fi
label_to_path() { sed -e 's|^//||' -e 's|:|/|'; }
# Programs the target only runs (data: *_main.cc) are left out: their main() is libFuzzer's.
# Bazel's own C++ runfiles library (used by the plugin search) lives in @bazel_tools.
bazel_tools="$("${bazel}" info output_base 2>/dev/null)/external/bazel_tools"
sources="$(query "kind('source file', deps(${target})) except //tools/fuzz:fuzz_corpus_main.cc" |
  grep '^//' | grep -E '\.(cc|cpp)$' | grep -v '_main\.cc$' | label_to_path || true)
$(query "kind('source file', deps(${target}))" | grep -E '^@bazel_tools//tools/cpp/runfiles:.*\.cc$' |
  sed -e "s|^@bazel_tools//|${bazel_tools}/|" -e 's|:|/|' || true)"
# cc_proto_library writes <package>/<name>.pb.cc beside each .proto under bazel-bin.
generated="$(query "kind('source file', deps(${target}))" | grep '^//' | grep -E '\.proto$' | label_to_path |
  sed -e 's|^|bazel-bin/|' -e 's|\.proto$|.pb.cc|' || true)"
for file in ${generated}; do
  if [[ ! -f "${file}" ]]; then
    echo "run_fuzzer: ${file} is missing (did 'bazel build ${target}' work?)" >&2
    exit 2
  fi
done
workdir="$(mktemp -d /tmp/mptest-fuzz-${name}.XXXXXX)"
binary="${workdir}/${name}_fuzzer"
libs="$(pkg-config --libs absl_strings absl_str_format absl_status absl_statusor absl_time \
  absl_synchronization absl_flags absl_flags_parse absl_hash absl_raw_hash_set absl_cord protobuf \
  libglog gflags libserialport 2>/dev/null || true) -ldl -lpthread"
echo "run_fuzzer: compiling $(echo ${sources} ${generated} | wc -w) files with clang++"
# Undefined behaviour is a finding too: it stops the run with a crash file.
# shellcheck disable=SC2086
clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I. -Ibazel-bin -I"${bazel_tools}" \
  ${sources} ${generated} ${libs} -o "${binary}"
mkdir -p "${workdir}/new"
echo "run_fuzzer: fuzzing for ${seconds}s; new inputs in ${workdir}/new"
"${binary}" -max_total_time="${seconds}" -print_final_stats=1 \
  -artifact_prefix="${workdir}/" "$@" "${workdir}/new" "${corpus}"
echo "run_fuzzer: crashes (if any) are ${workdir}/crash-*"
echo "run_fuzzer: done; new inputs: $(ls "${workdir}/new" | wc -l) in ${workdir}/new"
