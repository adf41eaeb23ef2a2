#!/usr/bin/env bash
# The static checks of `npm test`, two at a time on CI's two cores: the type checks beside the
# linters (eslint, the layering rules of depcruise, prettier), each lane in its usual order.
# Every lane runs to its end, so one run reports every kind of mistake; the exit status fails
# when any check failed. (Measured one after another: tsc 38 s + 6 s, eslint 27 s, depcruise
# 6 s, prettier 29 s.)
set -uo pipefail
cd "$(dirname "$0")/.."
npm run -s typecheck &
types=$!
npm run -s lint
lint=$?
wait "$types"
types=$?
[ "$types" = 0 ] || echo "checks: the type check failed" >&2
[ "$lint" = 0 ] || echo "checks: lint failed" >&2
[ "$types" = 0 ] && [ "$lint" = 0 ]
