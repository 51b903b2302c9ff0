#!/bin/sh
# The GPU kit's one command (copied into the kit by make-kit.sh): tfjs-webgpu (Dawn, Vulkan) and
# PyTorch CUDA training throughput of the same training step, and their ratio.
#   ./run.sh [gapnet-pl|gapnet-kaggle|mobilenetv2|resnet50] [size] [batch]
# (mobilenetv2 and resnet50: the studio's defaults, first conv widened to 4 channels and the seed head;
# PyTorch runs torchvision's networks, which needs torchvision beside the CUDA PyTorch)
set -eu
cd "$(dirname "$0")"
MODEL=${1:-gapnet-pl}; SIZE=${2:-128}; BATCH=${3:-32}
[ -x ./node ] || xz -dk node.xz && chmod +x ./node
export LD_LIBRARY_PATH="$PWD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "tfjs-webgpu (Dawn/Vulkan): $MODEL $SIZE px batch $BATCH"
./node gpu-bench.mjs --model "$MODEL" --size "$SIZE" --batch "$BATCH" | tee tfjs.json
echo "tfjs-webgpu with tfjs's own Adam, SELU gradient and conv filter gradient (the studio before its own kernels), for comparison"
./node gpu-bench.mjs --model "$MODEL" --size "$SIZE" --batch "$BATCH" --kernels tfjs | tee tfjs-before.json
echo "tfjs-webgpu, losses read one step late (--pipeline, as the studio's trainer does): what overlapping encode and GPU work buys"
./node gpu-bench.mjs --model "$MODEL" --size "$SIZE" --batch "$BATCH" --pipeline | tee tfjs-pipeline.json
echo "PyTorch CUDA: $MODEL $SIZE px batch $BATCH"
python3 torch_cuda_step.py --model "$MODEL" --size "$SIZE" --batch "$BATCH" | tee torch.json
./node -e '
const a = JSON.parse(require("fs").readFileSync("tfjs.json", "utf8")), b = JSON.parse(require("fs").readFileSync("torch.json", "utf8"));
const c = JSON.parse(require("fs").readFileSync("tfjs-before.json", "utf8")), p = JSON.parse(require("fs").readFileSync("tfjs-pipeline.json", "utf8"));
console.log(`losses read one step late: ${p.imgPerS.toFixed(1)} img/s (${(p.imgPerS / a.imgPerS).toFixed(2)}x the studio loop)`);
console.log(`studio kernels (fused Adam ${a.adamCheck}, SeluGrad ${a.seluGradCheck}): ${a.imgPerS.toFixed(1)} img/s, JS encode ${a.encodeMedianMs.toFixed(1)} ms/step | before (tfjs Adam, SELU, conv filter and Mean/Sum gradients): ${c.imgPerS.toFixed(1)} img/s, JS encode ${c.encodeMedianMs.toFixed(1)} ms/step`);
console.log(`tfjs-webgpu ${a.imgPerS.toFixed(1)} img/s (step ${a.medianMs.toFixed(1)} ms, first ${(a.firstStepMs/1000).toFixed(1)} s) | PyTorch CUDA ${b.imgPerS.toFixed(1)} img/s on ${b.device} | ratio ${(a.imgPerS / b.imgPerS).toFixed(3)} | params ${a.params} vs ${b.params}`);'
