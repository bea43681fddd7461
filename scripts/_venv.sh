# Sourced by the scripts: make .venv (if missing) and install the project into it.
# Usage: ensure_venv [EXTRAS]   e.g. ensure_venv test
ensure_venv() {
  local extras="${1:-}" spec="." stamp
  [ -n "$extras" ] && spec=".[$extras]"
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  # Reinstall only when pyproject.toml changed since the last install of these extras.
  stamp=".venv/.installed-${extras:-base}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing $spec into .venv (log: .venv/pip.log) ..."
    if ! { .venv/bin/python -m pip install --upgrade pip \
           && .venv/bin/python -m pip install --editable "$spec"; } > .venv/pip.log 2>&1; then
      cat .venv/pip.log
      echo "pip install failed" >&2
      return 1
    fi
    touch "$stamp"
  fi
}
