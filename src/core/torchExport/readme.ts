/** The README.md inside a PyTorch export: what each file is and the commands. */
import type { NetworkSpec } from './spec';

export function readmeMd(runName: string, network: NetworkSpec, project: boolean): string {
  const lines = [
    `# ${runName}: PyTorch export from HPA Studio`,
    '',
    `${network.model}, ${network.inputSize} px input, images stored at ${network.storedSize} px (${network.resizeMode === 'resize' ? 'resized whole' : 'cropped'} to the input).`,
    'Needs Python 3 with PyTorch, NumPy and Pillow (and torchvision for the transfer models).',
    '',
    '| file | what |',
    '|---|---|',
    "| `weights.npz` | the run's weights under the studio's layer/weight names (`conv1/kernel`, `bn1/moving_mean`, …), in the studio's layouts (conv kernels HWIO, dense kernels [in, out]); `numpy.load` reads it |",
    '| `config.json` | the run config, the network, the class names and the thresholds |',
    '| `thresholds.csv` | one decision threshold per class (`class,threshold`): class c is predicted when p > t |',
    '| `model.py` | the network in PyTorch; `load_weights` maps the .npz onto it (HWIO → OIHW, dense kernels transposed, BatchNorm statistics) |',
    '| `predict.py` | a Kaggle submission from a folder of PNGs (`<id>_red.png`, `_green`, `_blue`, `_yellow`) |',
    ...(project
      ? [
          "| `train.py` | the run's recipe (loss, γ, α, sampler, augmentation, schedule, split) under `torchrun` with DistributedDataParallel |",
          '| `folds.csv` | every labelled id with its fold (`Id,fold`; a hold-out run: fold 0 validates) |',
        ]
      : []),
    '',
    '## Predict',
    '',
    '```',
    'python predict.py --images test/ --order sample_submission.csv --out submission.csv',
    '```',
    '',
  ];
  if (project)
    lines.push(
      '## Train',
      '',
      'The data folder is in the Kaggle layout: `train.csv` and `train/<id>_<channel>.png`.',
      '',
      '```',
      'torchrun --nproc_per_node 4 train.py --data /data/hpa --out run1                 # one machine, 4 processes (one per GPU)',
      'torchrun --nnodes 2 --node_rank 0 --master_addr HOST --master_port 29500 \\',
      '         --nproc_per_node 8 train.py --data /data/hpa --out run1               # each of 2 machines (node_rank 0 and 1)',
      'python train.py --data /data/hpa --epochs 1 --device cpu                         # one process',
      '```',
      '',
      "Rank 0 writes `history.csv`, `val_probs.csv`, `val_truth.csv`, `thresholds.csv`, `report.json` and `run_report.zip` to `--out`: import `run_report.zip` in the studio (Predict & export → Import report) to see the run beside the studio's own. `--init scratch` starts from the studio's initialisation instead of `weights.npz`; `--epochs`, `--f1-epochs`, `--warmup-epochs` and `--fold` change the recipe.",
      '',
    );
  return lines.join('\n');
}
