"""PyTorch CPU references for `npm run bench` (bench/README.md). Prints one JSON line.

  python3 bench/torch_ref.py train --model gapnet-pl --size 128 --batch 16 [--threads 1] [--warmup 2] [--steps 5]
  python3 bench/torch_ref.py train --model mobilenetv2 --size 224 --batch 8 [--channels widen] [--head seed]
  python3 bench/torch_ref.py infer --model gapnet-pl --size 128 --batch 16 --views 1 [--runs 5]
  python3 bench/torch_ref.py decode --zip file.zip [--limit 200] [--resize 256]

The networks are the same as createModel('gapnet-pl') and createModel('gapnet-kaggle') (parameter
counts are printed and checked by the caller: 630,076 and 595,468 counting BatchNorm's running
mean/var as tfjs does), and each starts with the model's input normalisation as tfjs's does
(gapnet-pl: per image and channel (x − mean) / (std + 1e-7); gapnet-kaggle: x / 255; no gradient
flows to it). Differences that do not change the work much: TF 'same' padding on stride-2 convs pads bottom/right only, PyTorch pads 1 px each side
(same output shapes, same FLOPs). One training step = zero_grad + forward + BCE + backward + Adam.
`decode` is the single-process Python/PIL reference for ingest: read every PNG of train/ from the
zip, decode the four channels of each sample, stack them (and resize like the studio does).

mobilenetv2 and resnet50 are torchvision's definitions of the backbones (random weights), wrapped
as createModel('mobilenetv2' | 'resnet50') builds them (docs/domain.md §5): ImageNet preprocessing
without gradient ('tf': x / 127.5 − 1 for MobileNetV2; 'caffe': BGR minus the means for ResNet50,
yellow like red), then per --channels the first convolution widened to 4 inputs (default, yellow
filters = red's), yellow dropped, or a 1×1 4→3 adapter; the seed head (input BatchNorm before the
backbone, conv 32 1×1 ReLU, flatten, dropout .5, dense 1024 ReLU, dropout .5, dense 28 sigmoid) or
the GAP head. Every layer trains. The counts differ from Keras Applications' where torchvision's
network does: its ResNet50 convolutions have no bias (BatchNorm follows), and it is ResNet v1.5
(stride 2 in the 3×3 convolution of a downsampling bottleneck, Keras's v1 has it in the first
1×1: about 6 % more multiply-adds); MobileNetV2's counts are the same. `macs` is the forward
multiply-adds per image (convolutions and dense layers), for the caller's side-by-side.
Run with Debian's /usr/bin/python3 (torch CPU, PIL, torchvision).
"""
import argparse
import io
import json
import statistics
import sys
import time
import zipfile


def gapnet_pl(torch, nn):
    class GapNetPL(nn.Module):
        def __init__(self):
            super().__init__()
            def conv(cin, cout, stride):
                return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.SELU())
            self.block1 = nn.Sequential(conv(4, 32, 2), nn.MaxPool2d(2, 2, ceil_mode=True))
            self.block2 = nn.Sequential(conv(32, 64, 2), conv(64, 64, 1), conv(64, 64, 1), conv(64, 64, 1), nn.MaxPool2d(2, 2, ceil_mode=True))
            self.block3 = nn.Sequential(conv(64, 128, 1), conv(128, 128, 1), conv(128, 128, 1))
            self.head = nn.Sequential(nn.Linear(224, 256), nn.SELU(), nn.AlphaDropout(0.3), nn.Linear(256, 256), nn.SELU(), nn.AlphaDropout(0.3), nn.Linear(256, 28), nn.Sigmoid())

        def forward(self, x):
            with torch.no_grad():  # the InputNormalization layer ('per-image')
                x = (x - x.mean(dim=(2, 3), keepdim=True)) / (x.std(dim=(2, 3), unbiased=False, keepdim=True) + 1e-7)
            f1 = self.block1(x)
            f2 = self.block2(f1)
            f3 = self.block3(f2)
            return self.head(torch.cat([f.mean(dim=(2, 3)) for f in (f1, f2, f3)], dim=1))
    return GapNetPL()


def gapnet_kaggle(torch, nn, size):
    valid = size >= 149  # as src/core/models/gapnet.ts kagglePadding('auto')
    pad = 0 if valid else 1

    class GapNetKaggle(nn.Module):
        def __init__(self):
            super().__init__()
            C = lambda cin, cout, s=1: nn.Sequential(nn.Conv2d(cin, cout, 3, stride=s, padding=pad), nn.ReLU())
            B = nn.BatchNorm2d
            P = lambda: nn.MaxPool2d(2, 2, ceil_mode=not valid)
            self.f1 = nn.Sequential(B(4), C(4, 32, 2), B(32), P(), nn.Dropout(0.3))
            self.f2 = nn.Sequential(B(32), C(32, 64, 2), B(64), C(64, 64), B(64), C(64, 64), B(64), P(), nn.Dropout(0.3))
            self.f3 = nn.Sequential(B(64), C(64, 128), B(128), C(128, 128), B(128), C(128, 128), nn.Dropout(0.3))
            self.head = nn.Sequential(nn.Linear(224, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 28), nn.Sigmoid())

        def forward(self, x):
            a = self.f1(x / 255)  # the InputNormalization layer ('div255')
            b = self.f2(a)
            c = self.f3(b)
            return self.head(torch.cat([f.mean(dim=(2, 3)) for f in (a, b, c)], dim=1))
    return GapNetKaggle()


GAPNETS = ('gapnet-pl', 'gapnet-kaggle')
TRANSFER = ('mobilenetv2', 'resnet50')
# ImageNet preprocessing per backbone (Keras Applications' preprocess_input modes), and where red sits in what the first conv sees
CAFFE_MEANS_BGRY = (103.939, 116.779, 123.68, 123.68)


def transfer(torch, nn, name, size, channels='widen', head='seed'):
    try:
        from torchvision.models import mobilenet_v2, resnet50
    except ImportError as e:
        raise SystemExit(f'torchvision is not importable ({e}): the mobilenetv2 / resnet50 references need it (Debian: python3-torchvision)')
    if name == 'mobilenetv2':
        net = mobilenet_v2()
        backbone = net.features
        holder, attr = net.features[0], '0'  # features[0] = Conv2dNormActivation(conv, bn, relu6)
        red = 0  # 'tf' preprocessing keeps RGB order
    else:
        net = resnet50()
        backbone = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3, net.layer4)
        holder, attr = backbone, '0'
        red = 2  # 'caffe' preprocessing: BGR
    if channels == 'widen':
        old = getattr(holder, attr)
        conv = nn.Conv2d(4, old.out_channels, old.kernel_size, old.stride, old.padding, bias=old.bias is not None)
        with torch.no_grad():
            conv.weight[:, :3] = old.weight
            conv.weight[:, 3] = old.weight[:, red]
        setattr(holder, attr, conv)
    cin = 4 if channels == 'widen' else 3

    class Transfer(nn.Module):
        def __init__(self):
            super().__init__()
            self.adapter = nn.Conv2d(4, 3, 1) if channels == 'adapter' else None
            # the seed's input BatchNorm (hpa_head_bn), after preprocessing, on what the backbone gets
            self.bn = nn.BatchNorm2d(cin if channels != 'adapter' else 4, eps=1e-3, momentum=0.01) if head == 'seed' else None
            self.backbone = backbone
            with torch.no_grad():
                feat = backbone(torch.zeros(1, cin, size, size))
            c, h, w = feat.shape[1:]
            self.feature_shape = (c, h, w)
            if head == 'seed':
                self.head = nn.Sequential(
                    nn.Conv2d(c, 32, 1), nn.ReLU(), nn.Flatten(), nn.Dropout(0.5), nn.Linear(32 * h * w, 1024), nn.ReLU(), nn.Dropout(0.5), nn.Linear(1024, 28), nn.Sigmoid()
                )
            else:
                self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(c, 28), nn.Sigmoid())

        def forward(self, x):
            with torch.no_grad():  # the preprocessing layer (hpa_preprocess)
                if name == 'mobilenetv2':
                    x = x / 127.5 - 1
                else:
                    x = x[:, [2, 1, 0, 3]] - torch.tensor(CAFFE_MEANS_BGRY, dtype=x.dtype, device=x.device).view(1, 4, 1, 1)
                if channels == 'rgb':
                    x = x[:, :3]
            if self.bn is not None:
                x = self.bn(x)
            if self.adapter is not None:
                x = self.adapter(x)
            return self.head(self.backbone(x))

    return Transfer()


def forward_macs(torch, nn, model, size, cin=4):
    """Multiply-adds of one image's forward pass through the convolutions and dense layers."""
    total = [0]

    def conv_hook(m, _inp, out):
        kh, kw = m.kernel_size
        total[0] += out.shape[1] * out.shape[2] * out.shape[3] * kh * kw * m.in_channels // m.groups

    def linear_hook(m, _inp, _out):
        total[0] += m.in_features * m.out_features

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    hooks += [m.register_forward_hook(linear_hook) for m in model.modules() if isinstance(m, nn.Linear)]
    was = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, cin, size, size))
    model.train(was)
    for h in hooks:
        h.remove()
    return total[0]


def build(name, size, channels='widen', head='seed'):
    import torch
    import torch.nn as nn
    if name in TRANSFER:
        model = transfer(torch, nn, name, size, channels, head)
    else:
        model = gapnet_pl(torch, nn) if name == 'gapnet-pl' else gapnet_kaggle(torch, nn, size)
    params = sum(t.numel() for t in model.parameters())
    buffers = sum(b.numel() for n, b in model.named_buffers() if not n.endswith('num_batches_tracked'))
    return torch, nn, model, params + buffers


def train(a):
    torch, nn, model, params = build(a.model, a.size, a.channels, a.head)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    macs = forward_macs(torch, nn, model, a.size)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCELoss()
    # transfer models take 0..255 pixels as the studio's do (their preprocessing is inside)
    x = torch.rand(a.batch, 4, a.size, a.size) * 255 if a.model in TRANSFER else torch.randn(a.batch, 4, a.size, a.size)
    y = (torch.rand(a.batch, 28) > 0.8).float()
    model.train()
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        times.append((time.perf_counter() - t0) * 1000)
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': params, 'macs': macs, 'firstStepMs': times[0], 'stepMs': times[a.warmup:]}
    if a.model in TRANSFER:
        import torchvision
        out.update({'torchvision': torchvision.__version__, 'channels': a.channels, 'head': a.head, 'features': list(model.feature_shape)})
    return out


def infer(a):
    torch, _, model, params = build(a.model, a.size, a.channels, a.head)
    torch.set_num_threads(a.threads)
    model.eval()
    x = torch.rand(a.batch, 4, a.size, a.size)
    times = []
    with torch.no_grad():
        for i in range(a.warmup + a.runs):
            t0 = time.perf_counter()
            # TTA: the same views tfjs's predictTensor makes (flips/rotations), averaged
            outs = []
            for v in range(a.views):
                xv = x if v == 0 else torch.rot90(x, v % 4, dims=(2, 3)) if v < 4 else torch.flip(torch.rot90(x, v % 4, dims=(2, 3)), dims=(3,))
                outs.append(model(xv))
            torch.stack(outs).mean(0).sum().item()
            times.append((time.perf_counter() - t0) * 1000)
    return {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': params, 'batchMs': times[a.warmup:]}


def decode(a):
    import numpy as np
    from PIL import Image
    zf = zipfile.ZipFile(a.zip)
    names = sorted(n for n in zf.namelist() if '/train/' in '/' + n and n.endswith('_red.png'))
    if a.limit:
        names = names[:a.limit]
    t0 = time.perf_counter()
    nbytes = 0
    for n in names:
        base = n[:-len('_red.png')]
        chans = []
        for c in ('red', 'green', 'blue', 'yellow'):
            raw = zf.read(f'{base}_{c}.png')
            nbytes += len(raw)
            im = Image.open(io.BytesIO(raw))
            im = im.convert('L')
            if a.resize and im.size[0] != a.resize:
                im = im.resize((a.resize, a.resize), Image.BILINEAR)
            chans.append(np.asarray(im))
        np.stack(chans, axis=-1)
    s = time.perf_counter() - t0
    return {'samples': len(names), 'seconds': s, 'samplesPerS': len(names) / s, 'mbPerS': nbytes / 1e6 / s, 'pngBytes': nbytes}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['train', 'infer', 'decode'])
    p.add_argument('--model', default='gapnet-pl', choices=[*GAPNETS, *TRANSFER])
    p.add_argument('--channels', default='widen', choices=['widen', 'rgb', 'adapter'], help='transfer models: 4 channels into the backbone')
    p.add_argument('--head', default='seed', choices=['seed', 'gap'], help='transfer models: the seed head or the GAP head')
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--views', type=int, default=1)
    p.add_argument('--zip')
    p.add_argument('--limit', type=int, default=0)
    p.add_argument('--resize', type=int, default=0)
    a = p.parse_args()
    out = train(a) if a.mode == 'train' else infer(a) if a.mode == 'infer' else decode(a)
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
