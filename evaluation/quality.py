"""Answer quality: `python -m evaluation.quality` (make eval) writes reports/eval.md.

1. Intent quality: 5-fold cross-validation of the NLU data with config.yml, per intent too.
2. What a visitor sees: the in-scope questions and the conversation scenarios
   (evaluation.scenarios), each expectation checked, every miss listed.
3. Honest declines, through the whole assistant (REST channel, real action server, a
   fresh conversation per question) on the evaluation sets in ../shared/eval/: each reply
   is classified (evaluation.classify) as a decline, an Almere figure, a topic answer, ...
   The small-talk rows of the near-domain set should get the matching small-talk reply.

Questions are referred to in the report by file and line, so that no line of the
evaluation sets is copied into the repository; var/eval/quality/replies.json (not
committed) has the full texts, var/eval/quality/scenarios.json those of the scenarios.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot import services
from evaluation import classify, cv, desk_answers, evalsets, message_length, scenarios, servers
from evaluation.classify import Classification, Outcome
from evaluation.common import CONFIG, MODEL, REPORTS_DIR, WORK_DIR, shown
from measure import client, report

MACRO_F1_TARGET = 0.95
DECLINE_TARGET = 0.97
CONCURRENCY = 8
HONEST = (Outcome.DECLINED, Outcome.HANDOFF)


@dataclass(frozen=True)
class Result:
    question: evalsets.Question
    classification: Classification
    reply: str
    error: str | None = None

    @property
    def small_talk_matched(self) -> bool:
        expected = evalsets.SMALL_TALK_EXPECTED.get(self.question.label, ())
        return self.error is None and bool(set(expected) & set(self.classification.responses))

    @property
    def honest(self) -> bool:
        """Declined with the desk offer or handed over to the desk (and no error)."""
        return self.error is None and self.classification.outcome in HONEST

    @property
    def outcome(self) -> str:
        return "error" if self.error else self.classification.outcome.value


def sample(questions: list[evalsets.Question], limit: int | None) -> list[evalsets.Question]:
    """``limit`` questions spread evenly from first to last, so that each set is asked."""
    if not limit or limit >= len(questions):
        return questions
    if limit == 1:
        return questions[:1]
    return [questions[round(i * (len(questions) - 1) / (limit - 1))] for i in range(limit)]


def ask(
    rest_url: str, questions: Sequence[evalsets.Question], concurrency: int = CONCURRENCY
) -> list[Result]:
    """Ask each question in a fresh conversation of a running assistant; classify the replies."""
    classifier = classify.ReplyClassifier.from_project(services.knowledge())
    exchanges = client.ask_each(rest_url, [q.text for q in questions], concurrency)
    results = []
    for question, exchange in zip(questions, exchanges, strict=True):
        texts = client.reply_texts(exchange.replies)
        results.append(Result(question, classifier.classify(texts), "\n".join(texts), exchange.error))
    return results


def redacted(result: Result, limit: int = 220) -> str:
    """The reply, shortened, without the question's own words should the reply quote them."""
    text = result.reply
    if result.question.text:
        text = text.replace(result.question.text, "«the question»")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decline_rows(results: Sequence[Result]) -> list[list[object]]:
    columns = [*(o.value for o in Outcome), "error"]
    rows = []
    groups: dict[str, list[Result]] = {}
    for r in results:
        if not r.question.small_talk:
            groups.setdefault(r.question.source, []).append(r)
    groups["all"] = [r for group in groups.values() for r in group]
    for name, group in groups.items():
        counts = Counter(r.outcome for r in group)
        honest = sum(r.honest for r in group)
        rows.append([name, len(group), *(counts[c] for c in columns), f"{honest / len(group):.1%}"])
    return rows


def missed_decline_rows(results: Sequence[Result]) -> list[list[object]]:
    """What the out-of-scope questions that were not declined got instead, by reply."""
    got = Counter(
        (r.outcome, ", ".join(r.classification.responses or r.classification.topics) or "–")
        for r in results
        if not r.question.small_talk and not r.honest and r.error is None
    )
    return [[outcome, reply, n] for (outcome, reply), n in got.most_common()]


def small_talk_rows(results: Sequence[Result]) -> list[list[object]]:
    rows = []
    by_intent: dict[str, list[Result]] = {}
    for r in results:
        if r.question.small_talk:
            by_intent.setdefault(r.question.label, []).append(r)
    for intent, group in sorted(by_intent.items()):
        got = Counter(", ".join(r.classification.responses) or r.outcome for r in group).most_common(3)
        rows.append(
            [
                intent,
                " or ".join(evalsets.SMALL_TALK_EXPECTED[intent]),
                f"{sum(r.small_talk_matched for r in group)}/{len(group)}",
                "; ".join(f"{what} ×{n}" for what, n in got),
            ]
        )
    return rows


def share(passed_asked: tuple[int, int]) -> float | None:
    """``passed`` of ``asked`` in per cent (None when nothing was asked)."""
    passed, asked = passed_asked
    return 100 * passed / asked if asked else None


def intent_rows(crossval: cv.CrossValidation) -> list[list[object]]:
    return [
        [
            s.intent,
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            s.support,
            f"{s.top_confusion[0]} ({s.top_confusion[1]})" if s.top_confusion else "–",
        ]
        for s in crossval.per_intent
    ]


def unasked_figures(results: Sequence[scenarios.ScenarioResult]) -> int | None:
    """Follow-ups of evaluation/thread_conversations.yml that must state no figure but did."""
    own = [r for r in results if r.scenario.source == evalsets.THREAD_CONVERSATIONS.name]
    if not own:
        return None
    return sum(1 for miss in scenarios.misses(own) if miss.expectation == "no_figures")


def scenario_section(results: Sequence[scenarios.ScenarioResult]) -> list[str]:
    in_scope = scenarios.passed_share(results, evalsets.IN_SCOPE)
    conversations = scenarios.passed_share(results, evalsets.CONVERSATIONS)
    context = scenarios.passed_share(results, evalsets.CONTEXT_CONVERSATIONS)
    own = scenarios.passed_share(results, evalsets.THREAD_CONVERSATIONS.name)
    dutch = scenarios.passed_share(results, evalsets.NL_QUESTIONS)
    rows = scenarios.miss_rows(results)
    return [
        "## In-scope questions, conversations and Dutch questions (what a visitor sees)",
        "",
        f"`{evalsets.IN_SCOPE}`: **{in_scope[0]}/{in_scope[1]}** answered as expected, each in a fresh "
        f"conversation; `{evalsets.CONVERSATIONS}`: **{conversations[0]}/{conversations[1]}** "
        f"scenarios passed (every expectation of every turn); `{evalsets.CONTEXT_CONVERSATIONS}`: "
        f"**{context[0]}/{context[1]}** conversations that lean on what was said before passed "
        f"(our own `evaluation/{evalsets.THREAD_CONVERSATIONS.name}`, follow-ups to decline and to "
        f"answer: **{own[0]}/{own[1]}**); "
        f"`{evalsets.NL_QUESTIONS}`: "
        f"**{dutch[0]}/{dutch[1]}** answered as expected and in the row's `reply_language`. "
        "The reply of a turn is every message "
        "the assistant sent for it; `complete_handoff` / `refuse_consent` answer the handoff form "
        "like a person (evaluation/form_driver.py). Checks: evaluation/expectations.py. "
        "`python -m evaluation.scenarios` runs just these and prints the misses with their texts.",
        "",
        f"Every miss ({len(rows)}):",
        "",
        report.table(["where (file:line)", "scenario", "expectation", "why", "reply (shortened)"], rows)
        if rows
        else "None.",
        "",
    ]


def dutch_section(results: Sequence[Result]) -> list[str]:
    """The project's own Dutch outside questions (evaluation/dutch_outside_questions.txt)."""
    figures = [r for r in results if r.classification.outcome is Outcome.FIGURE]
    honest = sum(r.honest for r in results)
    return [
        "## Dutch questions about other places",
        "",
        f"`evaluation/{evalsets.DUTCH_OUTSIDE.name}` (written for this project's own measurement, not "
        f"from ../shared/eval/): {len(results)} Dutch questions about other cities and general "
        f"knowledge; **{len(figures)}** got an Almere figure, {honest} were declined or handed over.",
        "",
        report.table(
            ["question (file:line)", "figures", "reply"],
            [[r.question.ref, ", ".join(r.classification.figures), redacted(r, 120)] for r in figures],
        )
        if figures
        else "None got a figure.",
        "",
    ]


def render(
    started: datetime,
    commands: Sequence[str],
    crossval: cv.CrossValidation | None,
    results: Sequence[Result],
    seconds: float,
    concurrency: int = CONCURRENCY,
    scenario_results: Sequence[scenarios.ScenarioResult] = (),
    desk_answer_lines: Sequence[str] = (),
    dutch_results: Sequence[Result] = (),
) -> str:
    declines = [r for r in results if not r.question.small_talk]
    small_talk = [r for r in results if r.question.small_talk]
    honest = sum(r.honest for r in declines)
    figures = [r for r in results if r.classification.outcome is Outcome.FIGURE]
    topics = [r for r in results if r.classification.outcome is Outcome.TOPIC]
    errors = sum(r.error is not None for r in results)
    targets = [
        report.Target(
            "intent macro-F1 (5-fold CV)",
            crossval.macro_f1 if crossval else None,
            MACRO_F1_TARGET,
            at_least=True,
        ),
        report.Target(
            "in-scope questions answered as expected",
            share(scenarios.passed_share(scenario_results, evalsets.IN_SCOPE)),
            100 * scenarios.IN_SCOPE_TARGET,
            at_least=True,
            unit=" %",
            digits=1,
        ),
        report.Target(
            "conversation scenarios passed",
            share(scenarios.passed_share(scenario_results, evalsets.CONVERSATIONS)),
            100 * scenarios.CONVERSATIONS_TARGET,
            at_least=True,
            unit=" %",
            digits=1,
        ),
        report.Target(
            "conversations that lean on what was said before passed",
            share(scenarios.passed_share(scenario_results, evalsets.CONTEXT_CONVERSATIONS)),
            100 * scenarios.CONTEXT_TARGET,
            at_least=True,
            unit=" %",
            digits=1,
        ),
        report.Target(
            "our own follow-ups to decline that got a figure not asked for",
            unasked_figures(scenario_results),
            0,
            at_least=False,
            digits=0,
        ),
        report.Target(
            "out-of-scope and near-domain questions declined",
            100 * honest / len(declines) if declines else None,
            100 * DECLINE_TARGET,
            at_least=True,
            unit=" %",
            digits=1,
        ),
        report.Target(
            "replies stating an Almere figure to a question not about Almere",
            len(figures),
            0,
            at_least=False,
            digits=0,
        ),
        report.Target(
            "Dutch questions answered as expected and in the expected language",
            share(scenarios.passed_share(scenario_results, evalsets.NL_QUESTIONS)),
            100 * scenarios.DUTCH_TARGET,
            at_least=True,
            unit=" %",
            digits=1,
        ),
        report.Target(
            "Dutch outside questions that got an Almere figure",
            sum(r.classification.outcome is Outcome.FIGURE for r in dutch_results) if dutch_results else None,
            0,
            at_least=False,
            digits=0,
        ),
        report.Target("requests that failed (HTTP error or timeout)", errors, 0, at_least=False, digits=0),
    ]
    matched = sum(r.small_talk_matched for r in small_talk)
    lines = [
        report.header("Answer quality (make eval)", commands, started),
        "## Summary",
        "",
        report.targets_table(targets),
        "",
        f"Small talk (`HANDLED_BY_BOT?` rows) answered with the matching reply: "
        f"**{matched}/{len(small_talk)}** ({matched / max(1, len(small_talk)):.1%}; no target set).",
        "",
        f"{len(results)} questions asked in {seconds:.0f} s, {concurrency} at a time.",
        "",
    ]
    if crossval:
        lines += [
            "## Intent classification: 5-fold cross-validation",
            "",
            f"Macro-F1 **{crossval.macro_f1:.3f}** (target ≥ {MACRO_F1_TARGET}), accuracy "
            f"{crossval.accuracy:.3f}, {crossval.examples} examples, {crossval.seconds:.0f} s. "
            "Rasa undoes FallbackClassifier predictions in this test, so this is the classifier's "
            "own F1. Full results: `var/eval/cv/`."
            + (
                f" Counting the intents that all get `action_decline` "
                f"({', '.join(cv.intents_answered_by(cv.DECLINE_ACTION))}) as one: macro-F1 "
                f"{crossval.decline_grouped_f1:.3f}."
                if crossval.decline_grouped_f1 is not None
                else ""
            ),
            "",
            "Most frequent confusions:",
            "",
            report.table(["true intent", "predicted", "count"], crossval.confusions[:12]),
            "",
            "Per intent, lowest F1 first (from `var/eval/cv/intent_report.json`):",
            "",
            report.table(
                ["intent", "precision", "recall", "F1", "support", "most often taken for (count)"],
                intent_rows(crossval),
            ),
            "",
        ]
    if scenario_results:
        lines += scenario_section(scenario_results)
    if dutch_results:
        lines += dutch_section(dutch_results)
    columns = [*(o.value for o in Outcome), "error"]
    lines += [
        "## Honest declines",
        "",
        "Every question in a fresh conversation through the REST channel, the real action server "
        "and the SQL tracker store. A reply counts as declined when it has the decline text or the "
        "desk's phone numbers and no Almere figure, or when it starts the handoff to the desk; "
        "figures and topic answers are detected from bot/knowledge.yml (see evaluation/classify.py).",
        "",
        report.table(["set", "questions", *columns, "declined or handed over"], decline_rows(results)),
        "",
        "What the questions that were not declined got instead (counts only):",
        "",
        report.table(["outcome", "reply or topic", "questions"], missed_decline_rows(results)),
        "",
        "## Small talk (`HANDLED_BY_BOT?` rows of the near-domain set)",
        "",
        "The reply counts when it contains the text of an expected domain response. Yes / no / "
        "cancel / maybe in a fresh conversation: `utter_anything_else` (the rule for yes, no or "
        "stop with nothing pending); repeat (nothing to repeat yet) and maybe also accept `utter_help`.",
        "",
        report.table(
            ["CLINC intent", "expected", "matched", "most frequent replies"], small_talk_rows(results)
        ),
        "",
        f"## Replies that stated an Almere figure ({len(figures)})",
        "",
    ]
    if figures:
        by_topic = Counter(t for r in figures for t in r.classification.topics or ("?",))
        lines += ["By topic: " + ", ".join(f"{t} {n}" for t, n in by_topic.most_common()) + ".", ""]
    lines += (
        [
            report.table(
                ["question (file:line)", "figures", "reply"],
                [[r.question.ref, ", ".join(r.classification.figures), redacted(r, 120)] for r in figures],
            ),
            "",
        ]
        if figures
        else ["None.", ""]
    )
    lines += [f"## Replies that answered an Almere topic without a figure ({len(topics)})", ""]
    if topics:
        by_topic = Counter(t for r in topics for t in r.classification.topics or ("?",))
        lines += ["By topic: " + ", ".join(f"{t} {n}" for t, n in by_topic.most_common()) + ".", ""]
    lines += (
        [
            report.table(
                ["question (file:line)", "topic", "reply"],
                [[r.question.ref, ", ".join(r.classification.topics), redacted(r, 120)] for r in topics],
            ),
            "",
        ]
        if topics
        else ["None.", ""]
    )
    return "\n".join([*lines, *desk_answer_lines])


def save_replies(results: Sequence[Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "ref": r.question.ref,
            "question": r.question.text,
            "label": r.question.label,
            "small_talk": r.question.small_talk,
            "outcome": r.outcome,
            "reply": r.reply,
            "figures": r.classification.figures,
            "topics": r.classification.topics,
            "responses": r.classification.responses,
            "error": r.error,
        }
        for r in results
    ]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, help="ask only this many questions (spread over the sets)")
    parser.add_argument("--skip-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "eval.md")
    parser.add_argument("--work", type=Path, default=WORK_DIR)
    arguments = parser.parse_args(argv)
    if not MODEL.exists():
        parser.error(f"no trained model at {MODEL}: run `make train` first")
    started = datetime.now(timezone.utc)
    commands = ["python -m evaluation.quality" + (f" --limit {arguments.limit}" if arguments.limit else "")]
    crossval = None
    if not arguments.skip_cv:
        print("==> 5-fold cross-validation of the NLU data…", flush=True)
        out = arguments.work / "cv"
        commands.append("  runs: " + shown(cv.cv_command(CONFIG, out)))
        crossval = cv.cross_validate(CONFIG, out)
    questions = sample(evalsets.load(), arguments.limit)
    print(f"==> Asking {len(questions)} questions through the assistant…", flush=True)
    clock = time.perf_counter()
    work = arguments.work / "quality"
    shutil.rmtree(work, ignore_errors=True)
    fixtures = desk_answers.load()
    # The desk's answers of evaluation/desk_answer_fixtures.yml are approved in the servers' ticket
    # database, so that every question below also measures them.
    with servers.assistant(work, MODEL, seed_database=desk_answers.seed) as running:
        results = ask(running.rest_url, questions, arguments.concurrency)
        seconds = time.perf_counter() - clock
        paraphrases = ask(running.rest_url, fixtures.paraphrases, arguments.concurrency)
        print("==> In-scope questions and conversation scenarios…", flush=True)
        scenario_results = scenarios.run(
            running.rest_url,
            [
                *evalsets.load_in_scope(),
                *evalsets.load_conversations(),
                *evalsets.load_context_conversations(),
                *evalsets.load_thread_conversations(),
                *evalsets.load_nl_questions(),
            ],
            arguments.concurrency,
        )
        print("==> Dutch questions about other places…", flush=True)
        dutch_results = ask(running.rest_url, evalsets.load_dutch_outside(), arguments.concurrency)
        print("==> Questions after a story (message length)…", flush=True)
        length_rows = message_length.measure(running.rest_url, arguments.concurrency)
    save_replies(results, work / "replies.json")
    scenarios.save(scenario_results, work / "scenarios.json")
    desk_lines = desk_answers.section(
        desk_answers.measure(fixtures, evalsets.load()),
        fixtures,
        pipeline=[(r.question, r.reply) for r in (*results, *paraphrases)],
    )
    text = render(
        started,
        commands,
        crossval,
        results,
        seconds,
        arguments.concurrency,
        scenario_results,
        desk_lines,
        dutch_results,
    )
    text = text.rstrip("\n") + "\n\n" + "\n".join(message_length.section(length_rows))
    report.write(arguments.out, text)
    summary = text.split("## Summary", 1)[1].split("##", 1)[0].strip()
    print(summary)
    print(f"Report: {arguments.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
