#!/usr/bin/env bash
# The plugin guides' command lines work as written (issue 15): every `./bazelw run //tools:mptest
# -- ...` line of docs/writing-a-plugin.md and docs/writing-a-harness.md runs (exit 0, or 1 for a
# campaign whose tests fail) with the
# guide's own textproto files (code blocks "```textproto NAME"), as `bazel run` would run it
# (started in mptest's runfiles, $PWD the workspace, relative files the user's); lines with a
# `...` placeholder are left out. (The guides' `./bazelw test|build` lines name tests that run in
# `./bazelw test //...` anyway.)
set -uo pipefail
runfiles="$TEST_SRCDIR/mptest"
mptest="$runfiles/tools/mptest"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/docs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

for doc in docs/writing-a-plugin.md docs/writing-a-harness.md; do
  # The guide's files, and its command lines with their continuations joined.
  python3 - "$runfiles/$doc" "$work" >"$work/commands" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read().split("\n")
block, name, lines = None, None, []
for line in text:
    if line.startswith("```"):
        if block is None:
            info = line[3:].split()
            block, name, lines = (info[0] if info else ""), (info[1] if len(info) > 1 else None), []
        else:
            if name:
                with open(os.path.join(sys.argv[2], name), "w") as f:
                    f.write("\n".join(lines) + "\n")
            elif block in ("", "sh"):
                joined = re.sub(r"\\\n\s*", "", "\n".join(lines))
                for command in joined.split("\n"):
                    command = re.sub(r"\s+#.*$", "", command).strip()
                    if command.startswith("./bazelw "):
                        print(command)
            block = None
        continue
    if block is not None:
        lines.append(line)
PY
  while IFS= read -r command; do
    read -r -a words <<<"$command"
    case "${words[1]}" in
      run)
        [[ $command == *"..."* ]] && continue  # a placeholder the reader fills in
        # Other programs (//:install) have tests of their own (tests/install).
        [[ ${words[2]} == //tools:mptest && ${words[3]} == -- ]] || continue
        args="${command#*-- }"
        args="${args//\$PWD\/bazel-bin\//$runfiles/}"
        args="${args//\$PWD\//$runfiles/}"
        read -r -a argv <<<"$args"
        (cd "$runfiles" && BUILD_WORKING_DIRECTORY="$work" "$mptest" "${argv[@]}" \
          --testresults="$work/results" >"$work/out" 2>&1)
        code=$?
        # 1 is a campaign whose tests failed: the harness guide's suite fails one on purpose.
        if ((code == 0 || code == 1)); then
          echo "ok: $doc: $command (exit $code)"
        else
          fail "$doc: $command: exit $code: $(tail -n 15 "$work/out")"
        fi
        ;;
    esac
  done <"$work/commands"
done
((failures == 0)) || exit 1
echo "docs_test: PASS"
