#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when a C source is not formatted with the repo's .clang-format.
cd "${1:-.}" || exit 2
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tools/*.c' 'bench/*.c' 2>/dev/null)
[ -n "$files" ] || { echo "0 passed, 0 failed"; exit 0; }
clang-format --dry-run -Werror $files || exit 1
echo "1 passed, 0 failed"
