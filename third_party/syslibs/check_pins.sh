#!/usr/bin/env bash
# Checks every line of a pins file (third_party/system_libs.pins) against this machine:
# each pkg-config module must exist and report the pinned version; each bin:PROGRAM must be on
# PATH and print the pinned version. Prints one clear line per problem and a single apt-get
# command that fixes the missing ones. Exit 0: all match; 3: something is missing or differs;
# 2: the pins file itself is malformed.
set -u
pins="${1:?usage: check_pins.sh PINS_FILE}"
if [[ ! -r "$pins" ]]; then
  echo "error: cannot read pins file '$pins'" >&2
  exit 2
fi

problems=0
declare -A to_install=()
lineno=0
while IFS= read -r line || [[ -n "$line" ]]; do
  lineno=$((lineno + 1))
  line="${line%%#*}"
  [[ -z "${line//[[:space:]]/}" ]] && continue
  read -r target modules version package extra <<<"$line"
  if [[ -z "${package:-}" || -n "${extra:-}" ]]; then
    echo "error: $pins:$lineno: expected 'target modules version package', got '$line'" >&2
    exit 2
  fi
  IFS=',' read -r -a mods <<<"$modules"
  for mod in "${mods[@]}"; do
    if [[ "$mod" == bin:* ]]; then
      prog="${mod#bin:}"
      if ! command -v "$prog" >/dev/null 2>&1; then
        echo "error: $target: program '$prog' is not installed (Debian package $package)" >&2
        to_install[$package]=1; problems=$((problems + 1)); continue
      fi
      have="$("$prog" --version 2>&1 | grep -Eo '[0-9]+(\.[0-9]+)+' | head -n1)"
    else
      if ! pkg-config --exists "$mod" 2>/dev/null; then
        echo "error: $target: pkg-config module '$mod' was not found (Debian package $package)" >&2
        to_install[$package]=1; problems=$((problems + 1)); continue
      fi
      have="$(pkg-config --modversion "$mod")"
    fi
    if [[ "$have" != "$version" ]]; then
      echo "error: $target: '$mod' is version $have, but $pins:$lineno pins $version" \
           "(Debian package $package). Install $package $version," \
           "or change the pin after checking that mptest builds and passes with $have." >&2
      problems=$((problems + 1))
    fi
  done
done <"$pins"

if ((problems > 0)); then
  if ((${#to_install[@]} > 0)); then
    echo "To install what is missing: sudo apt-get install -y ${!to_install[*]}" >&2
    echo "(or run ./bazelw, which installs it for you)" >&2
  fi
  exit 3
fi
exit 0
