#!/usr/bin/env bash
# Device checks of chipmate.trainer.precision on one CUDA GPU, as one short script:
#   1. tests/trainer (CUDA tests run, CPU ones too; the slow torchrun test is left to CI),
#   2. benchmarks/precision.py --device cuda for the ~27M "small" model and the SmolLM2-135M shape.
# Needs python3 with torch (CUDA), transformers, pytest, peft, grpcio. chipmate need not be installed: a
# minimal package (chipmate.errors -> sdk/errors.py, chipmate.trainer -> trainer/) is put on PYTHONPATH, so
# the SDK's own dependencies (jsonschema, ...) need not be there.
# Usage: OUT=/some/dir bash benchmarks/gpu_check.sh   (results land in $OUT, default benchmarks/results)
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-benchmarks/results}
mkdir -p "$OUT"
shim=$(mktemp -d)
mkdir -p "$shim/chipmate"
touch "$shim/chipmate/__init__.py"
ln -s "$PWD/sdk/errors.py" "$shim/chipmate/errors.py"
ln -s "$PWD/trainer" "$shim/chipmate/trainer"
export PYTHONPATH="$shim${PYTHONPATH:+:$PYTHONPATH}"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"

status=0
timeout 200 python3 -m pytest tests/trainer -q -m "not slow" --confcutdir=tests/trainer -p no:cacheprovider \
    2>&1 | tee "$OUT/gpu_pytest.txt" || status=1

python3 benchmarks/precision.py --model small --device cuda --steps 50 --warmup 5 --batch-size 16 \
    --seq-len 512 --mem-batch-size 8 --mem-seq-len 4096 --out "$OUT/precision_cuda.json" || status=1
python3 benchmarks/precision.py --model smollm2-135m --device cuda --steps 20 --warmup 5 --batch-size 8 \
    --seq-len 1024 --mem-batch-size 4 --mem-seq-len 4096 --append --out "$OUT/precision_cuda.json" || status=1
exit $status
