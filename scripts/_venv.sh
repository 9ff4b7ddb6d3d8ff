# Sourced by scripts/test and scripts/check: enter the repository root, activate a
# virtualenv (the active one, else .venv, created on first use) and make sure the project
# is installed editable with the extra named in $1. Reinstalls only when pyproject.toml
# changed since the last install into that environment.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
export WHOLESYSTEM_SHARED="${WHOLESYSTEM_SHARED:-$repo_root/../shared}"

if [[ -z "${VIRTUAL_ENV:-}" ]]; then
    if [[ ! -x .venv/bin/python ]]; then
        echo "creating virtualenv .venv" >&2
        python3 -m venv .venv
    fi
    # shellcheck disable=SC1091
    source .venv/bin/activate
fi

ensure_installed() {
    local extra="$1"
    local stamp="$VIRTUAL_ENV/.wholesystem-installed-$extra"
    local wanted
    wanted="$(cat pyproject.toml)${repo_root}"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        return
    fi
    python -m pip install --quiet --disable-pip-version-check -e ".[$extra]"
    printf '%s' "$wanted" >"$stamp"
}
