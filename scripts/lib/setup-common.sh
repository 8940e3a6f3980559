# Sourced by scripts/setup.sh and scripts/lib/setup-*.sh: logging, Debian packages and pinned
# Python venvs, each step checking before it installs. Sets `root` and moves there.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages ---------------------------------------------------------------------------
# want_pkg NAME...: notes the packages not installed yet; install_wanted installs them in one go.
checked_pkgs=()
need_pkgs=()
want_pkg() {
  local p
  for p in "$@"; do
    checked_pkgs+=("$p")
    dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
  done
}
install_wanted() {
  if [ ${#need_pkgs[@]} -eq 0 ]; then
    [ ${#checked_pkgs[@]} -eq 0 ] || log "Debian packages present: ${checked_pkgs[*]}"
  else
    command -v apt-get >/dev/null 2>&1 || {
      echo "missing (Debian package names): ${need_pkgs[*]}; install them first" >&2
      exit 1
    }
    log "installing Debian packages: ${need_pkgs[*]}"
    # One `apt-get update` per setup: the pieces scripts/setup.sh runs after its own inherit this.
    if [ -z "${ATOMITON_SETUP_APT_UPDATED:-}" ]; then
      as_root apt-get update -qq
      export ATOMITON_SETUP_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  fi
  checked_pkgs=()
  need_pkgs=()
}

# --- Python tools, each in its own venv under target/, pinned ----------------------------------
# pinned_venv DIR PIN...: (re)makes the venv DIR with exactly these PyPI pins, unless it has them.
pinned_venv() {
  local dir="$1"
  shift
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/pins" 2>/dev/null)" = "$*" ]; then
    log "$* present"
  else
    log "installing $* from PyPI into ${dir#"$root"/}"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
    echo "$*" > "$dir/pins"
  fi
}
