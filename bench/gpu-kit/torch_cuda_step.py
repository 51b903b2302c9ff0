"""PyTorch CUDA reference for the GPU kit: the same GapNet training step as bench/torch_ref.py
(same networks, parameter counts checked), on the GPU, synchronised per step. Prints one JSON line.
  python3 torch_cuda_step.py --model gapnet-pl --size 128 --batch 32 [--warmup 3] [--steps 10] [--no-tf32]
PyTorch's defaults run cuDNN convolutions in TF32 on tensor cores (Ampere and later) and matrix
products in float32; --no-tf32 makes both float32, as WGSL computes. The JSON line says which ran.
"""
import argparse
import json
import statistics
import time

from torch_ref import build  # shipped next to this file in the kit

PARAMS = {'gapnet-pl': 630_076, 'gapnet-kaggle': 595_468}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='gapnet-pl', choices=list(PARAMS))
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--no-tf32', action='store_true')
    a = p.parse_args()
    torch, nn, model, params = build(a.model, a.size)
    assert params == PARAMS[a.model], (params, PARAMS[a.model])
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
    print(json.dumps({'torch': torch.__version__, 'device': torch.cuda.get_device_name(0), 'params': params, 'tf32': tf32, 'firstStepMs': times[0], 'stepMs': times[a.warmup:], 'medianMs': med, 'imgPerS': a.batch * 1000 / med}))


if __name__ == '__main__':
    main()
