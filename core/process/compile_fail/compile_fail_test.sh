#!/usr/bin/env bash
# Compiles each case, a small source that must NOT compile, and checks what the compiler says:
#   // EXPECT-ERROR: <extended regex>   the first line with "error:" must match it
#   // EXPECT-OUTPUT: <text>            the whole output must contain it (any number of lines)
#   // EXPECT-ERRORS: <n>               exactly n lines with "error:" (default 1: one short error)
# A case marked // EXPECT-COMPILES must compile cleanly instead (it proves the include paths
# work, so a broken setup cannot pass as "every case failed to compile").
# Usage: compile_fail_test.sh <c++ compiler> <case.cc>...  (run from the runfiles root, where
# the headers of //core/process:pcall, generated ones included, are laid out by path).
set -uo pipefail
export LC_ALL=C  # plain quotes in the compiler's messages

compiler="$1"
shift
# Bazel's test sharding: this shard takes every TEST_TOTAL_SHARDS-th case.
if [[ -n "${TEST_TOTAL_SHARDS:-}" ]]; then
  [[ -n "${TEST_SHARD_STATUS_FILE:-}" ]] && touch "$TEST_SHARD_STATUS_FILE"
  shard_cases=()
  index=0
  for case in "$@"; do
    ((index++ % TEST_TOTAL_SHARDS == TEST_SHARD_INDEX)) && shard_cases+=("$case")
  done
  set -- "${shard_cases[@]}"
fi
failures=0
case_failed=0
fail() {
  echo "FAIL $1: $2" >&2
  case_failed=1
}

for case in "$@"; do
  case_failed=0
  output="$("$compiler" -x c++ -std=c++17 -fsyntax-only -Wall -Wextra -Werror -I. "$case" 2>&1)"
  status=$?
  if grep -q '^// EXPECT-COMPILES' "$case"; then
    if ((status != 0)); then
      fail "$case" "must compile, but the compiler said:"$'\n'"$output"
      failures=$((failures + 1))
    else
      echo "ok   $case (compiles)"
    fi
    continue
  fi
  if ((status == 0)); then
    fail "$case" "compiled, but it must not"
    failures=$((failures + 1))
    continue
  fi
  expected="$(sed -n 's|^// EXPECT-ERROR: ||p' "$case")"
  first="$(grep -m1 'error:' <<<"$output")"
  if [[ -z "$expected" ]]; then
    fail "$case" "has no // EXPECT-ERROR: line"
  elif ! grep -Eq -- "$expected" <<<"$first"; then
    fail "$case" "the first error does not match /$expected/; it is:"$'\n'"$first"$'\n'"$output"
  fi
  while IFS= read -r text; do
    if ! grep -Fq -- "$text" <<<"$output"; then
      fail "$case" "the output does not contain '$text':"$'\n'"$output"
    fi
  done < <(sed -n 's|^// EXPECT-OUTPUT: ||p' "$case")
  want_errors="$(sed -n 's|^// EXPECT-ERRORS: ||p' "$case")"
  errors="$(grep -c 'error:' <<<"$output")"
  if [[ "$errors" != "${want_errors:-1}" ]]; then
    fail "$case" "$errors errors, expected ${want_errors:-1}:"$'\n'"$output"
  fi
  if ((case_failed)); then
    failures=$((failures + 1))
  else
    echo "ok   $case ($(wc -l <<<"$output") lines: $first)"
  fi
done

if ((failures > 0)); then
  echo "$failures of $# cases failed" >&2
  exit 1
fi
echo "all $# cases passed"
