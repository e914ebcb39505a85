"""The ``designqa`` plugin: cited answers to engineering questions from the team's own tool and design documents.

ChipNeMo's engineering-assistant chatbot, as a chipmate task: documents are chunked into ~512-character passages,
embedded into a persisted faiss index next to a BM25 index, retrieved with weighted hybrid fusion, and answered
by a generator that must cite the passages it used. When nothing relevant is retrieved, the answer says the
knowledge base has none. With no index configured, the first ``chipmate serve`` builds one from Yosys's built-in
help (through pyosys) in the user cache, in the background.

Hooks: ``designqa.ask`` (task), the typed ``DesignQAService`` (services), ``chipmate index ...`` (commands),
default knowledge base (startup), Yosys help, documents and knowledge bases as training data (``training_data.py``).
See docs/designqa.md.
"""

from __future__ import annotations

from typing import Any

from chipmate import Task, TaskContext, hookimpl

CITATION_SCHEMA = {
    "type": "object",
    "properties": {
        "source": {"type": "string"},
        "section": {"type": "string"},
        "chunk_id": {"type": "string"},
        "score": {"type": "number"},
        "text": {"type": "string"},
        "start_line": {"type": "integer", "minimum": 0},
        "end_line": {"type": "integer", "minimum": 0},
    },
    "required": ["source", "section", "chunk_id", "score", "text"],
}

# Mirrors chipmate.v1.AskRequest (proto field names), which the typed DesignQAService sends in full.
INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "question": {"type": "string", "minLength": 1, "description": "The question to answer."},
        "history": {
            "type": "array",
            "description": "Earlier turns of the conversation, oldest first.",
            "items": {
                "type": "object",
                "properties": {"role": {"enum": ["user", "assistant"]}, "content": {"type": "string"}},
                "required": ["role", "content"],
            },
        },
        "top_k": {"type": "integer", "minimum": 0, "maximum": 100, "description": "Passages; 0 = default (8)."},
        "retrieval_only": {"type": "boolean", "description": "Return the passages without generating."},
    },
    "required": ["question"],
    "additionalProperties": False,
}

# Mirrors chipmate.v1.AskResponse (citations with their start_line/end_line); tests check the two agree.
OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "citations": {"type": "array", "items": CITATION_SCHEMA},
        "answered": {"type": "boolean"},
        "mode": {
            "enum": ["generated", "extractive", "none"],
            "description": "Who wrote the answer: the generator (checked against the citations), quotes of the "
            "cited passages (extractive), or nobody (no answer, or retrieval_only).",
        },
    },
    "required": ["answer", "citations", "answered", "mode"],
}


def ask(input: dict[str, Any], ctx: TaskContext) -> dict[str, Any]:
    """Handler of ``designqa.ask``: the question answered from the knowledge base, with citations."""
    from .service import service_for

    return service_for(ctx.host).ask(input, ctx)


@hookimpl(trylast=True)
def chipmate_register_tasks(register):
    register(
        Task(
            name="designqa.ask",
            handler=ask,
            description=(
                "Answer a question about tools and designs from the knowledge base, streaming the answer and "
                "citing its sources; says so when the knowledge base has no answer."
            ),
            input_schema=INPUT_SCHEMA,
            output_schema=OUTPUT_SCHEMA,
            streaming=True,
        )
    )


@hookimpl(trylast=True)
def chipmate_register_services(register):
    from .servicer import service

    register(service())


@hookimpl(trylast=True)
def chipmate_register_commands(cli):
    from .cli import index_group

    cli.add_command(index_group)


@hookimpl(trylast=True)
def chipmate_startup(host):
    # Only starts a thread (or nothing): serve must reach SERVING at once, the build takes a minute or two.
    from .service import service_for

    service_for(host).ensure_default_kb()


@hookimpl(trylast=True)
def chipmate_shutdown(host):
    # A build still running would be cut mid-way by the interpreter's exit; stop it cleanly instead.
    from .service import service_for

    service_for(host).stop_building()


@hookimpl(trylast=True)
def chipmate_register_training_data(register):
    # Yosys's help, documents and knowledge bases as corpus documents and retriever passages.
    from .training_data import offers

    for offer in offers():
        register(offer)


@hookimpl(trylast=True)
def chipmate_register_knowledge_bases(register: Any, host: Any) -> None:
    """designqa's knowledge bases as ``chipmate mcp`` resources; its modules load on the first resource read."""
    from chipmate.resources import KnowledgeBaseSource

    config = host.config

    def locate(extra: Any) -> Any:
        from .service import knowledge_base_dirs

        return knowledge_base_dirs(config, extra)

    def open_index(root: Any) -> Any:
        from .index import KnowledgeIndex

        return KnowledgeIndex.open(root)

    def served() -> Any:
        from .service import served_index_dir

        return served_index_dir(config)

    register(KnowledgeBaseSource("designqa", locate, open_index, served))
