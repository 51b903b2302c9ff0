#!/bin/sh
# Packs the Node tfjs-webgpu benchmark for an NVIDIA Linux x64 machine with no package registry:
#   node.xz          this machine's node binary, xz-compressed (run.sh unpacks it)
#   node_modules/webgpu  Dawn for Node (`npm pack webgpu`, linux-x64 dawn.node only)
#   lib/libvulkan.so.1   the Vulkan loader (Debian's libvulkan1, `apt-get download`); the NVIDIA
#                    driver on the target provides the ICD (/usr/share/vulkan/icd.d/nvidia_icd.json)
#   gpu-bench.mjs    bench/gpu-kit/gpu-bench.ts + tfjs + the studio's models, bundled by esbuild
#   torch_ref.py, torch_cuda_step.py, run.sh, prof-summary.mjs (CPU profiles to text)
# Output: bench/tmp/gpu-kit.tar.gz (goal: under 60 MB). Needs the npm registry and apt here.
#   sh bench/gpu-kit/make-kit.sh            then on the GPU machine:  tar xzf gpu-kit.tar.gz && gpu-kit/run.sh
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WEBGPU_VERSION=${WEBGPU_VERSION:-0.6.2}
WORK=$(mktemp -d)
KIT="$WORK/gpu-kit"
mkdir -p "$KIT/node_modules/webgpu/dist/linux-x64" "$KIT/lib"
trap 'rm -rf "$WORK"' EXIT

echo "1/5 node binary ($(node --version)), xz"
xz -9 -T0 -c "$(command -v node)" > "$KIT/node.xz"

echo "2/5 Dawn: npm pack webgpu@$WEBGPU_VERSION (linux-x64 only)"
(cd "$WORK" && npm pack "webgpu@$WEBGPU_VERSION" --silent >/dev/null)
tar xzf "$WORK"/webgpu-*.tgz -C "$WORK" package/index.js package/package.json package/LICENSE.md package/dist/linux-x64/dawn.node
cp "$WORK/package/index.js" "$WORK/package/package.json" "$WORK/package/LICENSE.md" "$KIT/node_modules/webgpu/"
cp "$WORK/package/dist/linux-x64/dawn.node" "$KIT/node_modules/webgpu/dist/linux-x64/"

echo "3/5 Vulkan loader: apt-get download libvulkan1"
(cd "$WORK" && apt-get download libvulkan1 >/dev/null)
dpkg-deb -x "$WORK"/libvulkan1_*.deb "$WORK/vk"
cp -L "$(find "$WORK/vk" -name 'libvulkan.so.1' | head -1)" "$KIT/lib/libvulkan.so.1"

echo "4/5 bundle: esbuild bench/gpu-kit/gpu-bench.ts"
"$ROOT/node_modules/.bin/esbuild" "$ROOT/bench/gpu-kit/gpu-bench.ts" --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --minify --keep-names --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$KIT/gpu-bench.mjs"

echo "5/5 scripts"
cp "$ROOT/bench/torch_ref.py" "$ROOT/bench/gpu-kit/torch_cuda_step.py" "$ROOT/bench/gpu-kit/prof-summary.mjs" "$KIT/"
cp "$ROOT/bench/gpu-kit/run.sh" "$KIT/run.sh" && chmod +x "$KIT/run.sh"

mkdir -p "$ROOT/bench/tmp"
tar czf "$ROOT/bench/tmp/gpu-kit.tar.gz" -C "$WORK" gpu-kit
SIZE=$(du -m "$ROOT/bench/tmp/gpu-kit.tar.gz" | cut -f1)
echo "bench/tmp/gpu-kit.tar.gz: ${SIZE} MB (goal < 60 MB)"
[ "$SIZE" -lt 60 ] || { echo "the kit is over 60 MB" >&2; exit 1; }
