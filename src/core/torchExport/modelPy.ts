/**
 * The generated model.py: the run's network in PyTorch (GAPNet-PL and GAPNet-Kaggle written out;
 * the transfer backbones from torchvision, adapted to Keras Applications' layout as
 * fixtures/transfer/parity.py does), loading and saving the studio's weights by their studio names
 * (conv kernels HWIO ↔ OIHW, dense kernels [in, out] ↔ [out, in], BatchNorm γ, β and moving
 * statistics), and the studio's input path: PNG channels → area resize to the stored size → (at
 * the model) bilinear resize as tf.image.resizeBilinear does, or the centre crop.
 */
import { pyConstants, type NetworkSpec } from './spec';

export function modelPy(spec: NetworkSpec, about: string): string {
  const header = pyConstants([
    ['MODEL', spec.model],
    ['INPUT_SIZE', spec.inputSize, 'the model input side, px'],
    ['CHANNELS', spec.channels, 'red, green, blue, yellow'],
    ['CLASSES', spec.classes],
    ['NORMALISATION', spec.normalisation, "GAPNet's first layer: 'per-image' (x - mean) / (std + 1e-7) per image and channel, or 'div255'"],
    ['KAGGLE_PADDING', spec.kagglePadding, "gapnet-kaggle's conv and pool padding ('valid' from 149 px, else 'same')"],
    ['FOUR_CHANNELS', spec.fourChannels, "transfer models: 'rgb' drops yellow, 'widen' gives the first conv 4 inputs, 'adapter' a learned 1x1 conv 4 -> 3"],
    ['HEAD', spec.head, "transfer models: 'seed' (BatchNorm on the input, conv 32 1x1, flatten, dense 1024) or 'gap'"],
    ['PREPROCESSING', spec.preprocessing, "transfer models: 'tf' x / 127.5 - 1, 'caffe' BGR minus the ImageNet means"],
    ['FIRST_CONV', spec.firstConv, "transfer models: the backbone's first convolution (widened to 4 inputs for 'widen')"],
    ['RESIZE_MODE', spec.resizeMode, "'resize': the whole stored image resized to INPUT_SIZE; 'crop': INPUT_SIZE windows of it"],
    ['STORED_SIZE', spec.storedSize, 'the side images were stored at in the studio (area-averaged from the PNGs)'],
  ]);
  return `"""${about}

model.py: the network in PyTorch, with the studio's weights and input path.

    import model
    net = model.build_model()
    model.load_weights(net, 'weights.npz')     # the studio's weights (numpy.load reads the file)
    x = model.read_sample('test', some_id)     # uint8 [STORED_SIZE, STORED_SIZE, 4], as the studio stores it
    probs = model.predict_batch(net, [x])      # [1, CLASSES] probabilities

The network takes float32 [N, 4, INPUT_SIZE, INPUT_SIZE] RGBY pixels on the 0..255 scale (channels
first) and normalises them itself, as the studio's first layer does; it ends in a sigmoid.
"""
${header}
${MODEL_BODY}`;
}

const MODEL_BODY = String.raw`
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CHANNEL_ORDER = ('red', 'green', 'blue', 'yellow')
PER_IMAGE_EPSILON = 1e-7
CAFFE_BGR_MEANS = (103.939, 116.779, 123.68)
# Keras's BatchNormalization momentum m is PyTorch's 1 - m
KERAS_BN_MOMENTUM = 0.99


# ---------------------------------------------------------------- layers with the studio's conventions


def same_pads(n, k, s):
    """TF's 'same' padding of an n-pixel side for a k-wide window at stride s: (before, after), the odd pixel after."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class Conv2d(nn.Conv2d):
    """nn.Conv2d padded as the studio's layers are: 'valid', 'same' as TF computes it (a stride-2
    'same' conv pads the extra pixel after), or n pixels on every side (ZeroPadding2D(n) + 'valid')."""

    def __init__(self, cin, cout, k, stride=1, padding='valid', bias=True, groups=1):
        symmetric = padding == 'same' and stride == 1 and k % 2 == 1
        pad = padding if isinstance(padding, int) else (k // 2 if symmetric else 0)
        super().__init__(cin, cout, k, stride=stride, padding=pad, bias=bias, groups=groups)
        self.tf_same = padding == 'same' and not symmetric

    def forward(self, x):
        if self.tf_same:
            top, bottom = same_pads(x.shape[2], self.kernel_size[0], self.stride[0])
            left, right = same_pads(x.shape[3], self.kernel_size[1], self.stride[1])
            x = F.pad(x, (left, right, top, bottom))
        return super().forward(x)


def named(module, name):
    """Tags a module with the studio layer name its weights are stored under."""
    module.studio_name = name
    return module


def batch_norm(c, name, eps=1e-3, keras_momentum=KERAS_BN_MOMENTUM, scale=True):
    """A Keras BatchNormalization as nn.BatchNorm2d; scale=False (InceptionV3's) keeps gamma at 1."""
    bn = named(nn.BatchNorm2d(c, eps=eps, momentum=1 - keras_momentum), name)
    bn.studio_scale = scale
    if not scale:
        with torch.no_grad():
            bn.weight.fill_(1.0)
        bn.weight.requires_grad_(False)
    return bn


def tf_max_pool(x, padding):
    """MaxPooling2D(2, 2): 'same' keeps the last partial window (TF pads after), 'valid' drops it."""
    return F.max_pool2d(x, 2, 2, ceil_mode=padding == 'same')


def normalise(x):
    """GAPNet's first layer (the studio's InputNormalization)."""
    if NORMALISATION == 'div255':
        return x / 255.0
    mean = x.mean(dim=(2, 3), keepdim=True)
    std = x.var(dim=(2, 3), unbiased=False, keepdim=True).sqrt()
    return (x - mean) / (std + PER_IMAGE_EPSILON)


def preprocess(x):
    """A transfer backbone's ImageNet preprocessing (the studio's ImagenetPreprocess); a fourth (yellow) channel stays last, with red's mean."""
    if PREPROCESSING == 'tf':
        return x / 127.5 - 1.0
    c = x.shape[1]
    order = [2, 1, 0, 3][:c]
    means = list(CAFFE_BGR_MEANS) + [CAFFE_BGR_MEANS[2]]
    return x[:, order] - torch.tensor(means[:c], dtype=x.dtype, device=x.device).view(1, c, 1, 1)


# ---------------------------------------------------------------- GAPNet


class GapNetPL(nn.Module):
    """GAPNet-PL (the studio's gapnet.ts): 3x3 SELU convs (stride-2 ones after a 1-pixel zero padding),
    max pools 2x2 'same', three global average pools concatenated, dense 256-256-CLASSES with AlphaDropout 0.3."""

    def __init__(self):
        super().__init__()
        plan = [(CHANNELS, 32, 2), (32, 64, 2), (64, 64, 1), (64, 64, 1), (64, 64, 1), (64, 128, 1), (128, 128, 1), (128, 128, 1)]
        self.convs = nn.ModuleList(named(Conv2d(cin, cout, 3, stride, padding=1), 'conv%d' % (i + 1)) for i, (cin, cout, stride) in enumerate(plan))
        self.fc1 = named(nn.Linear(224, 256), 'fc1')
        self.fc2 = named(nn.Linear(256, 256), 'fc2')
        self.fc3 = named(nn.Linear(256, CLASSES), 'fc3')
        self.drop1 = nn.AlphaDropout(0.3)
        self.drop2 = nn.AlphaDropout(0.3)

    def forward(self, x):
        c = [lambda t, conv=conv: F.selu(conv(t)) for conv in self.convs]
        x = tf_max_pool(c[0](normalise(x)), 'same')
        g1 = x.mean(dim=(2, 3))
        x = tf_max_pool(c[4](c[3](c[2](c[1](x)))), 'same')
        g2 = x.mean(dim=(2, 3))
        x = c[7](c[6](c[5](x)))
        g3 = x.mean(dim=(2, 3))
        h = torch.cat([g1, g2, g3], dim=1)
        h = self.drop1(F.selu(self.fc1(h)))
        h = self.drop2(F.selu(self.fc2(h)))
        return torch.sigmoid(self.fc3(h))

    def head_layers(self):
        """What the soft-F1 phase of 'BCE then soft F1' trains (the studio's last 7 layers: gap3, concat and the dense head)."""
        return [self.fc1, self.fc2, self.fc3]


class GapNetKaggle(nn.Module):
    """GAPNet as the Keras kernel built it (the studio's gapnet.ts): BatchNorm + ReLU convs, 'valid' or 'same'
    (KAGGLE_PADDING) convs and pools, dropout, dense 256-256-CLASSES."""

    def __init__(self):
        super().__init__()
        p = KAGGLE_PADDING
        self.bns = nn.ModuleList(batch_norm(c, 'bn%d' % (i + 1)) for i, c in enumerate([CHANNELS, 32, 32, 64, 64, 64, 64, 128, 128]))
        plan = [(CHANNELS, 32, 2), (32, 64, 2), (64, 64, 1), (64, 64, 1), (64, 128, 1), (128, 128, 1), (128, 128, 1)]
        self.convs = nn.ModuleList(named(Conv2d(cin, cout, 3, stride, padding=p), 'conv%d' % (i + 1)) for i, (cin, cout, stride) in enumerate(plan))
        self.drops = nn.ModuleList(nn.Dropout(r) for r in (0.3, 0.3, 0.3, 0.5, 0.1))
        self.fc1 = named(nn.Linear(224, 256), 'fc1')
        self.fc2 = named(nn.Linear(256, 256), 'fc2')
        self.fc3 = named(nn.Linear(256, CLASSES), 'fc3')

    def forward(self, x):
        b, c, d, p = self.bns, [lambda t, conv=conv: F.relu(conv(t)) for conv in self.convs], self.drops, KAGGLE_PADDING
        fm1 = d[0](tf_max_pool(b[1](c[0](b[0](normalise(x)))), p))
        x = b[3](c[1](b[2](fm1)))
        x = b[4](c[2](x))
        fm2 = d[1](tf_max_pool(b[5](c[3](x)), p))
        x = b[7](c[4](b[6](fm2)))
        x = b[8](c[5](x))
        fm3 = d[2](c[6](x))
        h = torch.cat([f.mean(dim=(2, 3)) for f in (fm1, fm2, fm3)], dim=1)
        h = d[3](F.relu(self.fc1(h)))
        h = d[4](F.relu(self.fc2(h)))
        return torch.sigmoid(self.fc3(h))

    def head_layers(self):
        return [self.fc1, self.fc2, self.fc3]


# ---------------------------------------------------------------- transfer backbones (torchvision, in Keras Applications' layout)


def _set_bn(bn, name, eps, keras_momentum=KERAS_BN_MOMENTUM, scale=True):
    bn.eps = eps
    bn.momentum = 1 - keras_momentum
    named(bn, name)
    bn.studio_scale = scale
    if not scale:
        with torch.no_grad():
            bn.weight.fill_(1.0)
        bn.weight.requires_grad_(False)


def _with_bias(conv):
    """Keras's ResNet50 convolutions have biases; torchvision's do not."""
    if conv.bias is None:
        conv.bias = nn.Parameter(torch.zeros(conv.out_channels))
    return conv


def _tf_conv(conv, cin=None, padding='same'):
    """A torchvision conv rebuilt as a Conv2d with TF's padding (and, for the first conv, cin inputs)."""
    return Conv2d(cin or conv.in_channels, conv.out_channels, conv.kernel_size[0], conv.stride[0], padding, conv.bias is not None, conv.groups)


def mobilenetv2(cin):
    """torchvision's MobileNetV2 features as Keras's: stride-2 convs padded as TF's 'same' (correct_pad), BatchNorm eps 1e-3 momentum 0.999."""
    import torchvision

    f = torchvision.models.mobilenet_v2(weights=None).features
    f[0][0] = _tf_conv(f[0][0], cin)
    for parent in list(f.modules()):
        for key, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d) and child.stride[0] == 2 and child is not f[0][0]:
                setattr(parent, key, _tf_conv(child))
    convs, bns = ['Conv1'], ['bn_Conv1']
    for b in range(17):
        prefix = 'expanded_conv_' if b == 0 else 'block_%d_' % b
        parts = ['depthwise', 'project'] if b == 0 else ['expand', 'depthwise', 'project']
        convs += [prefix + q for q in parts]
        bns += [prefix + q + '_BN' for q in parts]
    convs.append('Conv_1')
    bns.append('Conv_1_bn')
    found_convs = [m for m in f.modules() if isinstance(m, nn.Conv2d)]
    found_bns = [m for m in f.modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(found_convs) == len(convs) and len(found_bns) == len(bns), 'torchvision MobileNetV2 is not the expected 52 convolutions'
    for m, name in zip(found_convs, convs):
        named(m, name)
    for m, name in zip(found_bns, bns):
        _set_bn(m, name, 1e-3, 0.999)
    return f, [[f[i]] for i in range(len(f))]


def resnet50(cin):
    """torchvision's ResNet50 as Keras's (v1): the stride on the first 1x1 conv of a downsampling block, biases on the convs, BatchNorm eps 1.001e-5."""
    import torchvision

    r = torchvision.models.resnet50(weights=None)
    r.conv1 = _with_bias(nn.Conv2d(cin, 64, 7, 2, 3, bias=True))
    eps = 1.001e-5
    named(r.conv1, 'conv1_conv')
    _set_bn(r.bn1, 'conv1_bn', eps)
    blocks = [[r.conv1, r.bn1, r.relu, r.maxpool]]
    for s, layer in enumerate([r.layer1, r.layer2, r.layer3, r.layer4], start=2):
        for b, blk in enumerate(layer, start=1):
            name = 'conv%d_block%d' % (s, b)
            if blk.downsample is not None:
                blk.conv1.stride, blk.conv2.stride = blk.conv2.stride, (1, 1)
                named(_with_bias(blk.downsample[0]), name + '_0_conv')
                _set_bn(blk.downsample[1], name + '_0_bn', eps)
            for j, (conv, bn) in enumerate([(blk.conv1, blk.bn1), (blk.conv2, blk.bn2), (blk.conv3, blk.bn3)], start=1):
                named(_with_bias(conv), '%s_%d_conv' % (name, j))
                _set_bn(bn, '%s_%d_bn' % (name, j), eps)
            blocks.append([blk])
    seq = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool, r.layer1, r.layer2, r.layer3, r.layer4)
    return seq, blocks


def vgg16(cin):
    """torchvision's VGG16 features (the same layout as Keras's)."""
    import torchvision

    f = torchvision.models.vgg16(weights=None).features
    f[0] = nn.Conv2d(cin, 64, 3, padding=1)
    blocks, current, block, i = [], [], 1, 0
    for m in f:
        current.append(m)
        if isinstance(m, nn.Conv2d):
            i += 1
            named(m, 'block%d_conv%d' % (block, i))
        elif isinstance(m, nn.MaxPool2d):
            blocks.append(current)
            current, block, i = [], block + 1, 0
    return f, blocks


class _KerasAvgPool:
    """torch.nn.functional for torchvision's Inception modules, except that a 'same' average pool
    averages the pixels inside the image, as Keras's does (torchvision's counts the padding)."""

    def __getattr__(self, name):
        return getattr(F, name)

    @staticmethod
    def avg_pool2d(*args, **kwargs):
        kwargs['count_include_pad'] = False
        return F.avg_pool2d(*args, **kwargs)


def inceptionv3(cin):
    """torchvision's InceptionV3 as Keras's: BatchNorm without gamma, eps 1e-3; 'same' average pools over the pixels inside."""
    import torchvision
    import torchvision.models.inception as inception

    inception.F = _KerasAvgPool()
    n = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False, transform_input=False)
    n.Conv2d_1a_3x3.conv = nn.Conv2d(cin, 32, 3, stride=2, bias=False)
    units = [m for m in n.modules() if isinstance(m, inception.BasicConv2d)]
    assert len(units) == 94, 'torchvision InceptionV3 is not the expected 94 convolutions'
    for k, u in enumerate(units, start=1):  # Keras's automatic names, numbered in creation order (the same order as torchvision's)
        named(u.conv, 'conv2d_%d' % k)
        _set_bn(u.bn, 'batch_normalization_%d' % k, 1e-3, scale=False)
    stem = [n.Conv2d_1a_3x3, n.Conv2d_2a_3x3, n.Conv2d_2b_3x3, n.maxpool1, n.Conv2d_3b_1x1, n.Conv2d_4a_3x3, n.maxpool2]
    mixed = [n.Mixed_5b, n.Mixed_5c, n.Mixed_5d, n.Mixed_6a, n.Mixed_6b, n.Mixed_6c, n.Mixed_6d, n.Mixed_6e, n.Mixed_7a, n.Mixed_7b, n.Mixed_7c]
    return nn.Sequential(*stem, *mixed), [stem] + [[m] for m in mixed]


BACKBONES = {'mobilenetv2': mobilenetv2, 'resnet50': resnet50, 'vgg16': vgg16, 'inceptionv3': inceptionv3}


class Transfer(nn.Module):
    """The studio's transfer model (transfer.ts): four channels to the backbone (FOUR_CHANNELS), its ImageNet
    preprocessing, the seed head's input BatchNorm, the backbone, and the head (HEAD)."""

    def __init__(self):
        super().__init__()
        cin = 4 if FOUR_CHANNELS == 'widen' else 3
        self.adapter = named(Conv2d(4, 3, 1), 'hpa_adapter') if FOUR_CHANNELS == 'adapter' else None
        self.head_bn = batch_norm(cin, 'hpa_head_bn') if HEAD == 'seed' else None
        self.backbone, self.blocks = BACKBONES[MODEL](cin)
        was = self.backbone.training
        self.backbone.eval()
        with torch.no_grad():
            c, h, w = self.backbone(torch.zeros(1, cin, INPUT_SIZE, INPUT_SIZE)).shape[1:]
        self.backbone.train(was)
        if HEAD == 'seed':
            self.head_conv = named(Conv2d(c, 32, 1), 'hpa_head_conv')
            self.head_fc1 = named(nn.Linear(32 * h * w, 1024), 'hpa_head_fc1')
            self.drop1, self.drop2 = nn.Dropout(0.5), nn.Dropout(0.5)
            self.head_out = named(nn.Linear(1024, CLASSES), 'hpa_head_out')
        else:
            self.drop = nn.Dropout(0.5)
            self.head_out = named(nn.Linear(c, CLASSES), 'hpa_head_out')

    def forward(self, x):
        if FOUR_CHANNELS == 'rgb':
            x = x[:, :3]
        elif self.adapter is not None:
            x = self.adapter(x)
        x = preprocess(x)
        if self.head_bn is not None:
            x = self.head_bn(x)
        x = self.backbone(x)
        if HEAD == 'seed':
            x = F.relu(self.head_conv(x))
            x = x.permute(0, 2, 3, 1).flatten(1)  # Keras flattens height, width, channels
            x = self.drop2(F.relu(self.head_fc1(self.drop1(x))))
        else:
            x = self.drop(x.mean(dim=(2, 3)))
        return torch.sigmoid(self.head_out(x))

    def studio_parts(self):
        """The modules outside the backbone (the adapter and the head): they train in every phase."""
        return [m for m in (self.adapter, self.head_bn, getattr(self, 'head_conv', None), getattr(self, 'head_fc1', None), self.head_out) if m is not None]


def build_model():
    if MODEL == 'gapnet-pl':
        return GapNetPL()
    if MODEL == 'gapnet-kaggle':
        return GapNetKaggle()
    if MODEL in BACKBONES:
        return Transfer()
    raise ValueError('model %r is not one of gapnet-pl, gapnet-kaggle, %s' % (MODEL, ', '.join(BACKBONES)))


# ---------------------------------------------------------------- the studio's initialisation (training from scratch)


def init_weights(model, seed=None):
    """The studio's initial weights: GAPNet-PL truncated normal std sqrt(1 / fan_in) (TeLL's SELU init), everything
    else Glorot uniform; zero biases; BatchNorm gamma 1, beta 0; the adapter starts as R, G, B pass-through and a
    widened first conv's yellow filters as a copy of red's."""
    if seed is not None:
        torch.manual_seed(seed)
    with torch.no_grad():
        for name, m in studio_layers(model):
            if isinstance(m, nn.BatchNorm2d):
                m.reset_parameters()
                continue
            if MODEL == 'gapnet-pl':
                fan_in = m.weight[0].numel()
                std = math.sqrt(1.0 / fan_in)
                nn.init.trunc_normal_(m.weight, 0.0, std, -2 * std, 2 * std)
            else:
                nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                m.bias.zero_()
        if FOUR_CHANNELS == 'adapter':
            model.adapter.weight.zero_()
            for c in range(3):
                model.adapter.weight[c, c] = 1.0
        if FOUR_CHANNELS == 'widen':
            first = dict(studio_layers(model))[FIRST_CONV]
            red = 2 if PREPROCESSING == 'caffe' else 0
            first.weight[:, 3] = first.weight[:, red]


# ---------------------------------------------------------------- weights by studio name


def studio_layers(model):
    """(studio name, module) of every layer that holds weights, in network order."""
    return [(m.studio_name, m) for m in model.modules() if hasattr(m, 'studio_name')]


def _is_depthwise(m):
    return isinstance(m, nn.Conv2d) and m.groups > 1 and m.groups == m.in_channels


def _torch_tensors(name, m):
    """(studio weight name, torch tensor, studio layout -> torch layout, torch -> studio layout) of one layer."""
    hwio = (lambda a: a.transpose(3, 2, 0, 1), lambda a: a.transpose(2, 3, 1, 0))
    same = (lambda a: a, lambda a: a)
    if isinstance(m, nn.BatchNorm2d):
        out = [(name + '/gamma', m.weight, same)] if getattr(m, 'studio_scale', True) else []
        return out + [(name + '/beta', m.bias, same), (name + '/moving_mean', m.running_mean, same), (name + '/moving_variance', m.running_var, same)]
    if _is_depthwise(m):
        # Keras [kh, kw, C, 1] <-> torch [C, 1, kh, kw]
        kernel = (name + '/depthwise_kernel', m.weight, (lambda a: a.transpose(2, 3, 0, 1), lambda a: a.transpose(2, 3, 0, 1)))
    elif isinstance(m, nn.Conv2d):
        kernel = (name + '/kernel', m.weight, hwio)
    elif isinstance(m, nn.Linear):
        kernel = (name + '/kernel', m.weight, (lambda a: a.T, lambda a: a.T))
    else:
        raise TypeError('%s: a %s has no studio weights' % (name, type(m).__name__))
    return [kernel] + ([(name + '/bias', m.bias, same)] if m.bias is not None else [])


def load_weights(model, path_or_arrays):
    """Loads the studio's weights (an .npz path or a dict of arrays) into the model; names every missing, extra or misshapen tensor."""
    arrays = np.load(path_or_arrays) if isinstance(path_or_arrays, (str, os.PathLike)) else path_or_arrays
    names = set(arrays.keys())
    problems, used = [], set()
    with torch.no_grad():
        for name, m in studio_layers(model):
            for key, tensor, (to_torch, _) in _torch_tensors(name, m):
                if key not in names:
                    problems.append('%s is missing' % key)
                    continue
                used.add(key)
                value = to_torch(np.asarray(arrays[key], dtype=np.float32))
                if tuple(value.shape) != tuple(tensor.shape):
                    problems.append('%s is %s in the file, the model wants %s (as torch lays it out)' % (key, list(value.shape), list(tensor.shape)))
                    continue
                tensor.copy_(torch.from_numpy(np.ascontiguousarray(value)))
    extra = sorted(names - used)
    if extra:
        problems.append('not used by %s: %s' % (MODEL, ', '.join(extra[:8]) + (' ...' if len(extra) > 8 else '')))
    if problems:
        raise ValueError('the weights do not fit %s %d px: %s' % (MODEL, INPUT_SIZE, '; '.join(problems)))
    return model


def studio_weights(model):
    """The model's weights by studio name in the studio's layouts (what load_weights reads): numpy float32 arrays."""
    out = {}
    for name, m in studio_layers(model):
        for key, tensor, (_, to_studio) in _torch_tensors(name, m):
            out[key] = np.ascontiguousarray(to_studio(tensor.detach().cpu().numpy().astype(np.float32)))
    return out


def save_weights(model, path):
    np.savez(path, **studio_weights(model))


# ---------------------------------------------------------------- the studio's input path


def read_png(path):
    """One grayscale PNG channel as uint8 (16-bit PNGs keep their high byte, as the studio does)."""
    from PIL import Image

    with Image.open(path) as im:
        a = np.asarray(im)
        if a.ndim != 2:
            raise ValueError('%s: expected a 1-channel grayscale PNG, got mode %s' % (path, im.mode))
    if a.dtype == np.uint8:
        return a
    if im.mode.startswith('I'):
        return (a.astype(np.uint32) >> 8).astype(np.uint8)
    raise ValueError('%s: %s PNGs are not read (8- or 16-bit grayscale expected)' % (path, im.mode))


def _area_weights(n, m):
    scale = n / m
    out = []
    for k in range(m):
        a = k * scale
        b = a + scale
        ws = []
        for i in range(math.floor(a), math.ceil(b)):
            overlap = min(b, i + 1) - max(a, i)
            if overlap > 0:
                ws.append((i, overlap / scale))
        out.append(ws)
    return out


def resize_area(img, side):
    """The studio's import downscale (resize.ts resizeArea): box averages rounded half up for whole factors,
    separable area weights otherwise. Never upscales."""
    h, w = img.shape
    if side > h or side > w:
        raise ValueError('resize_area only downscales (%dx%d -> %d)' % (w, h, side))
    if side == h and side == w:
        return img.copy()
    if h % side == 0 and w % side == 0:
        fy, fx = h // side, w // side
        sums = img.astype(np.int64).reshape(side, fy, side, fx).sum(axis=(1, 3))
        return ((sums + (fx * fy) // 2) // (fx * fy)).astype(np.uint8)
    src = img.astype(np.float64)
    tmp = np.zeros((h, side), dtype=np.float32)
    for x, ws in enumerate(_area_weights(w, side)):
        s = np.zeros(h)
        for i, wt in ws:
            s = s + src[:, i] * wt
        tmp[:, x] = s
    out = np.zeros((side, side), dtype=np.float64)
    t64 = tmp.astype(np.float64)
    for y, ws in enumerate(_area_weights(h, side)):
        s = np.zeros(side)
        for j, wt in ws:
            s = s + t64[j] * wt
        out[y] = s
    return np.minimum(255, np.floor(out + 0.5)).astype(np.uint8)


def read_sample(folder, sample_id, stored_size=STORED_SIZE):
    """The four channels of one sample (Kaggle layout: <folder>/<id>_red.png, ...) as the studio stores them:
    uint8 [S, S, 4] RGBY, S = min(stored_size, the PNGs' side)."""
    planes = []
    for ch in CHANNEL_ORDER:
        path = os.path.join(folder, '%s_%s.png' % (sample_id, ch))
        if not os.path.exists(path):
            raise FileNotFoundError('%s is missing (sample %s)' % (path, sample_id))
        img = read_png(path)
        if img.shape[0] != img.shape[1]:
            raise ValueError('%s is %dx%d: square images expected' % (path, img.shape[1], img.shape[0]))
        if planes and img.shape != planes[0].shape:
            raise ValueError('%s is %d px, its red channel %d px' % (path, img.shape[0], planes[0].shape[0]))
        planes.append(img)
    side = min(stored_size, planes[0].shape[0])
    return np.stack([resize_area(p, side) for p in planes], axis=-1)


def resize_bilinear(x, size):
    """tf.image.resizeBilinear(x, [size, size]) with TF's defaults (no corner alignment, no half-pixel centres) on
    float [N, C, H, W]: source pixel = output pixel * (in / out), the last row and column repeated."""
    n, c, h, w = x.shape
    if h == size and w == size:
        return x

    def axis(n_in):
        src = torch.arange(size, dtype=torch.float64) * (n_in / size)
        lo = src.floor().clamp(min=0)
        frac = (src - lo).to(x.dtype).to(x.device)
        lo = lo.long()
        hi = torch.minimum(lo + 1, torch.tensor(n_in - 1))
        return lo.to(x.device), hi.to(x.device), frac

    y0, y1, fy = axis(h)
    x0, x1, fx = axis(w)
    top = x[:, :, y0]
    bottom = x[:, :, y1]
    fx = fx.view(1, 1, 1, size)
    top = top[..., x0] + (top[..., x1] - top[..., x0]) * fx
    bottom = bottom[..., x0] + (bottom[..., x1] - bottom[..., x0]) * fx
    return top + (bottom - top) * fy.view(1, 1, size, 1)


def dihedral(x, k):
    """The studio's dihedral transform k of [N, C, H, W] images: k mod 4 quarter turns counter-clockwise, then for k >= 4 a left-right mirror."""
    y = torch.rot90(x, k % 4, dims=(2, 3)) if k % 4 else x
    return torch.flip(y, dims=(3,)) if k >= 4 else y


def to_tensor(images, device='cpu'):
    """uint8 [N, S, S, 4] (or a list of [S, S, 4]) -> float32 [N, 4, S, S] on the device."""
    a = np.stack(images) if isinstance(images, (list, tuple)) else images
    return torch.from_numpy(np.ascontiguousarray(a)).to(device).permute(0, 3, 1, 2).float()


def tile_offsets(stored, size):
    """Top-left corners along one axis of the studio's prediction tiles: ceil(S / s) evenly spaced from 0 to S - s."""
    n = -(-stored // size)
    if n == 1:
        return [0]
    return [int(math.floor(i * (stored - size) / (n - 1) + 0.5)) for i in range(n)]


def view_windows(stored, tiling='centre'):
    """The (top, left) windows the model sees of one stored image: the whole image for 'resize'; for 'crop' the centre (as validation) or the tile grid."""
    if RESIZE_MODE == 'resize':
        return [(0, 0)]
    if tiling == 'centre':
        o = (stored - INPUT_SIZE) // 2
        return [(o, o)]
    offs = tile_offsets(stored, INPUT_SIZE)
    return [(t, l) for t in offs for l in offs]


def model_views(x, tiling='centre'):
    """The model inputs of float [N, 4, S, S] stored images: the resize, or one crop per window."""
    if RESIZE_MODE == 'resize':
        return [resize_bilinear(x, INPUT_SIZE)]
    return [x[:, :, t:t + INPUT_SIZE, l:l + INPUT_SIZE] for t, l in view_windows(x.shape[2], tiling)]


@torch.no_grad()
def predict_batch(model, images, tta=(0,), combine='mean', tiling='centre', device='cpu'):
    """Probabilities [N, CLASSES] of stored images (uint8 [S, S, 4] each), as the studio predicts: per window, the
    dihedral views in tta combined by mean or max; windows averaged."""
    model.eval()
    x = to_tensor(images, device)
    per_window = []
    for v in model_views(x, tiling):
        outs = torch.stack([model(dihedral(v, k)) for k in tta])
        per_window.append(outs.mean(0) if combine == 'mean' else outs.max(0).values)
    return torch.stack(per_window).mean(0).cpu().numpy()
`;
