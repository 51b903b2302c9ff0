#!/bin/sh
# Issue #9's prepared GPU check: one call on an NVIDIA machine, a few minutes. Run from the repo root
# with the kit built here (sh bench/gpu-kit/make-kit.sh → bench/tmp/gpu-kit.tar.gz):
#   OUT=/some/dir sh bench/gpu-kit/device-run.sh
# It unpacks the kit, finds the NVIDIA Vulkan ICD, then runs in priority order (each job with its own
# timeout, none started after LIMIT seconds), appending one JSON line per job to $OUT/results.jsonl:
#   PyTorch CUDA reference (as it comes, and with TF32 off); tfjs-webgpu studio kernels (steps replayed from a recording); the same with every
#   step built by tfjs (HPA_STEP_REPLAY=false, before), for the step loop, the trainer loop and GapNet-Kaggle; the trainer loop with a fresh buffer per batch (before);
#   conv input gradients through tfjs's program instead of forward convolutions (stride 2: by parity), and global average
#   pools through tfjs's transpose + reduce (before; with GPU time per kernel);
#   losses read one step late; tfjs's own kernels (before); the fused Adam
#   through tfjs programs instead of in place (before); tfjs's staged uploads instead of writeBuffer
#   (before); the split filter gradient instead of the tiled one (before); tfjs's transpose-and-reduce
#   per-channel sums (before); tfjs's naive conv input gradient instead of its matrix-multiply one
#   (WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=true, before); the loss as tfjs ops (HPA_FUSED_LOSS=false,
#   before); losses read one
#   step late; the studio's trainer loop itself, without augmentation, and under a CPU profile
#   ($OUT/prof-summary.txt); three alternating pairs of awaited vs one-step-late loss reads; three
#   alternating rounds of the trainer loop with and without writeBuffer uploads and of GAPNet-Kaggle with
#   and without the column reduction;
#   WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE sweep; GPU time per kernel type (timestamp queries; also with the
#   split filter gradient and with the naive input gradient);
#   PyTorch again (drift); then 128 px, GapNet-Kaggle and batch 16.
# Transfer models, right after the GAPNet-PL 256 px headline (PyTorch, PyTorch without TF32, tfjs): MobileNetV2 and
#   ResNet50 at 128 and 224 px, batch 32, the studio's defaults (first conv widened to 4 channels, seed head, BCE, Adam):
#   PyTorch CUDA eager running torchvision's networks (torch_ref.py wraps them as the studio builds them; needs
#   torchvision beside the CUDA PyTorch) then the tfjs-webgpu step loop. TRANSFER=0 leaves them out;
#   ONLY='^(torch|tfjs)-(mobilenetv2|resnet50)' runs only them (about 8 jobs of under a minute each on an H200, estimated).
# ONLY=REGEX runs only the jobs whose names match; SUBMIT_SIZES="1 5 40 120" the sweep. QUICK=1 shrinks every job (32 px, batch 4) to check the script itself on SwiftShader.
set -u
ROOT=$(pwd)
OUT=${OUT:-$ROOT/bench/tmp/device-out}
mkdir -p "$OUT"
RES="$OUT/results.jsonl"
: > "$RES"
LIMIT=${LIMIT:-300}
JOB_TIMEOUT=${JOB_TIMEOUT:-100}
START=$(date +%s)
KITDIR=$(mktemp -d)
tar xzf "${KIT:-$ROOT/bench/tmp/gpu-kit.tar.gz}" -C "$KITDIR" || { echo "no kit: run sh bench/gpu-kit/make-kit.sh first"; exit 1; }
cd "$KITDIR/gpu-kit" || exit 1
xz -dk node.xz && chmod +x node
export LD_LIBRARY_PATH="$PWD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_DRIVER_FILES="$f"; break; fi
  done
fi
[ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:/usr/local/nvidia/lib64"

echo "== machine $(date -u +%FT%TZ)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | tail -n +1
echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
[ -n "${VK_DRIVER_FILES:-}" ] && cat "$VK_DRIVER_FILES"
ldconfig -p | grep -E 'libGLX_nvidia|libGLdispatch|libvulkan' | head -5
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())' 2>&1

if [ "${QUICK:-0}" = 1 ]; then S256=32 S128=48 B32=4 B16=2 W=1 N=3 G=1 T128=32 T224=48 TB=2 TN=2; else S256=256 S128=128 B32=32 B16=16 W=3 N=20 G=3 T128=128 T224=224 TB=32 TN=10; fi

# job NAME tfjs|torch ARGS...: one JSON line {"job": NAME, ...result} or {"job": NAME, "error": ...}
job() {
  name=$1 kind=$2; shift 2
  elapsed=$(( $(date +%s) - START ))
  if [ -n "${ONLY:-}" ] && ! echo "$name" | grep -Eq "$ONLY"; then return; fi
  if [ "$elapsed" -gt "$LIMIT" ]; then echo "== $name: skipped (${elapsed}s > LIMIT ${LIMIT}s)"; return; fi
  echo "== $name ($kind $*) at ${elapsed}s"
  # NODEFLAGS: options for node itself (e.g. --cpu-prof), only on tfjs jobs
  if [ "$kind" = torch ]; then set -- python3 torch_cuda_step.py "$@"; else set -- ./node ${NODEFLAGS:-} gpu-bench.mjs "$@"; fi
  t0=$(date +%s)
  timeout "$JOB_TIMEOUT" "$@" > job.out 2> job.err
  rc=$?
  line=$(grep '^{' job.out | tail -1)
  if [ "$rc" = 0 ] && [ -n "$line" ]; then
    printf '{"job":"%s","wallS":%s,%s\n' "$name" "$(( $(date +%s) - t0 ))" "${line#\{}" >> "$RES"
    ./node -e 'const r = JSON.parse(process.argv[1]); console.log(`   ${r.imgPerS.toFixed(1)} img/s, step ${r.medianMs.toFixed(2)} ms, first ${(r.firstStepMs / 1000).toFixed(2)} s` + (r.encodeMedianMs !== undefined ? `, encode ${r.encodeMedianMs.toFixed(2)} ms` : "") + (r.adapter ? `, ${r.adapter.vendor} ${r.adapter.architecture} ${r.adapter.description}; checks: Adam ${r.adamCheck}, writeBuffer upload ${r.writeUploadCheck}, SeluGrad ${r.seluGradCheck}, AlphaDropout ${r.alphaDropoutCheck}, fused loss ${r.focalLossCheck}, chunk sum ${r.chunkSumCheck}, column reduce ${r.columnReduceCheck}, conv filter grad ${r.convFilterGradCheck}, conv input grad ${r.convInputGradCheck}, conv input grad as conv ${r.convInputAsConvCheck}, step replay ${r.replayCheck}` + (r.replay ? ` (replayed ${r.replay.replayed}${r.replay.off ? `; ${r.replay.off}` : ""})` : "") : ` on ${r.device}` + (r.tf32 ? ` (TF32: convs ${r.tf32.cudnnConv}, matrix products ${r.tf32.matmul})` : "")) + (r.macs && r.model && !r.model.startsWith("gapnet") ? ` | ${r.model} ${r.size} px b${r.batch}, params ${r.params}, forward ${(r.macs / 1e9).toFixed(2)} GMAC/image` : "") + (r.gpuTime ? ` | GPU busy ${JSON.stringify(r.gpuTime.kernelMs)} ms, ${r.gpuTime.note} top ${JSON.stringify(r.gpuTime.top)}` : ""))' "$line"
  else
    err=$(tail -c 600 job.err | tr '\n"\\' '   ')
    printf '{"job":"%s","error":"rc %s: %s"}\n' "$name" "$rc" "$err" >> "$RES"
    echo "   failed (rc $rc):"; tail -c 1500 job.err; echo
  fi
}

P="--warmup $W --steps $N"
job torch-pl-256-b32 torch --model gapnet-pl --size $S256 --batch $B32 --warmup 5 --steps 30
# PyTorch with TF32 off: its default runs cuDNN convolutions on tensor cores in TF32; WGSL has only float32
job torch-pl-256-b32-fp32 torch --model gapnet-pl --size $S256 --batch $B32 --warmup 5 --steps 30 --no-tf32
job tfjs-pl-256-b32 tfjs --model gapnet-pl --size $S256 --batch $B32 $P
# the transfer backbones (issue #28): PyTorch CUDA (torchvision) then tfjs-webgpu, same model options, batch and size
if [ "${TRANSFER:-1}" != 0 ]; then
  for m in mobilenetv2 resnet50; do
    for sz in $T128 $T224; do
      job torch-$m-$sz-b$TB torch --model $m --size $sz --batch $TB --channels widen --head seed --warmup 5 --steps 20
      job tfjs-$m-$sz-b$TB tfjs --model $m --size $sz --batch $TB --channels widen --head seed --warmup $W --steps $TN
    done
  done
fi
job tfjs-pl-256-b32-noreplay tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_STEP_REPLAY=false
job tfjs-pl-256-b32-trainer tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer
job tfjs-pl-256-b32-trainer-fresh tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer --fresh-batches
job tfjs-pl-256-b32-trainer-noreplay tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer --flag HPA_STEP_REPLAY=false
job tfjs-pl-256-b32-pipeline tfjs --model gapnet-pl --size $S256 --batch $B32 $P --pipeline
# conv input gradients through tfjs's input-gradient program instead of forward convolutions (src/accel/webgpu/convInputGradAsConv.ts)
job tfjs-pl-256-b32-inputgrad-tfjs tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_CONV_INPUT_GRAD_AS_CONV=false
job tfjs-pl-256-b32-gputime-first tfjs --model gapnet-pl --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis
job tfjs-pl-256-b32-gputime-inputgrad-tfjs tfjs --model gapnet-pl --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis --flag HPA_CONV_INPUT_GRAD_AS_CONV=false
job tfjs-pl-256-b32-gputime-pool-tfjs tfjs --model gapnet-pl --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis --flag HPA_COLUMN_REDUCE=false
# the split reductions' second pass one thread per value, chunk after chunk, instead of in lanes (src/accel/webgpu/chunkSum.ts)
job tfjs-pl-256-b32-gputime-chunksum-serial tfjs --model gapnet-pl --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis --flag HPA_CHUNK_SUM_LANES=false
job tfjs-pl-256-b32-chunksum-serial tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_CHUNK_SUM_LANES=false
job tfjs-pl-256-b32-inputgrad-tfjs-r2 tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_CONV_INPUT_GRAD_AS_CONV=false
job tfjs-pl-256-b32-r2 tfjs --model gapnet-pl --size $S256 --batch $B32 $P
job tfjs-kaggle-256-b32 tfjs --model gapnet-kaggle --size $S256 --batch $B32 $P
job tfjs-kaggle-256-b32-noreplay tfjs --model gapnet-kaggle --size $S256 --batch $B32 $P --flag HPA_STEP_REPLAY=false
job tfjs-pl-256-b32-before tfjs --model gapnet-pl --size $S256 --batch $B32 $P --kernels tfjs
# the fused Adam through tfjs programs (3 dispatches and 3 new tensors per weight) instead of in place (1 dispatch)
job tfjs-pl-256-b32-adam-kernels tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_ADAM_IN_PLACE=false
# values uploaded through tfjs's staging buffers (a createBuffer and a copy each) instead of queue.writeBuffer
job tfjs-pl-256-b32-upload-staged tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_UPLOAD_WRITE_BUFFER=false
# the conv filter gradient's split kernel instead of the tiled one
job tfjs-pl-256-b32-filtergrad-split tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_CONV_FILTER_GRAD_TILED=false
# tfjs's transpose-then-reduce for per-channel sums instead of the column reduction
job tfjs-pl-256-b32-reduce-tfjs tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_COLUMN_REDUCE=false
# tfjs's naive conv input gradient instead of its matrix-multiply one (src/accel/webgpu/conv2dInputGrad.ts)
job tfjs-pl-256-b32-derinput-naive tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=true
# the BCE as tfjs ops instead of one kernel each way (src/accel/webgpu/focalLoss.ts)
job tfjs-pl-256-b32-loss-ops tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag HPA_FUSED_LOSS=false
# what augmentation costs in the loop: the same run with the batch passed through as it is
job tfjs-pl-256-b32-trainer-upload-staged tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer --flag HPA_UPLOAD_WRITE_BUFFER=false
job tfjs-pl-256-b32-trainer-noaug tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer --augment none
# where the loop's JavaScript goes: a V8 CPU profile of the trainer job, summarised to text (self time per function)
PROF="$OUT/prof"
mkdir -p "$PROF"
NODEFLAGS="--cpu-prof --cpu-prof-dir=$PROF"
job tfjs-pl-256-b32-trainer-prof tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer
NODEFLAGS=""
for f in "$PROF"/*.cpuprofile; do
  [ -f "$f" ] && ./node prof-summary.mjs "$f" --top 60 | tee -a "$OUT/prof-summary.txt"
done
rm -rf "$PROF"
# the late loss read, settled: awaited and one step late alternately, three pairs
for r in 1 2 3; do
  job tfjs-pl-256-b32-awaited-r$r tfjs --model gapnet-pl --size $S256 --batch $B32 $P
  job tfjs-pl-256-b32-pipeline-r$r tfjs --model gapnet-pl --size $S256 --batch $B32 $P --pipeline
done
# the two changes whose step-time effect one run cannot settle, alternately, three rounds: uploads in the
# studio's trainer loop, and the column reduction on GAPNet-Kaggle (its GPU time is clear; its step time is JavaScript-bound)
for r in 1 2 3; do
  job tfjs-pl-256-b32-trainer-r$r tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer
  job tfjs-pl-256-b32-trainer-upload-staged-r$r tfjs --model gapnet-pl --size $S256 --batch $B32 $P --trainer --flag HPA_UPLOAD_WRITE_BUFFER=false
  job tfjs-kaggle-256-b32-r$r tfjs --model gapnet-kaggle --size $S256 --batch $B32 $P
  job tfjs-kaggle-256-b32-reduce-tfjs-r$r tfjs --model gapnet-kaggle --size $S256 --batch $B32 $P --flag HPA_COLUMN_REDUCE=false
done
for n in ${SUBMIT_SIZES:-1 5 40 120}; do
  job tfjs-pl-256-b32-submit$n tfjs --model gapnet-pl --size $S256 --batch $B32 $P --flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=$n
done
job tfjs-pl-256-b32-gputime tfjs --model gapnet-pl --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis
job tfjs-pl-256-b32-gputime-split tfjs --model gapnet-pl --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis --flag HPA_CONV_FILTER_GRAD_TILED=false
job tfjs-pl-256-b32-gputime-derinput-naive tfjs --model gapnet-pl --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis --flag WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=true
job tfjs-kaggle-256-b32-gputime-reduce-tfjs tfjs --model gapnet-kaggle --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis --flag HPA_COLUMN_REDUCE=false
job torch-pl-256-b32-again torch --model gapnet-pl --size $S256 --batch $B32 --warmup 5 --steps 30
job tfjs-pl-256-b32-again tfjs --model gapnet-pl --size $S256 --batch $B32 $P
job torch-pl-128-b32 torch --model gapnet-pl --size $S128 --batch $B32 --warmup 5 --steps 30
job tfjs-pl-128-b32 tfjs --model gapnet-pl --size $S128 --batch $B32 $P
job torch-kaggle-256-b32 torch --model gapnet-kaggle --size $S256 --batch $B32 --warmup 5 --steps 30
job tfjs-kaggle-256-b32-reduce-tfjs tfjs --model gapnet-kaggle --size $S256 --batch $B32 $P --flag HPA_COLUMN_REDUCE=false
job tfjs-kaggle-256-b32-trainer tfjs --model gapnet-kaggle --size $S256 --batch $B32 $P --trainer
job tfjs-kaggle-256-b32-before tfjs --model gapnet-kaggle --size $S256 --batch $B32 $P --kernels tfjs
job tfjs-kaggle-256-b32-gputime tfjs --model gapnet-kaggle --size $S256 --batch $B32 --warmup 1 --steps 3 --gpu-time $G --dawn enable-dawn-features=allow_unsafe_apis
job torch-pl-256-b16 torch --model gapnet-pl --size $S256 --batch $B16 --warmup 5 --steps 30
job tfjs-pl-256-b16 tfjs --model gapnet-pl --size $S256 --batch $B16 $P
job torch-pl-512-b16 torch --model gapnet-pl --size $((S256 * 2)) --batch $B16 --warmup 5 --steps 30
job tfjs-pl-512-b16 tfjs --model gapnet-pl --size $((S256 * 2)) --batch $B16 $P
echo "== done in $(( $(date +%s) - START ))s; $(wc -l < "$RES") results in $RES"
rm -rf "$KITDIR"
