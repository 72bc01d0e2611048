#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when hallq's C sources use a banned function (as git's banned.h): unbounded copies,
# static-buffer time conversion, non-reentrant tokenising.
cd "${1:-.}" || exit 2
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strtok|gmtime|localtime|asctime|ctime|gets)\s*\(' \
    $(git ls-files 'src/*.c' 'src/*.h' 'tools/*.c' 'bench/*.c' 2>/dev/null || find src tools bench -name '*.[ch]'); then
  echo "banned function used (see tools/check-banned.sh)"; exit 1
fi
echo "1 passed, 0 failed"
