"""PyTorch CUDA reference for the GPU kit: the same GapNet training step as bench/torch_ref.py
(same networks, parameter counts checked), on the GPU, synchronised per step. Prints one JSON line.
  python3 torch_cuda_step.py --model gapnet-pl --size 128 --batch 32 [--warmup 3] [--steps 10] [--no-tf32]
  python3 torch_cuda_step.py --model mobilenetv2 --size 224 --batch 32 [--channels widen] [--head seed]
mobilenetv2 and resnet50 are torchvision's networks wrapped as the studio builds them (torch_ref.py
says how: preprocessing, widened first convolution, seed head); they need torchvision next to the
CUDA PyTorch, and stop with a one-line message without it. Their parameter counts are printed,
not checked (torchvision's ResNet50 has no convolution biases: 26,560 fewer than the studio's).
PyTorch's defaults run cuDNN convolutions in TF32 on tensor cores (Ampere and later) and matrix
products in float32; --no-tf32 makes both float32, as WGSL computes. The JSON line says which ran.
"""
import argparse
import json
import statistics
import time

from torch_ref import TRANSFER, build, forward_macs  # shipped next to this file in the kit

PARAMS = {'gapnet-pl': 630_076, 'gapnet-kaggle': 595_468}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='gapnet-pl', choices=[*PARAMS, *TRANSFER])
    p.add_argument('--channels', default='widen', choices=['widen', 'rgb', 'adapter'])
    p.add_argument('--head', default='seed', choices=['seed', 'gap'])
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--no-tf32', action='store_true')
    a = p.parse_args()
    torch, nn, model, params = build(a.model, a.size, a.channels, a.head)
    assert a.model in TRANSFER or params == PARAMS[a.model], (params, PARAMS[a.model])
    macs = forward_macs(torch, nn, model, a.size)
    if not torch.cuda.is_available():
        raise SystemExit('torch.cuda.is_available() is False: this PyTorch has no CUDA or sees no GPU')
    if a.no_tf32:
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    tf32 = {'cudnnConv': torch.backends.cudnn.allow_tf32, 'matmul': torch.backends.cuda.matmul.allow_tf32}
    dev = torch.device('cuda')
    torch.manual_seed(1)
    model = model.to(dev).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    x = torch.rand(a.batch, 4, a.size, a.size, device=dev) * 255
    y = (torch.rand(a.batch, 28, device=dev) > 0.8).float()
    times = []
    for i in range(a.warmup + a.steps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times[a.warmup:])
    transfer = {'channels': a.channels, 'head': a.head} if a.model in TRANSFER else {}
    print(json.dumps({'torch': torch.__version__, 'device': torch.cuda.get_device_name(0), 'model': a.model, **transfer, 'size': a.size, 'batch': a.batch, 'params': params, 'macs': macs, 'tf32': tf32, 'firstStepMs': times[0], 'stepMs': times[a.warmup:], 'medianMs': med, 'imgPerS': a.batch * 1000 / med}))


if __name__ == '__main__':
    main()
