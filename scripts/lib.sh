# Shared helpers for the set-up scripts. Sourced, not run.

step() { printf '\n==> %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        echo "error: need root (or sudo) to run: $*" >&2; return 1; fi
}

# Installs the Debian packages given as arguments, if any is missing.
ensure_debs() {
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    if [ "${#missing[@]}" -gt 0 ]; then
        step "Installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "error: the Swift 6 toolchain is required (swift not found on PATH)" >&2
        exit 1
    fi
}

# Packages the server needs to build and run (system libraries linked through SwiftPM system-library targets).
RUNTIME_DEBS=(libsqlite3-dev pkg-config libsecp256k1-dev libqrencode-dev)
