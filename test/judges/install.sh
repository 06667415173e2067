#!/usr/bin/env bash
# Installs the judges that the test suite runs on the library's templates (cfn-lint with an IAM database, and
# checkov) into project-local Python virtual environments under .venv/, from the hashed lock files beside this
# script. An environment whose lock file has not changed since it was installed is kept as it is.
#
# Without Python 3.9 or later, the judges are skipped with a line saying so, unless JUDGES_REQUIRED=1 (as in
# .ci/run), which makes their absence an error.
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
  if [ "${JUDGES_REQUIRED:-0}" = "1" ]; then
    echo "judges: Python 3.9 or later with venv is required (set PYTHON to its path)" >&2
    exit 1
  fi
  echo "judges: SKIPPED (cfn-lint, IAM reference check, checkov): no Python 3.9 or later with venv found"
  exit 0
fi

install() {
  local name=$1 lock=test/judges/$1.txt
  local target=.venv/$name stamp=.venv/$name/.installed-from
  local wanted
  wanted=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return
  fi
  echo "judges: installing $name into $target"
  rm -rf "$target"
  "$python" -m venv "$target"
  "$target/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$lock"
  echo "$wanted" > "$stamp"
}

install cfn-lint
install checkov
