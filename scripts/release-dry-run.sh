#!/usr/bin/env bash
# The release dry run (run by the release:dry-run task, which the package task runs): computes the version and the
# changelog that the release workflow would give the next release, from the committed history, with projen's own
# `bump` task, in a throwaway clone, so that the working tree, its tags and its dist/ are never touched. Nothing is
# published and no tag is made.
#
# The clone is of the committed HEAD; it runs the tasks of the working tree's .projen/tasks.json (the release
# configuration being checked) with the working tree's node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "release:dry-run: SKIPPED: not a git repository"
  exit 0
fi

clone="$(mktemp -d "${TMPDIR:-/tmp}/release-dry-run.XXXXXX")"
trap 'rm -rf "$clone"' EXIT

git clone --quiet . "$clone"
cp .projen/tasks.json "$clone/.projen/tasks.json"
ln -s "$PWD/node_modules" "$clone/node_modules"

latest="$(git -C "$clone" tag --list 'v*' --sort=-version:refname | sed -n 1p)"
echo "release:dry-run: latest release tag: ${latest:-none (the next release is the first)}"

log="$clone/.bump.log"
# Offline: projen runs commit-and-tag-version with npx, which must take it from node_modules (a dev dependency).
if ! (cd "$clone" && npm_config_offline=true npx projen bump) >"$log" 2>&1; then
  cat "$log" >&2
  echo "release:dry-run: projen bump failed (above)" >&2
  exit 1
fi

if [ ! -f "$clone/dist/version.txt" ]; then
  # The bump task's condition: the latest commit is a release commit, so there is nothing to release.
  echo "next version: none (nothing to release since the latest commit)"
  exit 0
fi
echo "next version: $(cat "$clone/dist/version.txt") (tag $(cat "$clone/dist/releasetag.txt"))"
echo "changelog (dist/changelog.md of the release, first lines):"
# (Without its leading blank lines; the file does not end with a newline. sed, not head, reads to the end: no
# SIGPIPE under pipefail.)
{ cat "$clone/dist/changelog.md"; echo; } | sed '/./,$!d' | sed -n '1,15s/^/  /p'
