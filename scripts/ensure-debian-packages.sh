#!/usr/bin/env bash
# Installs the Debian packages given as arguments when they are missing: as root it
# runs apt-get; otherwise it stops and prints the exact command to run.
set -euo pipefail
missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
# A working venv module in $PYTHON (the Makefile's), node and npm from elsewhere are fine.
filtered=()
for pkg in "${missing[@]:-}"; do
  case "$pkg" in
    "") ;;
    python3-venv) "${PYTHON:-python3}" -c 'import venv, ensurepip' 2>/dev/null || filtered+=("$pkg") ;;
    nodejs) command -v node >/dev/null || filtered+=("$pkg") ;;
    npm) command -v npm >/dev/null || filtered+=("$pkg") ;;
    postgresql-client) command -v pg_dump >/dev/null || filtered+=("$pkg") ;;
    *) filtered+=("$pkg") ;;
  esac
done
[ ${#filtered[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Cài các gói Debian còn thiếu: ${filtered[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${filtered[@]}"
else
  echo "Thiếu các gói Debian: ${filtered[*]}" >&2
  echo "Hãy chạy: sudo apt-get update && sudo apt-get install -y ${filtered[*]}" >&2
  exit 1
fi
