#!/usr/bin/env bash
# Lints the GitHub workflows that projen writes (.github/workflows/*.yml) with actionlint (run by the lint:workflows
# task, which the test task runs). actionlint is built from its module at a pinned version into .tools/bin with
# `go install`, through the Go module and build caches, and kept while its version is the pinned one.
#
# Without go on the PATH this prints a line saying that it skips actionlint, unless ACTIONLINT_REQUIRED=1 (as in
# .ci/run), which makes it an error.
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.7.12
tools="$PWD/.tools/bin"
actionlint="$tools/actionlint"

if [ ! -x "$actionlint" ] || [ "$("$actionlint" -version | head -n 1)" != "$version" ]; then
  if ! command -v go >/dev/null; then
    if [ "${ACTIONLINT_REQUIRED:-0}" = "1" ]; then
      echo "lint:workflows: no go on the PATH to install actionlint $version with, and ACTIONLINT_REQUIRED=1" >&2
      exit 1
    fi
    echo "lint:workflows: SKIPPED: no go on the PATH to install actionlint $version with"
    exit 0
  fi
  echo "lint:workflows: installing actionlint $version into .tools/bin"
  GOBIN="$tools" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi

# shellcheck and pyflakes, which actionlint runs on the workflows' scripts when it finds them on the PATH, are turned
# off: the result must not depend on what else the machine has.
"$actionlint" -shellcheck= -pyflakes= .github/workflows/*.yml
echo "lint:workflows: actionlint $version found nothing in $(ls .github/workflows/*.yml | wc -l) workflows"
