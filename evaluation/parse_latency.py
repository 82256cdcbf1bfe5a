"""In-process NLU parse latency of a trained model: `python -m evaluation.parse_latency MODEL`.

Run in its own process (by evaluation.pipelines) so that each model is measured alone;
prints one JSON object: load time, per-message latencies and the peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from evaluation.questions import FACT_QUESTIONS
from evaluation.servers import peak_rss_mb
from measure.stats import percentile

WARM_UP = 20


async def measure(model: str, messages: int) -> dict[str, float]:
    started = time.perf_counter()
    from rasa.core.agent import Agent  # heavy: imported only when measuring

    agent = Agent.load(model)
    load_seconds = time.perf_counter() - started
    texts = [FACT_QUESTIONS[i % len(FACT_QUESTIONS)] for i in range(WARM_UP + messages)]
    latencies: list[float] = []
    for index, text in enumerate(texts):
        before = time.perf_counter()
        await agent.parse_message(text)
        if index >= WARM_UP:
            latencies.append((time.perf_counter() - before) * 1000)
    return {
        "load_seconds": load_seconds,
        "messages": float(messages),
        "median_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--messages", type=int, default=200)
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(measure(arguments.model, arguments.messages))))


if __name__ == "__main__":
    main()
