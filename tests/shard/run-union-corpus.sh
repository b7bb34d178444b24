#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run-union-corpus.sh - run-union.sh on the public corpus and the bench file
# (a system test: needs ../shared; SKIP 77 without it unless FLOWSTATE_REQUIRE_ALL=1).
exec bash "$(dirname "$0")/run-union.sh" --corpus
