"""An MCP client session against chipmate, as an agent host would run it (official `mcp` SDK).

chipmate serve &          # in another shell
python examples/mcp/session.py            # launches `chipmate mcp` on stdio; CHIPMATE_TARGET says where to
python examples/mcp/session.py --kb ~/kb  # arguments go to `chipmate mcp`: here, one more knowledge base

Lists the tools, asks designqa (the answer cites its sources), asks scriptgen for a Yosys script with progress
notifications, lists the knowledge bases (resources) and reads one's metadata and a page of one of its documents,
and reads the served knowledge base's passages for a question (a resource template).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

COUNTER = """module counter(input clk, input rst, output reg [3:0] q);
  always @(posedge clk) q <= rst ? 0 : q + 1;
endmodule
"""


async def main() -> None:
    chipmate = shutil.which("chipmate") or str(Path(sys.executable).with_name("chipmate"))
    # An MCP host passes only what it is told to: hand over where the server is.
    env = {k: v for k, v in os.environ.items() if k.startswith("CHIPMATE_")}
    async with Client(StdioServerParameters(command=chipmate, args=["mcp", *sys.argv[1:]], env=env)) as client:
        tools = await client.list_tools()
        print("tools:", ", ".join(tool.name for tool in tools.tools))

        answer = await client.call_tool("designqa.ask", {"question": "How do I flatten the design?", "top_k": 1})
        print("designqa:", answer.structured_content["answer"])
        for citation in answer.structured_content["citations"]:
            print("  source:", citation["source"])

        async def progress(done: float, total: float | None, message: str | None) -> None:
            print(f"  progress {done:.2f}: {message or ''}")

        script = await client.call_tool(
            "scriptgen.generate",
            {
                "instruction": "Synthesize counter.v with top module counter",
                "files": [{"name": "counter.v", "content": COUNTER}],
            },
            progress_callback=progress,
        )
        result = script.structured_content
        print(f"scriptgen (passed={result['passed']}):")
        print(result["script"], end="")

        failed = await client.call_tool("echo", {"text": 42})
        print("an error is a tool result:", failed.is_error, failed.content[0].text.split(":")[0])

        resources = (await client.list_resources()).resources
        for kb in (r for r in resources if r.mime_type == "application/json"):  # a knowledge base; the rest: documents
            about = json.loads((await client.read_resource(kb.uri)).contents[0].text)
            print(f"knowledge base {about['name']}: {about['passages']} passages, embedder {about['embedder']['name']}")
            document = await client.read_resource(about["documents"][0]["uri"])
            print("  first document:", document.contents[0].text.splitlines()[0])

        resource = await client.read_resource("chipmate://designqa/passages/How%20do%20I%20flatten%20the%20design%3F")
        print("resource:", resource.contents[0].text.splitlines()[0])


if __name__ == "__main__":
    anyio.run(main)
