#!/bin/bash
# Starts one kind of escapee, then stays as the instance's leader.
# Usage: escape.sh KIND REPORT_FILE OVERWRITE_ENVIRON_BINARY
here=$(dirname "$0")
case "$1" in
  marker-dropped) env -u AIKORE_INSTANCE_ID setsid python3 "$here/hold_port.py" "$2" plain & ;;
  marker-changed) AIKORE_INSTANCE_ID=someone-else setsid python3 "$here/hold_port.py" "$2" plain & ;;
  double-fork) env -u AIKORE_INSTANCE_ID python3 "$here/hold_port.py" "$2" daemon ;;
  double-fork-wait) env -u AIKORE_INSTANCE_ID python3 "$here/hold_port.py" "$2" daemon-wait & ;;
  environ-overwritten) "$3" "$2" ;;
  *) echo "unknown kind $1"; exit 2 ;;
esac
exec sleep 1000
