#!/bin/bash
# Fake mpremote test: uses $MPREMOTE and the temporary directory.
set -e
$MPREMOTE exec "print(1)"
echo "tmp is $TMP and $1"
