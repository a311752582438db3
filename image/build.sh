#!/usr/bin/env bash
# Build (and optionally push) a Mattermost image from image/Dockerfile.
#
# Usage:
#   npm run image:build -- --version V --sha256 HEX [options] [-- ENGINE_ARGS...]
#   bash image/build.sh   --version V --sha256 HEX [options] [-- ENGINE_ARGS...]
#
# Options:
#   --edition E        team | enterprise (default: enterprise)
#   --version V        Mattermost release, e.g. 10.11.4 (required)
#   --sha256 HEX       SHA-256 of the release tarball (required)
#   --plugin SPEC      plugin to bundle, repeatable: <url>#sha256=<hex> of a
#                      plugin bundle, or the name of a bundle in the release's
#                      prepackaged_plugins/ (e.g. mattermost-plugin-calls)
#   --webapp SPEC      web app build replacing /mattermost/client:
#                      <url>#sha256=<hex> of a .tar.gz
#   --tag T            image tag (default: mattermost-<edition>:<version>)
#   --base-image REF   base image (default: the Dockerfile's pinned tag), e.g.
#                      debian:12.12-slim@sha256:<digest>
#   --base-url URL     release mirror (default: https://releases.mattermost.com)
#   --push             push the tag after a successful build
#   --dry-run          print the commands instead of running them
#   -h, --help         show this help
#
# Anything after "--" is passed to the engine's build command (e.g. --no-cache).
# The engine is docker, else podman; CONTAINER_ENGINE overrides.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  sed -n '2,/^set -euo pipefail$/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
}
die() {
  printf 'image:build: error: %s\n' "$*" >&2
  printf "image:build: run with --help for usage\n" >&2
  exit 2
}
need_value() { [[ $# -ge 2 && -n "$2" ]] || die "option $1 needs a value"; }

edition=enterprise
version=""
sha256=""
plugins=()
webapp=""
tag=""
base_image=""
base_url=""
push=false
dry_run=false
extra=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --edition) need_value "$@"; edition="$2"; shift 2 ;;
    --version) need_value "$@"; version="$2"; shift 2 ;;
    --sha256) need_value "$@"; sha256="$2"; shift 2 ;;
    --plugin) need_value "$@"; plugins+=("$2"); shift 2 ;;
    --webapp) need_value "$@"; webapp="$2"; shift 2 ;;
    --tag) need_value "$@"; tag="$2"; shift 2 ;;
    --base-image) need_value "$@"; base_image="$2"; shift 2 ;;
    --base-url) need_value "$@"; base_url="$2"; shift 2 ;;
    --push) push=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown argument '$1'" ;;
  esac
done

# --- validation ----------------------------------------------------------------

case "$edition" in
  team | enterprise) ;;
  *) die "invalid --edition '${edition}': allowed values are team, enterprise" ;;
esac
[[ -n "$version" ]] || die "--version is required (e.g. --version 10.11.4)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.]+)?$ ]] \
  || die "invalid --version '${version}': expected e.g. 10.11.4"
[[ -n "$sha256" ]] || die "--sha256 is required: the SHA-256 of the release tarball (no checksum, no image)"
sha256="${sha256,,}"
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || die "invalid --sha256 '${sha256}': expected 64 hex characters"

remote_spec_re='^[a-zA-Z][a-zA-Z0-9+.-]*://[^#[:space:],]+#sha256=[0-9a-fA-F]{64}$'
for p in "${plugins[@]}"; do
  if [[ "$p" == *://* ]]; then
    [[ "$p" =~ $remote_spec_re ]] || die "invalid --plugin '${p}': a URL needs #sha256=<64 hex characters> (and no commas or spaces)"
  else
    [[ "$p" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] \
      || die "invalid --plugin '${p}': expected <url>#sha256=<hex> or a prepackaged plugin name"
  fi
done
if [[ -n "$webapp" ]]; then
  [[ "$webapp" =~ $remote_spec_re ]] || die "invalid --webapp '${webapp}': expected <url>#sha256=<hex> of a .tar.gz"
fi

[[ -n "$tag" ]] || tag="mattermost-${edition}:${version}"

# --- engine ----------------------------------------------------------------------

engine="${CONTAINER_ENGINE:-}"
if [[ -z "$engine" ]]; then
  if command -v docker >/dev/null 2>&1; then
    engine=docker
  elif command -v podman >/dev/null 2>&1; then
    engine=podman
  elif [[ "$dry_run" == true ]]; then
    engine=docker
  else
    die "neither docker nor podman found; install one or set CONTAINER_ENGINE"
  fi
fi

build_cmd=("$engine" build
  --file "${script_dir}/Dockerfile"
  --platform linux/amd64
  --tag "$tag"
  --build-arg "MATTERMOST_EDITION=${edition}"
  --build-arg "MATTERMOST_VERSION=${version}"
  --build-arg "MATTERMOST_SHA256=${sha256}")
if [[ ${#plugins[@]} -gt 0 ]]; then
  build_cmd+=(--build-arg "MATTERMOST_PLUGINS=${plugins[*]}")
fi
[[ -z "$webapp" ]] || build_cmd+=(--build-arg "MATTERMOST_WEBAPP=${webapp}")
[[ -z "$base_image" ]] || build_cmd+=(--build-arg "BASE_IMAGE=${base_image}")
[[ -z "$base_url" ]] || build_cmd+=(--build-arg "MATTERMOST_BASE_URL=${base_url}")
# OCI images cannot carry HEALTHCHECK; podman drops it unless told to build
# a Docker-format image.
[[ "${engine##*/}" != podman ]] || build_cmd+=(--format docker)
build_cmd+=("${extra[@]}" "$script_dir")

push_cmd=("$engine" push "$tag")

print_cmd() {
  local out
  out="$(printf '%q ' "$@")"
  printf '%s\n' "${out% }"
}

if [[ "$dry_run" == true ]]; then
  print_cmd "${build_cmd[@]}"
  if [[ "$push" == true ]]; then
    print_cmd "${push_cmd[@]}"
  fi
  exit 0
fi

"${build_cmd[@]}"
printf 'image:build: built %s\n' "$tag" >&2
if [[ "$push" == true ]]; then
  "${push_cmd[@]}"
  printf 'image:build: pushed %s\n' "$tag" >&2
fi
