#!/usr/bin/env bash
# Builds the package of one language into dist/<language> with jsii-pacmak (run by the package:<language> tasks):
#
#   js      the npm tarball
#   python  the wheel and the sdist, built with the tools locked in python-build.txt, from a wheelhouse under .venv/
#   java    the jar, with its sources and javadoc jars and pom, as a Maven repository, through the local Maven
#           repository (~/.m2/repository unless MAVEN_LOCAL_REPOSITORY says otherwise)
#   go      the Go module's sources, then compiled with the module versions that test/bindings/go/go.sum pins
#           (the module proxy serves neither aws-cdk-go at the library's floor nor the jsii runtime that the
#           generated go.mod names, so jsii-pacmak's own `go mod tidy` cannot run)
#   dotnet  the NuGet package with the .NET SDK (dotnet on the PATH, as in the release workflow); the sources only
#           without it
#
# A language whose toolchain is missing is skipped with a line saying so, unless BINDINGS_REQUIRED=1 (as in
# .ci/run), which makes it an error.
set -euo pipefail
cd "$(dirname "$0")/../.."

language=${1:?usage: package.sh js|python|java|go|dotnet}

skip() {
  if [ "${BINDINGS_REQUIRED:-0}" = "1" ]; then
    echo "package:$language: $1, and BINDINGS_REQUIRED=1" >&2
    exit 1
  fi
  echo "package:$language: SKIPPED: $1"
  exit 0
}

pacmak() {
  # What an earlier build left in the language's folder (sources of a code-only run, say) is not packaged again.
  rm -rf "dist/$language"
  npx jsii-pacmak -v --target "$language" "$@"
}

case "$language" in
  js)
    pacmak
    ;;

  python)
    python=${PYTHON:-python3}
    "$python" -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null ||
      skip "no Python 3.9 or later with venv ($python; set PYTHON to its path)"
    lock=scripts/package/python-build.txt
    wheelhouse=.venv/python-build-wheels
    stamp=$wheelhouse/.downloaded-from
    wanted=$(sha256sum "$lock" | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
      echo "package:python: downloading the build tools of $lock into $wheelhouse"
      rm -rf "$wheelhouse"
      "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --require-hashes \
        -d "$wheelhouse" -r "$lock"
      echo "$wanted" > "$stamp"
    fi
    # jsii-pacmak installs its build tools into a fresh virtual environment, and `python -m build` the generated
    # package's build system into another: both from the wheelhouse alone.
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$PWD/$wheelhouse" pacmak
    ;;

  java)
    command -v java >/dev/null || skip "no java on the PATH"
    command -v mvn >/dev/null || skip "no mvn (Maven) on the PATH"
    pacmak --maven-local-repository "${MAVEN_LOCAL_REPOSITORY:-$HOME/.m2/repository}"
    ;;

  go)
    command -v go >/dev/null || skip "no go on the PATH"
    pacmak --code-only
    (cd test/bindings/go && go build -mod=readonly \
      github.com/cdk-sagemaker-inference-experiment/cdk-sagemaker-inference-experiment-go/inferenceexperiment/...)
    echo "package:go: dist/go/inferenceexperiment compiles"
    ;;

  dotnet)
    # With the .NET SDK (as in the release workflow, which publishes dist/dotnet/*.nupkg to NuGet), the package;
    # without it, the sources only: the .NET package is not tested by the bindings test, so its absence is no skip.
    if command -v dotnet >/dev/null; then
      pacmak
    else
      pacmak --code-only
      echo "package:dotnet: sources only, in dist/dotnet: the .NET package is not built (no dotnet on the PATH)"
    fi
    ;;

  *)
    echo "package.sh: unknown language $language" >&2
    exit 2
    ;;
esac
