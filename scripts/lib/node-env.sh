# Sourced by the project's scripts: puts the project's Node.js 24 first on PATH and makes
# node-gyp build native addons against its headers (the machine's npm config points at /usr).
SKIFF_NODE_VERSION=24.21.0
SKIFF_NODE_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools/node"
export PATH="$SKIFF_NODE_HOME/bin:$PATH"
export npm_config_nodedir="$SKIFF_NODE_HOME"
export npm_config_build_from_source=true
