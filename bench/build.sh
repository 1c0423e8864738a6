# shellcheck shell=bash
# Sourced by bench/run and bench/soak (not run): finds a JDK, builds offload-bench and what it
# needs, and sets BENCH_CP to the module's classpath with the sibling modules' jars copied aside.
#
# bench_build NAME [ARGS...]: answers --help/-h without building when the module is already built
# (runs MAIN --help and exits); otherwise builds and sets BENCH_CP. Call from the repository root.
bench_build() {
  local name=$1 main=$2
  shift 2
  # shellcheck source=../bin/find-jdk.sh
  . bin/find-jdk.sh
  offload_find_jdk "$name"
  local arg
  for arg in "$@"; do
    case $arg in
      -h|--help)
        if [ -f offload-bench/target/classpath.txt ] && [ -d offload-bench/target/classes ]; then
          exec "$JAVA_HOME/bin/java" -cp "offload-bench/target/classes:$(cat offload-bench/target/classpath.txt)" \
            "$main" --help
        fi
        ;;
    esac
  done

  echo "$name: building offload-bench ..." >&2
  rm -f offload-bench/target/classpath.txt
  # One reactor build: the sibling modules resolve to their fresh jars, not to ~/.m2.
  ./mvnw -q -B -DskipTests -pl offload-bench -am package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt 2>&1 \
    | grep -v -E 'sun\.misc\.Unsafe|terminally deprecated|consider reporting|will be removed in a future' >&2 || true
  [ -s offload-bench/target/classpath.txt ] || { echo "$name: build failed" >&2; exit 1; }
  # Copy the sibling modules' jars aside: a concurrent `mvn clean` elsewhere must not pull them
  # from under a run.
  local snap=offload-bench/target/engine-jars e
  rm -rf "$snap"; mkdir -p "$snap"
  BENCH_CP=offload-bench/target/classes
  local entries
  IFS=: read -r -a entries < offload-bench/target/classpath.txt || true  # no final newline
  for e in "${entries[@]}"; do
    case $e in
      "$root"/offload-*/target/*.jar) cp "$e" "$snap/"; BENCH_CP="$BENCH_CP:$snap/$(basename "$e")" ;;
      *) BENCH_CP="$BENCH_CP:$e" ;;
    esac
  done
  export BENCH_CP
}
