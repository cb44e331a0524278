# Set-up shared by the benchmarks that serve the bundled example beside the bare server
# (bench/run, bench/profile-route, bench/allocation, bench/ceiling; bench/big-answers uses the
# adapter's part and, with bench/run's section 2, the large-answer readers; bench/compare the
# median), and the test classpath of every benchmark with a main of its own.
# Sourced, not run: the caller has cd'd to the repository's root and set `work` (a scratch
# directory it removes), `pids` (the processes its exit trap kills), `java_opts` (the JVM
# options of every server it starts) and, for bench_big_reader, `readers`.

jar=adapter/target/demand-adapter.jar

# wrk (HTTP/1.1) and h2load (HTTP/2) from Debian's packages, and the adapter's jar, when missing.
bench_prepare() {
  if ! command -v wrk >/dev/null || ! command -v h2load >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nghttp2-client
  fi
  [[ -f "$jar" ]] || mvn -B -q -DskipTests install
}

# Starts the jar standalone on CONFIG at PORT with one event loop (wrk and h2load need the other
# core of this 2-core machine) and waits until it is ready; its pid is left in $pid and added
# to pids, its log is $work/adapter-PORT.log. Options after PORT go to the JVM.
#   bench_start_adapter CONFIG PORT [JVM option...]
bench_start_adapter() {
  local config=$1 port=$2
  shift 2
  bench_adapter_args "$config" "$port"
  java "${java_opts[@]}" "$@" -Djava.io.tmpdir="$work" -jar "$jar" "${adapter_args[@]}" > "$work/adapter-$port.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  bench_await_ready "$port"
}

# The adapter's arguments for CONFIG served standalone at PORT with one event loop, in
# `adapter_args`; its certificates go to $work/certs-PORT. The example's scrape targets trust
# bin/run-standalone's certificate (.run/certs): each adapter here has its own, which it writes
# at its start before it reads the config, so the config is rewritten to $work/config-PORT.yaml.
#   bench_adapter_args CONFIG PORT
bench_adapter_args() {
  local config=$1 port=$2
  sed "s#\.run/certs/#$work/certs-$port/#g" "$config" > "$work/config-$port.yaml"
  adapter_args=(--standalone --config "$work/config-$port.yaml" --cert-dir "$work/certs-$port" --secure-port "$port"
    --event-loops 1)
}

# Waits until the adapter at PORT (its log $work/adapter-PORT.log) is ready; exits if it never is.
bench_await_ready() {
  local port=$1
  for _ in $(seq 1 300); do
    curl -sk "https://127.0.0.1:$port/readyz" 2>/dev/null | grep -q ok && return 0
    sleep 0.2
  done
  echo "adapter on port $port did not become ready:" >&2; cat "$work/adapter-$port.log" >&2; exit 1
}

# The adapter module's test classes compiled and their classpath in $work/classpath.txt (for
# BareServer and the benchmarks' other test-scope mains); once per run.
bench_test_classpath() {
  [[ -s "$work/classpath.txt" ]] && return 0
  bench_module_classpath adapter "$work/classpath.txt"
}

# MODULE's test classes compiled and its test classpath written to FILE, with the modules it
# needs as this checkout has them (-am: their target/classes), not as the local Maven
# repository last had them installed. Every benchmark with a main of its own takes its
# classpath from here.
#   bench_module_classpath MODULE FILE
bench_module_classpath() {
  mvn -B -q -Dstyle.color=never -pl "$1" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$2" >/dev/null
}

# The limit the metric route is compared with: BareServer (a test class: a Vert.x HTTPS server
# with the adapter's TLS engine and settings and one event loop) answering every request with
# the bytes the adapter at ADAPTER_PORT serves for the example's metric, under that adapter's
# certificate. Waits until it answers; its pid is left in $bare_pid and added to pids, and
# $metric and $bare are the URLs of the metric on the adapter and on the bare server. The
# adapter module's test classpath is left in $work/classpath.txt for the caller's own test classes.
#   bench_start_bare BARE_PORT ADAPTER_PORT
bench_start_bare() {
  local bare_port=$1 adapter_port=$2 path=/apis/external.metrics.k8s.io/v1beta1/namespaces/default/business-hours
  metric="https://127.0.0.1:$adapter_port$path"
  bare="https://127.0.0.1:$bare_port$path"
  curl -sk "$metric" > "$work/metric-body.json"
  bench_test_classpath
  java "${java_opts[@]}" -cp "adapter/target/test-classes:adapter/target/classes:$(cat "$work/classpath.txt")" \
    io.demandmetrics.adapter.BareServer "$bare_port" "$work/metric-body.json" "$work/certs-$adapter_port/apiserver.crt" \
    "$work/certs-$adapter_port/apiserver.key" > "$work/bare.log" 2>&1 &
  bare_pid=$!
  pids+=("$bare_pid")
  bench_await_answer "https://127.0.0.1:$bare_port/" "$work/bare.log" "the bare server"
}

# Waits until URL answers at all (any status); exits with LOG if it never does.
#   bench_await_answer URL LOG NAME
bench_await_answer() {
  for _ in $(seq 1 100); do
    curl -sk "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$3 did not start:" >&2; cat "$2" >&2; exit 1
}

# CPU time (user + system, in clock ticks) the process PID has used.
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One load run of SECONDS on URL with wrk (HTTP/1.1, 16 keep-alive connections) from core 1,
# exiting on any non-2xx answer: "REQUESTS_PER_SECOND CPU_US_PER_REQUEST" of the server PID.
#   bench_h1_run URL SECONDS PID
bench_h1_run() {
  local before after
  before=$(bench_cpu_ticks "$3")
  taskset -c 1 wrk -t1 -c16 -d"$2"s "$1" > "$work/wrk.out"
  after=$(bench_cpu_ticks "$3")
  if grep -q 'Non-2xx' "$work/wrk.out"; then echo "non-2xx answers:" >&2; cat "$work/wrk.out" >&2; exit 1; fi
  awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" '/^Requests\/sec/ {rps=$2} /requests in/ {n=$1}
    END {printf "%s %.1f\n", rps, (a - b) / hz * 1e6 / n}' "$work/wrk.out"
}

# The same with h2load (HTTP/2, 4 connections x 16 streams: how the aggregator talks to us),
# exiting on any failed request or non-2xx answer.
#   bench_h2_run URL SECONDS PID
bench_h2_run() {
  local before after
  before=$(bench_cpu_ticks "$3")
  taskset -c 1 h2load -c4 -m16 -D"$2" "$1" > "$work/h2load.out" 2>&1
  after=$(bench_cpu_ticks "$3")
  if ! grep -q ' 0 failed, 0 errored' "$work/h2load.out" || ! grep -q 'status codes: [0-9]* 2xx, 0 3xx, 0 4xx, 0 5xx' "$work/h2load.out"; then
    echo "h2load saw failures:" >&2; cat "$work/h2load.out" >&2; exit 1
  fi
  awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" '/^finished in/ {gsub(",", "", $4); rps=$4}
    /^requests:/ {n=$8} END {printf "%s %.1f\n", rps, (a - b) / hz * 1e6 / n}' "$work/h2load.out"
}

# The median of the numbers on standard input, one per line.
bench_median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# The JVM's uptime in seconds, as its unified log's `uptime` decoration counts it.
bench_uptime() {
  jcmd "$1" VM.uptime | awk 'NR == 2 {print $1}'
}

# The collector's pauses between two uptimes, from a log written with -Xlog:gc:file=LOG:uptime:
# "N pauses (longest X ms), M of them full collections (longest Y ms)". A pause holds the event loop and every request
# in flight; wrk corrects its latencies for the requests it could not send meanwhile, so one
# pause of 150 ms in a 10 s window at tens of thousands of requests a second is the p99 alone.
#   bench_gc_window LOG FROM TO
bench_gc_window() {
  awk -v from="$2" -v to="$3" -F'[][]' '
    { t = $2 + 0 }
    t >= from && t <= to && /Pause/ {
      ms = $0; sub(/.* /, "", ms); sub(/ms$/, "", ms); ms += 0
      pauses++; if (ms > longest) longest = ms
      if (/Pause Full/) { full++; if (ms > full_longest) full_longest = ms }
    }
    END { printf "%d pauses (longest %.1f ms), %d of them full collections (longest %.1f ms)\n", pauses, longest, full, full_longest }' "$1"
}

# A reader of a large answer (/metrics, /explain.json) on the adapter at PORT, in the background:
# one curl whose reads share one keep-alive connection, as a scraper's or a dashboard's do (a curl
# process and TLS handshake per read would cost this 2-core machine more than the answer does);
# the changing query only makes each read a new URL for curl's globbing. PAUSE is the seconds
# between reads (0: back to back); options after it go to curl (--compressed: gzip, as
# Prometheus asks). Each answer appends "CODE BYTES" to $work/reads-PATH ("/" as "-"); the
# reader's pid is added to `readers`.
#   bench_big_reader PORT PATH PAUSE [curl option...]
bench_big_reader() {
  local port=$1 path=$2 pause=$3 rate=() sep='?'
  shift 3
  [[ "$pause" == 0 ]] || rate=(--rate "$((60 / pause))/m")
  [[ "$path" == *\?* ]] && sep='&'
  local name=${path%%\?*}
  local out="$work/reads${name//\//-}"
  touch "$out"
  stdbuf -oL curl -sk "$@" "${rate[@]}" -o /dev/null -w '%{http_code} %{size_download}\n' \
    "https://127.0.0.1:$port$path${sep}read=[1-1000000]" >> "$out" &
  readers+=($!)
}

# Stops every reader bench_big_reader started.
bench_stop_readers() {
  [[ ${#readers[@]} -gt 0 ]] || return 0
  kill "${readers[@]}" 2>/dev/null || true
  wait "${readers[@]}" 2>/dev/null || true
  readers=()
}

# Lines in a reads file now: where a measured window starts.
bench_reads_mark() {
  wc -l < "$work/reads-$1"
}

# What a reader answered after MARK (bench_reads_mark): "N BYTES", the number of 200 answers and
# the size of the last one. The readers append throughout, so the window is counted by line.
#   bench_reads_since NAME MARK   (NAME: metrics, explain.json)
bench_reads_since() {
  echo "$(tail -n +$(($2 + 1)) "$work/reads-$1" | grep -c '^200 ' || true) $(tail -1 "$work/reads-$1" | awk '{print $2}')"
}
