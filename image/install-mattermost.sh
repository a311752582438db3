#!/usr/bin/env bash
# Install a Mattermost release into a directory: download, verify, unpack,
# bundle plugins, optionally swap in a patched web app, fix ownership.
#
# Run by image/Dockerfile at build time; also runnable on its own (the tests
# run it against a fake release served from file:// URLs).
#
# Inputs: every option can be given as a flag or as an environment variable
# (the Dockerfile passes its build args through as environment variables).
# Flags win over environment variables.
#
#   --edition E      MATTERMOST_EDITION   team | enterprise (default: enterprise)
#   --version V      MATTERMOST_VERSION   release version, e.g. 10.11.4 (required)
#   --sha256 HEX     MATTERMOST_SHA256    SHA-256 of the release tarball (required)
#   --base-url URL   MATTERMOST_BASE_URL  default: https://releases.mattermost.com
#   --plugin SPEC    MATTERMOST_PLUGINS   flag repeatable; env var is a space- or
#                                         comma-separated list of SPECs
#   --webapp SPEC    MATTERMOST_WEBAPP    web app build that replaces <target>/client
#   --target DIR     MATTERMOST_TARGET    install directory (default: /mattermost)
#   --owner UID:GID  MATTERMOST_OWNER     chown the writable dirs (only applied when
#                                         running as root; default: no chown)
#
# Plugin SPEC:
#   <url>#sha256=<hex>   a plugin bundle (.tar.gz), downloaded and verified
#   <name>               a bundle shipped in the release's prepackaged_plugins/
#                        folder, matched as <name>-<version>...tar.gz, e.g.
#                        mattermost-plugin-calls
# Web app SPEC:
#   <url>#sha256=<hex>   a .tar.gz of a web app build (the files of the client
#                        directory, i.e. root.html etc., at the top level or
#                        inside one top-level directory)
#   <existing directory> used as-is (no checksum: it is already local)
set -euo pipefail

readonly ALLOWED_EDITIONS="team, enterprise"
# client/ too: Mattermost rewrites the web app's files at start when SiteURL has a path.
readonly WRITABLE_DIRS=(data logs config plugins client)

log() { printf 'install-mattermost: %s\n' "$*" >&2; }
die() { printf 'install-mattermost: error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo pipefail$/{/^#/s/^# \{0,1\}//p}' "$0"
}

edition="${MATTERMOST_EDITION:-enterprise}"
version="${MATTERMOST_VERSION:-}"
sha256="${MATTERMOST_SHA256:-}"
base_url="${MATTERMOST_BASE_URL:-https://releases.mattermost.com}"
webapp="${MATTERMOST_WEBAPP:-}"
target="${MATTERMOST_TARGET:-/mattermost}"
owner="${MATTERMOST_OWNER:-}"
plugins=()
if [[ -n "${MATTERMOST_PLUGINS:-}" ]]; then
  IFS=$' \t\n,' read -r -d '' -a plugins <<<"${MATTERMOST_PLUGINS}" || true
fi
cli_plugins=()

need_value() { [[ $# -ge 2 && -n "$2" ]] || die "option $1 needs a value"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --edition) need_value "$@"; edition="$2"; shift 2 ;;
    --version) need_value "$@"; version="$2"; shift 2 ;;
    --sha256) need_value "$@"; sha256="$2"; shift 2 ;;
    --base-url) need_value "$@"; base_url="$2"; shift 2 ;;
    --plugin) need_value "$@"; cli_plugins+=("$2"); shift 2 ;;
    --webapp) need_value "$@"; webapp="$2"; shift 2 ;;
    --target) need_value "$@"; target="$2"; shift 2 ;;
    --owner) need_value "$@"; owner="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
if [[ ${#cli_plugins[@]} -gt 0 ]]; then
  plugins=("${cli_plugins[@]}")
fi

# --- validation (before any download) ---------------------------------------

case "$edition" in
  enterprise) tarball="mattermost-${version}-linux-amd64.tar.gz" ;;
  team) tarball="mattermost-team-${version}-linux-amd64.tar.gz" ;;
  *) die "invalid edition '${edition}' (MATTERMOST_EDITION / --edition): allowed values are ${ALLOWED_EDITIONS}" ;;
esac

[[ -n "$version" ]] || die "no version given (MATTERMOST_VERSION / --version), e.g. 10.11.4"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.]+)?$ ]] \
  || die "invalid version '${version}' (MATTERMOST_VERSION / --version): expected e.g. 10.11.4"

[[ -n "$sha256" ]] || die "no SHA-256 checksum for ${tarball} (MATTERMOST_SHA256 / --sha256): refusing to install an unverified release"
sha256="${sha256,,}"
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] \
  || die "invalid SHA-256 '${sha256}' (MATTERMOST_SHA256 / --sha256): expected 64 hex characters"

if [[ -n "$owner" ]]; then
  [[ "$owner" =~ ^[0-9]+:[0-9]+$ ]] || die "invalid owner '${owner}' (MATTERMOST_OWNER / --owner): expected UID:GID, e.g. 2000:2000"
fi

# A remote spec is "<url>#sha256=<hex>". Split into the globals spec_url/spec_sha.
parse_remote_spec() {
  local what="$1" spec="$2"
  if [[ "$spec" =~ ^([a-zA-Z][a-zA-Z0-9+.-]*://[^#[:space:]]+)#sha256=([0-9a-fA-F]{64})$ ]]; then
    spec_url="${BASH_REMATCH[1]}"
    spec_sha="${BASH_REMATCH[2],,}"
    return 0
  fi
  if [[ "$spec" == *://* ]]; then
    die "${what} '${spec}' has no valid checksum: expected <url>#sha256=<64 hex characters>"
  fi
  return 1
}

for p in "${plugins[@]}"; do
  if ! parse_remote_spec "plugin" "$p"; then
    [[ "$p" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] \
      || die "invalid plugin '${p}': expected <url>#sha256=<hex> or the name of a bundle in prepackaged_plugins/"
  fi
done
if [[ -n "$webapp" ]] && ! parse_remote_spec "web app" "$webapp"; then
  [[ -d "$webapp" ]] || die "invalid web app '${webapp}' (MATTERMOST_WEBAPP / --webapp): expected <url>#sha256=<hex> or an existing directory"
fi

if [[ -d "$target" && -n "$(ls -A "$target")" ]]; then
  die "target directory ${target} (MATTERMOST_TARGET / --target) is not empty"
fi

# --- helpers -----------------------------------------------------------------

work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT

# download URL DEST EXPECTED_SHA256 WHAT
download_verified() {
  local url="$1" dest="$2" expected="$3" what="$4" actual
  log "downloading ${what}: ${url}"
  curl -fsSL --retry 3 -o "$dest" "$url" || die "download of ${what} failed: ${url}"
  if ! printf '%s  %s\n' "$expected" "$dest" | sha256sum -c --status -; then
    actual="$(sha256sum "$dest" | cut -d' ' -f1)"
    die "sha256 checksum mismatch for ${what} (${url}): expected ${expected}, got ${actual}; refusing to install it"
  fi
  log "sha256 verified for ${what}"
}

# install_plugin_bundle TARBALL WHAT: a plugin bundle holds one top-level
# directory (named by the plugin id) containing plugin.json.
install_plugin_bundle() {
  local bundle="$1" what="$2" stage entries id
  stage="$(mktemp -d "${work}/plugin.XXXXXX")"
  tar --no-same-owner --no-same-permissions -xzf "$bundle" -C "$stage" || die "cannot extract ${what}: not a .tar.gz?"
  mapfile -t entries < <(find "$stage" -mindepth 1 -maxdepth 1 -printf '%f\n')
  if [[ ${#entries[@]} -ne 1 || ! -f "${stage}/${entries[0]}/plugin.json" ]]; then
    die "${what} is not a plugin bundle: expected one top-level directory (the plugin id) containing plugin.json, found: ${entries[*]:-nothing}"
  fi
  id="${entries[0]}"
  [[ ! -e "${target}/plugins/${id}" ]] || die "plugin '${id}' (from ${what}) is listed twice"
  mv "${stage}/${id}" "${target}/plugins/${id}"
  log "installed plugin ${id} (from ${what})"
}

install_prepackaged() {
  local name="$1" f base matches=() available=()
  shopt -s nullglob
  for f in "${target}/prepackaged_plugins/"*.tar.gz; do
    base="${f##*/}"
    available+=("${base%.tar.gz}")
    # <name>-<version>[-<os>-<arch>].tar.gz, version optionally prefixed by "v"
    if [[ "$base" == "${name}-"* && "${base#"${name}"-}" =~ ^v?[0-9] ]]; then
      matches+=("$f")
    fi
  done
  shopt -u nullglob
  if [[ ${#matches[@]} -eq 0 ]]; then
    die "prepackaged plugin '${name}' not found in ${target}/prepackaged_plugins/; available: ${available[*]:-none}"
  fi
  if [[ ${#matches[@]} -gt 1 ]]; then
    die "prepackaged plugin '${name}' is ambiguous: ${matches[*]##*/}"
  fi
  install_plugin_bundle "${matches[0]}" "prepackaged ${matches[0]##*/}"
}

install_webapp() {
  local src stage
  if parse_remote_spec "web app" "$webapp"; then
    download_verified "$spec_url" "${work}/webapp.tar.gz" "$spec_sha" "web app"
    stage="${work}/webapp"
    mkdir -p "$stage"
    tar --no-same-owner --no-same-permissions -xzf "${work}/webapp.tar.gz" -C "$stage" || die "cannot extract web app: not a .tar.gz?"
  else
    stage="$webapp"
  fi
  src="$stage"
  if [[ ! -f "${src}/root.html" ]]; then
    # Accept a tarball with a single top-level directory (e.g. dist/).
    local entries
    mapfile -t entries < <(find "$stage" -mindepth 1 -maxdepth 1 -printf '%f\n')
    if [[ ${#entries[@]} -eq 1 && -f "${stage}/${entries[0]}/root.html" ]]; then
      src="${stage}/${entries[0]}"
    else
      die "web app build has no root.html (neither at its top level nor in a single top-level directory)"
    fi
  fi
  rm -rf "${target}/client"
  mkdir -p "${target}/client"
  cp -a "${src}/." "${target}/client/"
  log "replaced ${target}/client with the web app build"
}

# --- install -----------------------------------------------------------------

url="${base_url%/}/${version}/${tarball}"
download_verified "$url" "${work}/${tarball}" "$sha256" "$tarball"

# The release unpacks to mattermost/; move its contents into the target.
# Never the archive's owners or modes: as root, tar would restore them (a release packed by uid 2000,
# or with group/world-writable files, would hand the runtime user its own server binary).
tar --no-same-owner --no-same-permissions -xzf "${work}/${tarball}" -C "$work"
[[ -x "${work}/mattermost/bin/mattermost" ]] || die "${tarball} does not contain mattermost/bin/mattermost"
mkdir -p "$target"
cp -a "${work}/mattermost/." "${target}/"
rm -rf "${work:?}/mattermost" "${work:?}/${tarball}"
log "unpacked Mattermost ${version} (${edition}) into ${target}"

# The web app swap comes first: it replaces client/, including client/plugins.
if [[ -n "$webapp" ]]; then
  install_webapp
fi

# client/plugins holds the web parts of installed plugins.
for d in "${WRITABLE_DIRS[@]}" client/plugins; do
  mkdir -p "${target}/${d}"
done

for p in "${plugins[@]}"; do
  if parse_remote_spec "plugin" "$p"; then
    bundle="$(mktemp "${work}/bundle.XXXXXX")"
    download_verified "$spec_url" "$bundle" "$spec_sha" "plugin ${spec_url##*/}"
    install_plugin_bundle "$bundle" "${spec_url##*/}"
  else
    install_prepackaged "$p"
  fi
done

# Everything installed belongs to root and only root may change it, whatever the ownership and
# modes inside the release tarball, a plugin bundle or the web app: the runtime user must not be
# able to replace bin/mattermost, a library or a prepackaged bundle. No setuid/setgid bits either.
# Only the writable directories are handed to the runtime user below.
if [[ "$(id -u)" -eq 0 ]]; then
  chown -R 0:0 "$target"
fi
chmod -R go-w,ug-s "$target"

if [[ -n "$owner" ]]; then
  if [[ "$(id -u)" -eq 0 ]]; then
    for d in "${WRITABLE_DIRS[@]}"; do
      chown -R "$owner" "${target}/${d}"
    done
    log "writable directories (${WRITABLE_DIRS[*]}) owned by ${owner}"
  else
    log "warning: not running as root, ownership left unchanged (wanted ${owner})"
  fi
fi

log "done"
