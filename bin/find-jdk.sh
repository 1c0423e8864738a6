# shellcheck shell=sh
# Sourced (not run) by mvnw, bin/offload and .ci/run. Plain POSIX sh, because
# mvnw runs under /bin/sh (dash on Debian); no `set` options here for the same
# reason. Call it before anything turns on `set -f`: the scan needs globbing.
#
# offload_find_jdk [NAME]: export JAVA_HOME as a JDK 21+, trying JAVA_HOME,
# then java on PATH, then the highest under /usr/lib/jvm. Prints nothing on
# success; one line on stderr (prefixed NAME) and status 1 if there is none.

# Sets _ofj_major/_ofj_home from the java binary $1; fails unless it is a JDK
# (javac next to it) of version 21 or newer. Asking java itself also gives the
# real home of a java found on PATH behind symlinks (/usr/bin/java).
_ofj_check() {
  [ -x "$1" ] || return 1
  _ofj_info=$("$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '
    $1 ~ /^ *java\.specification\.version$/ { v = $2 }
    $1 ~ /^ *java\.home$/ { h = $2 }
    END { if (v != "" && h != "") { sub(/^1\./, "", v); print v, h } }') || return 1
  [ -n "$_ofj_info" ] || return 1
  _ofj_major=${_ofj_info%% *}
  _ofj_home=${_ofj_info#* }
  [ -x "$_ofj_home/bin/javac" ] && [ "$_ofj_major" -ge 21 ] 2>/dev/null
}

offload_find_jdk() {
  _ofj_found=
  if [ -n "${JAVA_HOME:-}" ] && _ofj_check "$JAVA_HOME/bin/java"; then
    _ofj_found=$JAVA_HOME
  elif _ofj_java=$(command -v java) && _ofj_check "$_ofj_java"; then
    _ofj_found=$_ofj_home
  else
    _ofj_best=0
    for _ofj_dir in /usr/lib/jvm/*; do
      if _ofj_check "$_ofj_dir/bin/java" && [ "$_ofj_major" -gt "$_ofj_best" ]; then
        _ofj_found=$_ofj_home
        _ofj_best=$_ofj_major
      fi
    done
  fi
  if [ -z "$_ofj_found" ]; then
    echo "${1:-offload}: no JDK 21 or newer found (checked JAVA_HOME, java on PATH, /usr/lib/jvm/*); install one or set JAVA_HOME" >&2
    return 1
  fi
  JAVA_HOME=$_ofj_found
  export JAVA_HOME
  unset _ofj_found _ofj_java _ofj_best _ofj_dir _ofj_info _ofj_major _ofj_home
}
