#!/usr/bin/env bash
# A real Prometheus reads the sample app and answers every PromQL query of the README (its ```promql
# blocks, one query per paragraph) and of the Grafana dashboard (sample-app/grafana/*.json, "expr"):
#   1. starts the sample jar on a free port, with tracing off (no span sampled, so no exemplars: a
#      Prometheus before 2.43, such as Debian 12's 2.42, rejects the scrape otherwise), and waits for its
#      start-up demo;
#   2. runs `promtool check metrics` on its /actuator/prometheus: fails if it says anything about
#      http-retry's families (http_client_retry_*, http_client_requests_retry_wait_total);
#   3. starts Prometheus with prometheus.yml beside this script (scraping every second, storage in a
#      temporary directory) and waits until the sample is up as its target;
#   4. runs another demo while Prometheus scrapes, and waits a few scrapes;
#   5. sends each query to Prometheus' HTTP API: fails unless each answers a non-empty result.
# It stops what it started, whatever happens.
#
# Usage: sample-app/prometheus/check.sh [sample jar]   (default: sample-app/target/sample-app-0.1.0-SNAPSHOT.jar)
# Needs java, curl, prometheus and promtool (Debian: apt-get install prometheus).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jar=${1:-$root/sample-app/target/sample-app-0.1.0-SNAPSHOT.jar}
readme=$root/README.md
dashboards=("$root"/sample-app/grafana/*.json)

for tool in java curl prometheus promtool; do
    if ! command -v "$tool" >/dev/null; then
        echo "check.sh: $tool is not installed (prometheus and promtool: apt-get install prometheus)" >&2
        exit 2
    fi
done
if [ ! -f "$jar" ]; then
    echo "check.sh: no sample jar at $jar: build it first (mvn -B -pl sample-app -am -DskipTests package)" >&2
    exit 2
fi

work=$(mktemp -d)
app_pid=""
prometheus_pid=""

stop() {
    local pid
    for pid in "$prometheus_pid" "$app_pid"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 40); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.25
            done
            kill -9 "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
}
trap stop EXIT

fail() {
    echo "check.sh: FAILED: $*" >&2
    for log in "$work"/sample.log "$work"/prometheus.log; do
        if [ -f "$log" ]; then
            echo "--- last lines of $(basename "$log"):" >&2
            tail -n 30 "$log" >&2
        fi
    done
    exit 1
}

# A port nothing listens on now (bash's /dev/tcp: a refused connection means free).
free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# 1. The sample, with a short start-up demo.
app_port=$(free_port)
app="http://127.0.0.1:$app_port"
echo "check.sh: sample $jar on port $app_port (tracing off)"
java -jar "$jar" --server.port="$app_port" --management.tracing.sampling.probability=0 \
    --sample.demo.calls=50 >"$work/sample.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 360); do
    kill -0 "$app_pid" 2>/dev/null || fail "the sample stopped"
    grep -q "Demo results" "$work/sample.log" && break
    sleep 0.5
done
grep -q "Demo results" "$work/sample.log" || fail "no start-up demo within 3 minutes"

# 2. promtool on the sample's scrape.
curl -fsS "$app/actuator/prometheus" >"$work/scrape.txt" || fail "no /actuator/prometheus"
promtool check metrics <"$work/scrape.txt" >"$work/promtool.txt" 2>&1 || true
ours=$(grep -E '^(http_client_retry_|http_client_requests_retry_)' "$work/promtool.txt" || true)
if [ -n "$ours" ]; then
    echo "$ours" >&2
    fail "promtool check metrics complains about http-retry's meters"
fi
families=$(grep -cE '^# HELP (http_client_retry_|http_client_requests_retry_)' "$work/scrape.txt" || true)
echo "check.sh: promtool check metrics: no complaint about http-retry's $families families" \
    "($(grep -c . "$work/promtool.txt" || true) about other meters, Boot's and Micrometer's own)"

# 3. Prometheus, scraping the sample every second.
prometheus_port=$(free_port)
prom="http://127.0.0.1:$prometheus_port"
sed "s/127\.0\.0\.1:8080/127.0.0.1:$app_port/" "$here/prometheus.yml" >"$work/prometheus.yml"
echo "check.sh: $(prometheus --version 2>&1 | head -n 1) on port $prometheus_port"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
prometheus_pid=$!
targets=""
for _ in $(seq 1 120); do
    kill -0 "$prometheus_pid" 2>/dev/null || fail "Prometheus stopped"
    targets=$(curl -fsS "$prom/api/v1/targets" 2>/dev/null || true)
    case "$targets" in
        *'"health":"up"'*) break ;;
    esac
    sleep 0.5
done
case "$targets" in
    *'"health":"up"'*) echo "check.sh: the sample is up as Prometheus' target" ;;
    *) fail "the sample is not up as Prometheus' target: $(echo "$targets" | grep -o '"lastError":"[^"]*"' || true)" ;;
esac

# 4. More calls while Prometheus scrapes, so that rates have something to show.
curl -fsS "$app/demo?calls=50&concurrency=10&fail=0.5&mode=mixed&slowMs=300&format=text" >"$work/demo.txt" \
    || fail "the demo did not answer"
sleep 5

# 5. Every query, through the HTTP API.
queries="$work/queries"
: >"$queries"
# The README's ```promql blocks: one query per paragraph, NUL-separated.
awk '
    /^```promql[[:space:]]*$/ { inside = 1; query = ""; next }
    inside && /^```/ { if (query != "") printf "%s%c", query, 0; inside = 0; next }
    inside && /^[[:space:]]*$/ { if (query != "") printf "%s%c", query, 0; query = ""; next }
    inside { query = (query == "") ? $0 : query "\n" $0 }
' "$readme" >>"$queries"
readme_count=$(tr -cd '\0' <"$queries" | wc -c)
# The dashboards' "expr" values (JSON strings without escapes beyond \" and \\), and their
# label_values(metric, label) variables as count by (label) (metric); Grafana's variables filled in.
for dashboard in "${dashboards[@]}"; do
    grep -o '"expr": "\([^"\\]\|\\.\)*"' "$dashboard" \
        | sed -e 's/^"expr": "//' -e 's/"$//' -e 's/\\"/"/g' -e 's/\\\\/\\/g' \
        | while IFS= read -r expr; do
            expr=${expr//\$__rate_interval/1m}
            expr=${expr//\$client/.*}
            printf '%s\0' "$expr"
        done >>"$queries" || true
    grep -o '"definition": "label_values([^"]*)"' "$dashboard" \
        | sed -E 's/^"definition": "label_values\(([^,]+), *([^)]+)\)"$/count by (\2) (\1)/' \
        | while IFS= read -r expr; do printf '%s\0' "$expr"; done >>"$queries" || true
done
total=$(tr -cd '\0' <"$queries" | wc -c)
[ "$readme_count" -ge 3 ] || fail "the README has $readme_count PromQL queries in \`\`\`promql blocks, expected 3 or more"
[ "$total" -gt "$readme_count" ] || fail "no query found in the dashboards ${dashboards[*]}"

failures=0
while IFS= read -r -d '' query; do
    answer=$(curl -fsS -G "$prom/api/v1/query" --data-urlencode "query=$query" 2>&1) || answer="request failed: $answer"
    summary=$( (echo "$query" | grep -v '^[[:space:]]*#' || true) | tr -s ' \n' ' ' | sed -e 's/^ //' -e 's/ $//' | cut -c1-110)
    case "$answer" in
        *'"status":"success"'*'"result":[]'*)
            echo "  EMPTY  $summary"
            failures=$((failures + 1)) ;;
        *'"status":"success"'*)
            echo "  ok     $summary" ;;
        *)
            echo "  ERROR  $summary: $answer"
            failures=$((failures + 1)) ;;
    esac
done <"$queries"

if [ "$failures" -gt 0 ]; then
    fail "$failures of $total queries answered no series"
fi
echo "check.sh: all $total queries answered ($readme_count from the README, $((total - readme_count)) from the dashboard)"
