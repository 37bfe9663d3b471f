"""Cards for spaced review, readiness and the mock exam (the presenter's second half; the
daily quiz, boards and lookups are in :mod:`bot.cards`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot import codec
from bot.cards import domain_label, feedback, letters, quiz_card
from bot.content.pack import Objective, Pack
from bot.replies import Action, Card, Field, Link, Reply, Tone, Visibility, show
from bot.store.models import Exam
from bot.study.exam import Missed, Result, Step
from bot.study.quiz import Outcome, Status, correct_positions
from bot.study.readiness import NOT_ENOUGH, PASS, SCALE, GroupReadiness, Readiness
from bot.study.review import Pick

MISSED_PER_REPLY = 5
ESTIMATE = (
    "An estimate from your answers here: FSRS recall of the questions you've answered, weighted by "
    "the exam's domain shares, with a 95% range that narrows as you answer more. Not a promise "
    "about the real exam."
)


def _private(*cards: Card, replace_clicked: bool = False, text: str = "") -> Reply:
    return Reply(cards=cards, text=text, visibility=Visibility.PRIVATE, replace=replace_clicked)


def relative(delta: timedelta) -> str:
    """``in 3 days``, ``in 10 minutes``; ``now`` for anything already past."""
    seconds = delta.total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 60:
        return "in under a minute"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = round(seconds / size)
            return f"in {n} {unit}{'s' if n != 1 else ''}"
    return "now"  # pragma: no cover - the loop always returns


def pct(value: float) -> str:
    return f"{round(100 * value)}%"


# --- review ------------------------------------------------------------------------------------


def review_question(pick: Pick, replace_clicked: bool) -> Reply:
    assert pick.quiz is not None and pick.question is not None and pick.objective is not None
    if pick.new:
        title, lead = "New question", "Nothing is due, so here is a new question where you stand to gain most."
    else:
        title = f"Review · {pick.due} due"
        lead = f"{pick.due} question{'s' if pick.due != 1 else ''} due for review. Here is the most overdue."
    card = quiz_card(pick.quiz, pick.question, pick.objective, title=title,
                     footer=f"Objective: {pick.objective.title} · your answer reschedules this question")
    return _private(replace(card, body=f"{lead}\n\n{card.body}"), replace_clicked=replace_clicked)


def nothing_due(pick: Pick, now: datetime, prefix: str, replace_clicked: bool) -> Reply:
    if pick.cards == 0:
        body = (f"You have no review cards yet: every answer you give (the daily quiz, {prefix}quiz, "
                f"{prefix}exam) makes one, and FSRS schedules it.")
    else:
        when = relative(pick.next_due - now) if pick.next_due else "later"
        body = f"Nothing is due for review. Your next card falls due **{when}** ({pick.cards} card{'s' if pick.cards != 1 else ''} in all)."
    return _private(Card(
        title="All caught up", body=body + " Want a new question from the objectives that matter most for you?",
        actions=(Action(codec.action("review new"), "New question"),), tone=Tone.SUCCESS,
    ), replace_clicked=replace_clicked)


def review_feedback(outcome: Outcome, objective: Objective, prefix: str) -> Reply:
    """The usual feedback (explanation, link), in place of the question, with a Next button."""
    base = feedback(outcome, objective, prefix)
    if outcome.status in (Status.NOT_YOURS, Status.INVALID):
        return base  # a refusal: the member's question stays as it was
    nxt = Action(codec.action("review"), "Next")
    cards = base.cards or (Card(title="Review", body=base.text, tone=Tone.WARNING),)
    if outcome.status is Status.RECORDED:
        first = replace(cards[0], footer="FSRS has rescheduled this question from your answer.")
        cards = (first, *cards[1:])
    cards = (*cards[:-1], replace(cards[-1], actions=(nxt,)))
    return _private(*cards, replace_clicked=True)


# --- readiness ----------------------------------------------------------------------------------


def readiness_cards(r: Readiness, prefix: str) -> tuple[Card, ...]:
    fields = []
    for d in r.domains:
        value = (f"{pct(d.recall)} recall · {d.known}/{d.objectives} objectives answered"
                 if d.recall is not None else NOT_ENOUGH)
        fields.append(Field(f"{domain_label(d.domain)} · {pct(d.share)} of the exam", value))
    if r.score is None:
        head = f"**Predicted score: {NOT_ENOUGH}.** Answer the daily quiz, {prefix}quiz or {prefix}review to start."
        tone = Tone.INFO
    else:
        verdict = "above" if r.score >= PASS else "below"
        head = (f"**Predicted score: {r.score} / {SCALE}** (range {r.low}-{r.high}), {verdict} the {PASS} pass "
                f"line. From {r.answered} question{'s' if r.answered != 1 else ''} answered.")
        tone = Tone.SUCCESS if r.low is not None and r.low >= PASS else Tone.INFO if r.score >= PASS else Tone.WARNING
    summary = Card(title="Exam readiness", body=head, fields=tuple(fields), footer=ESTIMATE, tone=tone)
    lines, links = [], []
    for o in r.study_next:
        known = f"{pct(o.recall)} recall" if o.recall is not None else "not answered yet"
        lines.append(f"• **{o.objective.title}** ({known}; up to {o.gain * SCALE:.0f} points to gain)")
        links.append(Link(o.objective.title, o.objective.url))
    study = Card(title="Study next", body="\n".join(lines), links=tuple(links),
                 footer=f"Biggest expected gain: exam weight x (1 - recall). {prefix}review asks you these.",
                 tone=Tone.INFO)
    return summary, study


def readiness(r: Readiness, prefix: str) -> Reply:
    return _private(*readiness_cards(r, prefix))


def group_readiness(g: GroupReadiness) -> Reply:
    if g.weakest:
        weakest = "\n".join(f"• **{w.objective.title}** · {pct(w.recall)} mean recall over {w.members} member(s)"
                            for w in g.weakest)
    else:
        weakest = "No answers yet."
    bands = "\n".join(f"{label}: {n}" for label, n in g.bands)
    return _private(Card(
        title="Group readiness",
        body=f"**Weakest objectives** (exam weight x (1 - mean recall)):\n{weakest}",
        fields=(Field("Members", str(g.members), inline=True),
                Field("Answered this week", str(g.active_this_week), inline=True),
                Field("Predicted scores (members per band)", bands)),
        links=tuple(Link(w.objective.title, w.objective.url) for w in g.weakest),
        footer="Estimates from members' answers here (FSRS recall); no names are shown.",
        tone=Tone.INFO,
    ))


# --- exam --------------------------------------------------------------------------------------------


def minutes(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    m, s = divmod(seconds, 60)
    return f"{m} min {s:02d} s" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def exam_step(step: Step, prefix: str, replace_clicked: bool, note: str = "") -> Reply:
    exam = step.exam
    card = quiz_card(
        step.quiz, step.question, step.objective,
        title=f"Mock exam · question {step.number} of {exam.questions}",
        footer=(f"Time left: {minutes(step.time_left)} · no feedback until the end · "
                f"leave and come back with {prefix}exam"),
    )
    return _private(replace(card, body=(f"{note}\n\n" if note else "") + card.body), replace_clicked=replace_clicked)


def exam_results(result: Result, pack: Pack, prefix: str, replace_clicked: bool) -> list[Reply]:
    exam = result.exam
    scaled = exam.scaled or 0
    verdict = "pass" if result.passed else "not a pass yet"
    fields = [
        Field(domain_label(pack.domain_by_id[d]), f"{c}/{n} ({pct(c / n) if n else '—'})", inline=True)
        for d, (c, n) in result.domains.items()
    ]
    allowed = exam.ends_at - exam.started_at
    fields += [
        Field("Correct", f"{exam.correct}/{exam.questions} · {result.answered} answered", inline=True),
        Field("Time used", f"{minutes(timedelta(seconds=exam.seconds_used or 0))} of {minutes(allowed)}", inline=True),
    ]
    ran_out = result.answered < exam.questions
    summary = Card(
        title=f"Mock exam · {scaled} / {SCALE} · {verdict}",
        body=(f"**{scaled} / {SCALE}**, the pass line is {PASS}. "
              + ("Time ran out: unanswered questions count as wrong. " if ran_out else "")
              + (f"Below: the {len(result.missed)} question(s) you missed." if result.missed else "No misses!")),
        fields=tuple(fields),
        footer=f"Scaled linearly (share correct x {SCALE}). Past exams: {prefix}exam history.",
        tone=Tone.SUCCESS if result.passed else Tone.FAILURE,
    )
    replies = [_private(summary, replace_clicked=replace_clicked)]
    missed = [_missed_card(i, m) for i, m in enumerate(result.missed, 1)]
    for start in range(0, len(missed), MISSED_PER_REPLY):
        replies.append(_private(*missed[start:start + MISSED_PER_REPLY]))
    return replies


def _missed_card(n: int, m: Missed) -> Card:
    options = dict(m.question.options)
    right = correct_positions(m.quiz, m.question)
    answer = "; ".join(f"{letters({p})}. {options[m.quiz.option_order[p]]}" for p in sorted(right))
    yours = f"You chose **{letters(m.picks)}**." if m.picks else "Not answered."
    return Card(
        title=f"Missed {n} · {m.objective.title}",
        body=f"{m.question.stem}\n\n{yours} **Right answer: {answer}**\n{m.question.explanation}",
        code=m.question.code,
        links=(Link(m.objective.title, m.objective.url),),
        tone=Tone.FAILURE,
    )


def exam_history(exams: list[Exam], prefix: str) -> Reply:
    if not exams:
        return _private(Card(title="Mock exam history", body=f"No finished exams yet. Start one with {prefix}exam.",
                             tone=Tone.INFO))
    lines = [
        f"• {e.started_at:%a %d %b %Y %H:%M} UTC · **{e.scaled} / {SCALE}** "
        f"{'pass' if (e.scaled or 0) >= PASS else 'not a pass'} · {e.questions} questions · "
        f"{minutes(timedelta(seconds=e.seconds_used or 0))}"
        for e in exams
    ]
    return _private(Card(title="Mock exam history", body="\n".join(lines), tone=Tone.INFO))


def exam_size(prefix: str) -> Reply:
    from bot.study.exam import MAX_QUESTIONS, MIN_QUESTIONS

    return show(Card(title="Mock exam", body=f"An exam has {MIN_QUESTIONS} to {MAX_QUESTIONS} questions, "
                     f"for example {prefix}exam 40.", tone=Tone.WARNING), private=True)


def exam_refused(outcome: Outcome, prefix: str) -> Reply:
    """A click on an exam question that cannot count (someone else's, a malformed pick)."""
    if outcome.status is Status.NOT_YOURS:
        text = f"That exam question belongs to someone else. Start your own with {prefix}exam."
    else:
        text = f"Pick exactly {outcome.question.pick} option(s)." if outcome.question else "I can't use that answer."
    return Reply(text=text, visibility=Visibility.PRIVATE)
