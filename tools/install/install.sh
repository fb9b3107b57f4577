#!/usr/bin/env bash
# Installs mptest and its plugin SDK under a prefix: `./bazelw run //:install -- --prefix=DIR`.
# Copies what install_manifest.txt lists (destination, then runfiles path, per line) and writes
# the prefix into the pkg-config files. Relative prefixes are taken from where bazel was run.
set -euo pipefail
usage() { echo "usage: install --prefix=DIR" >&2; exit 2; }
prefix=""
for arg in "$@"; do
  case "$arg" in
    --prefix=?*) prefix="${arg#--prefix=}" ;;
    *) usage ;;
  esac
done
[[ -n "$prefix" ]] || usage
[[ "$prefix" == /* ]] || prefix="${BUILD_WORKING_DIRECTORY:-$PWD}/$prefix"
prefix="${prefix%/}"

runfiles="$0.runfiles"  # under `bazel run`; a test that runs the installer gives RUNFILES_DIR
[[ -d "$runfiles" ]] || runfiles="${RUNFILES_DIR:?install: no runfiles}"
manifest="$runfiles/mptest/tools/install/install_manifest.txt"
[[ -r "$manifest" ]] || { echo "install: cannot read $manifest" >&2; exit 1; }

count=0
while IFS=$'\t' read -r destination source; do
  from="$runfiles/$source"
  to="$prefix/$destination"
  mode=0644
  [[ -x "$from" ]] && mode=0755
  mkdir -p "$(dirname "$to")"
  if [[ "$destination" == *.pc ]]; then
    sed "s|@PREFIX@|$prefix|" "$from" >"$to.tmp"
    chmod "$mode" "$to.tmp"
    mv -f "$to.tmp" "$to"
  else
    install -m "$mode" "$from" "$to"
  fi
  count=$((count + 1))
done <"$manifest"
echo "install: $count files under $prefix"
echo "install: for plugins, export PKG_CONFIG_PATH=$prefix/lib/pkgconfig and build with"
echo "  g++ -shared -fPIC X.cc \$(pkg-config --cflags --libs mptest-plugin) -o libX.so"
