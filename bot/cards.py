"""Turn study objects into platform-neutral cards. Every user-facing sentence lives here."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import codec
from bot.commands import REPORT_REASONS
from bot.content.pack import Domain, Objective, Pack, Question
from bot.posting import DeliveryError, Problem
from bot.replies import Card, Choice, Field, Link, Mention, Menu, Reply, Tone, quote, say, show
from bot.store.models import Group, Quiz
from bot.study.health import MIN_ANSWERS, Health
from bot.study.leaderboard import Board, MemberStats
from bot.study.quiz import Outcome, Results, Status, correct_positions, points_for
from bot.study.recap import Recap

LETTERS = "ABCDEF"
BAR = 10
POINTS = points_for(1)


def letters(positions: frozenset[int] | set[int]) -> str:
    return ", ".join(LETTERS[p] for p in sorted(positions))


def bar(done: int, total: int) -> str:
    if total <= 0:
        return "░" * BAR + "  —"
    filled = round(BAR * done / total)
    return "█" * filled + "░" * (BAR - filled) + f" {round(100 * done / total)}% ({done}/{total})"


def domain_label(domain: Domain) -> str:
    return f"{domain.title} ({domain.weight_label})"


def objective_card(objective: Objective, *, body: str = "", tone: Tone = Tone.INFO) -> Card:
    return Card(
        title=objective.title,
        url=objective.url,
        body=body,
        fields=(
            Field("Section", objective.section.title, inline=True),
            Field("Domain", domain_label(objective.domain), inline=True),
        ),
        links=(Link("Read the docs", objective.url),),
        tone=tone,
    )


def _options(quiz: Quiz, question: Question) -> list[str]:
    text = dict(question.options)
    return [text[key] for key in quiz.option_order]


def quiz_card(quiz: Quiz, question: Question, objective: Objective, *, title: str | None = None,
              footer: str | None = None) -> Card:
    if title is None:
        title = f"Daily quiz · {quiz.post_date:%a %d %b}" if quiz.kind == "daily" else "Practice question"
    if footer is None:
        footer = f"Objective: {objective.title} · one answer per member" + (
            " · results when the quiz closes" if quiz.kind == "daily" else " · counts toward your progress")
    stem = question.stem
    if question.pick > 1:
        stem += f"\n\n**Choose {question.pick}.**"
    return Card(
        title=title,
        body=stem,
        code=question.code,
        choices=tuple(
            Choice(codec.encode(quiz.id, i), LETTERS[i], text) for i, text in enumerate(_options(quiz, question))
        ),
        pick=question.pick,
        footer=footer,
        tone=Tone.QUIZ,
    )


def daily_post(quiz: Quiz, question: Question, objective: Objective, recap: Card | None = None) -> Reply:
    """Today's objective and quiz, after last week's recap when there is one."""
    lead = (recap,) if recap is not None else ()
    return show(
        *lead,
        objective_card(objective, body="**Today's objective.** Read up, then try the quiz below."),
        quiz_card(quiz, question, objective),
    )


MEDALS = ("🥇", "🥈", "🥉")


def recap_card(recap: Recap, weakest: Objective | None) -> Card:
    """Last week in one card: top 3, most improved, participation, accuracy, weakest objective."""
    week = f"week of {date.fromisoformat(recap.week):%a %d %b}"
    if not recap.answered:
        return Card(title=f"Last week's recap · {week}", tone=Tone.RESULT,
                    body="Nobody answered last week's quizzes. A new week starts below: have a go!")
    podium = "\n".join(f"{MEDALS[min(r.rank, 3) - 1]} {r.name} · {r.points} pts" for r in recap.top)
    fields = [
        Field("Members who answered", str(recap.members), inline=True),
        Field("Group accuracy", f"{round(100 * recap.correct / recap.answered)}% ({recap.correct}/{recap.answered})",
              inline=True),
    ]
    if recap.improved is not None:
        i = recap.improved
        fields.append(Field("Most improved", f"{i.name} · +{i.gain} pts on the week before ({i.points} pts)"))
    links: tuple[Link, ...] = ()
    if weakest is not None and recap.weakest is not None:
        w = recap.weakest
        fields.append(Field("Weakest objective",
                            f"{weakest.title} · {round(100 * w.correct / w.answered)}% correct ({w.correct}/{w.answered})"))
        links = (Link(weakest.title, weakest.url),)
    return Card(
        title=f"Last week's recap · {week}",
        body=f"**Top 3**\n{podium}" if podium else "Nobody scored points last week.",
        fields=tuple(fields),
        links=links,
        footer="Answers count toward the week of the quiz's post date. Most improved: the biggest rise in "
               "weekly points over the week before.",
        tone=Tone.RESULT,
    )


def results_post(res: Results, objective: Objective) -> Reply:
    quiz, question = res.quiz, res.question
    right = correct_positions(quiz, question)
    choices = []
    for i, text in enumerate(_options(quiz, question)):
        n = res.counts.get(i, 0)
        share = f"{round(100 * n / res.answered)}%" if res.answered else "0%"
        mark = "✅ " if i in right else ""
        choices.append(Choice(codec.encode(quiz.id, i), LETTERS[i], f"{mark}{text} · {n} ({share})"))
    fields = [
        Field("Answered", str(res.answered), inline=True),
        Field("Correct", f"{res.correct} ({round(100 * res.correct / res.answered) if res.answered else 0}%)", inline=True),
        Field("First correct", res.first_correct or "nobody", inline=True),
    ]
    card = Card(
        title=f"Results · {quiz.post_date:%a %d %b}" if quiz.post_date else "Results",
        body=f"{question.stem}\n\n**Answer: {letters(right)}.** {question.explanation}",
        code=question.code,
        choices=tuple(choices),
        pick=question.pick,
        closed=True,
        fields=tuple(fields),
        links=(Link(objective.title, objective.url),),
        footer="This quiz is closed.",
        tone=Tone.RESULT,
    )
    return show(objective_card(objective), card)


def feedback(outcome: Outcome, objective: Objective, prefix: str = "/") -> Reply:
    quiz, question = outcome.quiz, outcome.question
    assert quiz is not None and question is not None
    right = correct_positions(quiz, question)
    link = (Link(objective.title, objective.url),)
    if outcome.status is Status.DUPLICATE:
        return show(Card(
            title="You already answered this one",
            body=f"You chose **{letters(outcome.picks)}**. Only your first answer counts, so nothing changed.",
            tone=Tone.WARNING,
            menu=report_menu(quiz.id, prefix),
        ), private=True)
    if outcome.status is Status.CLOSED:
        return show(Card(
            title="This quiz has closed",
            body=f"The answer was **{letters(right)}**. {question.explanation}",
            links=link,
            footer=f"Try {prefix}quiz for a practice question.",
            tone=Tone.WARNING,
        ), private=True)
    if outcome.status is Status.INVALID:
        return say(f"Pick exactly {question.pick} option(s), from {letters(set(range(len(quiz.option_order))))}.")
    if outcome.status is Status.NOT_YOURS:
        return say(f"That practice question belongs to someone else. Try {prefix}quiz for your own.")
    if outcome.correct:
        title = "✅ Correct!"
        if quiz.kind == "daily":
            title += f" +{outcome.points} points"
            if outcome.streak > 1:
                title += f" · {outcome.streak} in a row"
    else:
        title = f"❌ Not quite. The answer is {letters(right)}."
    return show(Card(
        title=title,
        body=f"You chose **{letters(outcome.picks)}**. {question.explanation}",
        fields=(Field("Objective", objective.title),),
        links=link,
        footer=("Results are revealed when the quiz closes." if quiz.kind == "daily" else f"Practice: counts toward {prefix}stats."),
        tone=Tone.SUCCESS if outcome.correct else Tone.FAILURE,
        menu=report_menu(quiz.id, prefix),
    ), private=True)


# --- reporting questions ----------------------------------------------------------------------


def report_menu(quiz_id: int, prefix: str = "/", *, open: bool = False) -> Menu:
    return Menu(
        id=codec.report_id(quiz_id), label="⚑ Report", options=tuple(REPORT_REASONS.items()),
        typed=f"{prefix}report {'|'.join(REPORT_REASONS)}", open=open,
    )


def report_ask(quiz_id: int, prefix: str = "/") -> Reply:
    return show(Card(
        title="⚑ Report this question",
        body="What is wrong with it? Admins and the content maintainers see reports; yours counts once.",
        menu=report_menu(quiz_id, prefix, open=True),
        tone=Tone.WARNING,
    ), private=True)


def report_filed(reason: str, earlier: str | None, prefix: str = "/") -> Reply:
    if earlier is not None:
        return say(f"You already reported this question (“{REPORT_REASONS.get(earlier, earlier)}”). "
                   "Each member's report counts once.")
    return say(f"Thanks! Reported as “{REPORT_REASONS[reason]}”. Admins see it in `/studybot report`.")


def report_needs_answer(prefix: str = "/") -> Reply:
    return say(f"You can report a question once you have answered it: use ⚑ Report on your feedback, "
               f"or `{prefix}report {'|'.join(REPORT_REASONS)}` for the last question you answered.")


def health_lines(h: Health, question: Question | None) -> list[str]:
    """A question's figures in a few lines; shared by `/studybot report` and `content report`."""
    lines = []
    if h.answered:
        share = round(100 * h.correct / h.answered)
        d = h.discrimination
        disc = f"{d:+.2f}" if d is not None else "— (no answers yet from the top or bottom third)"
        lines.append(f"{h.answered} answers · {share}% correct · discrimination {disc}")
        wrong = h.top_wrong(question.answer) if question else None
        if wrong is not None:
            key, n = wrong
            text = dict(question.options).get(key, "") if question else ""
            lines.append(f"Most-chosen wrong option: ({key}) “{text}” · {n} ({round(100 * n / h.answered)}%)")
    else:
        lines.append("No answers yet.")
    if h.reports:
        lines.append("Reports: " + " · ".join(
            f"{REPORT_REASONS.get(reason, reason)} ×{n}" for reason, n in sorted(h.reports.items(), key=lambda t: (-t[1], t[0]))))
    return lines


#: Questions one `/studybot report` reply lists (a chat message has room for about this many).
REPORT_LIMIT = 10


def question_report(items: list[Health], pack: Pack) -> Reply:
    listed = [h for h in items if h.flags or h.reports]
    flagged = sum(1 for h in listed if h.flags)
    reported = sum(1 for h in listed if h.reports)
    rule = (f"Flagged at {MIN_ANSWERS}+ answers when a wrong option beats the key or the discrimination "
            "(top third's share correct minus the bottom third's) is below 0.")
    if not listed:
        return show(Card(title="Question report", body="No question is flagged or reported in this group.",
                         footer=rule, tone=Tone.INFO), private=True)
    head = Card(
        title="Question report",
        body=f"**{flagged}** flagged, **{reported}** reported by members (this group's answers and reports)."
        + (f" Showing the first {REPORT_LIMIT}; `studybot content report` lists all." if len(listed) > REPORT_LIMIT else ""),
        footer=rule, tone=Tone.WARNING if flagged else Tone.INFO,
    )
    cards = [head]
    for h in listed[:REPORT_LIMIT]:
        question = pack.question_by_id.get(h.question_id)
        objective = pack.objective_by_id.get(question.objective_id) if question else None
        stem = (question.stem if question else "(no longer in the pack)").replace("\n", " ")
        cards.append(Card(
            title=f"{h.question_id} · {objective.title}" if objective else h.question_id,
            body="\n".join([
                _short(stem, 160), *(["**Flagged:** " + "; ".join(h.flags) + "."] if h.flags else []),
                *health_lines(h, question),
            ]),
            footer=question.source if question else None,
            tone=Tone.FAILURE if h.flags else Tone.WARNING,
        ))
    return show(*cards, private=True)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def leaderboard(b: Board, period: str, week_of: str | None) -> Reply:
    if period == "all" or week_of is None:
        title = "Leaderboard · all time"
    else:
        which = "last week, " if period == "last-week" else ""
        title = f"Leaderboard · {which}week of {date.fromisoformat(week_of):%a %d %b}"
    if not b.rows:
        empty = "Nobody scored that week." if period == "last-week" else "No points yet. Answer the daily quiz to get on the board!"
        return show(Card(title=title, body=empty, tone=Tone.INFO))
    lines = [f"**{r.rank}.** {r.name} · {r.points} pts" for r in b.rows]
    if b.me is not None:
        you = f"#{b.me.rank} of {b.members} · {b.me.points} pts"
    else:
        you = "not on this board yet: answer the daily quiz to join"
    return show(Card(
        title=title, body="\n".join(lines), fields=(Field("You", you),),
        footer=f"{b.members} member(s) on this board · ties share a rank", tone=Tone.INFO,
    ))


def stats(s: MemberStats, pack: Pack, name: str) -> Reply:
    fields = []
    answered = sum(a for a, _ in s.progress.values())
    correct = sum(c for _, c in s.progress.values())
    for d in pack.domains:
        a, c = s.progress.get(d.id, (0, 0))
        fields.append(Field(domain_label(d), bar(c, a)))
    fields.append(Field("Answered", f"{answered} · {round(100 * correct / answered) if answered else 0}% correct", inline=True))
    fields.append(Field("Streak", f"{s.streak} now · {s.best_streak} best", inline=True))
    fields.append(Field("Rank", f"#{s.rank} of {s.members} · {s.points} pts" if s.rank else "not ranked yet", inline=True))
    return show(Card(
        title=f"Progress · {name}", body="Accuracy per exam domain (daily and practice answers).",
        fields=tuple(fields), tone=Tone.INFO,
    ), private=True)


def lookup(matches: list[Objective], query: str, prefix: str = "/") -> Reply:
    if not matches:
        return say(
            f"No objective matches “{quote(query)}” well. Try other words (an SDK class, a service, a task), "
            f"or list them with {prefix}objectives."
        )
    first, *rest = matches
    cards = [objective_card(first, body=first.description)]
    if rest:
        cards.append(Card(
            title="Also close",
            body="\n".join(f"• {o.title} ({o.section.title})" for o in rest),
            links=tuple(Link(o.title, o.url) for o in rest),
        ))
    return show(*cards, private=True)


def objectives_list(pack: Pack, domain: Domain | None, prefix: str = "/") -> Reply:
    if domain is None:
        lines = [
            f"**{d.id}.** {domain_label(d)} · {sum(1 for o in pack.objectives if o.domain.id == d.id)} objectives"
            for d in pack.domains
        ]
        return show(Card(
            title=f"{pack.exam} exam domains", body="\n".join(lines),
            footer=f"Pick a domain to list its objectives, e.g. {prefix}objectives 3", tone=Tone.INFO,
        ), private=True)
    cards = []
    for section in (s for s in pack.sections if s.domain.id == domain.id):
        objectives = [o for o in pack.objectives if o.section.id == section.id]
        cards.append(Card(
            title=f"{section.id} {section.title}",
            links=tuple(Link(o.title, o.url) for o in objectives),
        ))
    head = Card(title=domain_label(domain), body=f"{len(cards)} sections", tone=Tone.INFO)
    return show(head, *cards, private=True)


def today(
    objective: Objective, quiz: Quiz | None, answered: frozenset[int] | None, tz: ZoneInfo,
    question: Question | None = None,
) -> Reply:
    if quiz is None:
        return show(objective_card(objective, body="**Today's objective** (the quiz has not been posted yet)."), private=True)
    if answered is not None:
        state = f"You answered today's quiz: **{letters(answered)}**."
    elif quiz.closed_at is not None:
        state = "Today's quiz has closed."
    else:
        closes = f" It closes {quiz.closes_at.astimezone(tz):%a %H:%M}." if quiz.closes_at else ""
        state = f"You haven't answered today's quiz yet: here it is.{closes}"
        return show(objective_card(objective, body=f"**Today's objective.** {state}"),
                    quiz_card(quiz, question, objective), private=True)
    return show(objective_card(objective, body=f"**Today's objective.** {state}"), private=True)


def help_card(prefix: str) -> Reply:
    user = [
        ("quiz", "a private practice question (favours what you missed or haven't seen)"),
        ("review", "your questions due for spaced review (FSRS), one at a time"),
        ("readiness", "your predicted exam score per domain, and what to study next"),
        ("exam [10-60]", "a timed private mock exam (2 minutes a question); `exam history` lists past ones"),
        ("leaderboard [week|last-week]", "the group's top 10, all time, this week or last week, and your rank"),
        ("objective <words>", "find an exam objective and its documentation link"),
        ("objectives [domain]", "list the exam domains, or one domain's objectives"),
        ("today", "today's objective and whether you answered"),
        ("stats", "your accuracy per exam domain, streak and rank"),
        (f"report {'|'.join(REPORT_REASONS)}", "report the last question you answered (or ⚑ Report on its feedback)"),
        ("help", "this list"),
    ]
    admin = [
        ("setup", "post the daily objective and quiz in a channel: give the channel, the time (24-hour HH:MM), "
                  "the time zone (like Europe/Berlin) and, if you like, how many hours each quiz stays open"),
        ("pause / resume", "stop or restart the daily posts"),
        ("post-now", "post today's quiz right away"),
        ("status", "the group's settings and next post"),
        ("admins", "add or remove members who may run these commands too"),
        ("report", "questions the group's answers flag or members reported, with figures and reasons"),
        ("readiness" if prefix == "/" else "readiness group",
         "the group's weakest objectives and how ready its members are (no names)"),
    ]
    body = "\n".join(f"`{prefix}{name}` · {what}" for name, what in user)
    admin_body = "\n".join(f"`/studybot {name}` · {what}" for name, what in admin)
    footer = (
        f"Daily quiz: {POINTS} points for a correct answer, +2 per day in a row answered correctly "
        "(bonus capped at +10). Practice counts toward your stats, not the board."
    )
    return show(
        Card(title="StudyBot commands", body=body, tone=Tone.INFO),
        Card(title="For admins", body=admin_body, footer=footer, tone=Tone.INFO),
        private=True,
    )



def channel_label(channel: str) -> str:
    """A channel named in a message: a mention each adapter renders natively."""
    return str(Mention("channel", channel))


def admins_label(admins: list[str], none: str) -> str:
    return ", ".join(str(Mention("member", a)) for a in admins) if admins else none


def status(group: Group, tz: ZoneInfo, retry_at: datetime | None = None) -> Reply:
    nxt = group.next_post_at.astimezone(tz).strftime("%a %d %b %H:%M %Z") if group.next_post_at else "—"
    fields = (
        Field("Channel", channel_label(group.channel), inline=True),
        Field("Daily post", f"{group.post_time} {group.timezone}", inline=True),
        Field("State", "paused" if group.paused else "active", inline=True),
        Field("Next post", "paused" if group.paused else nxt, inline=True),
        Field("Quiz open", f"{group.open_hours} h" if group.open_hours else "until the next post", inline=True),
        Field("Posts so far", str(group.posts_made), inline=True),
        Field("Extra admins", admins_label(group.admins or [], "none")),
        *delivery_fields(group, retry_at, tz),
    )
    return show(Card(title="StudyBot status", fields=fields, tone=Tone.INFO), private=True)


def when(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%a %d %b %H:%M %Z")


# --- delivery: what admins are told when a post cannot go out ---------------------------------

_PLATFORM_FIX = {
    (Problem.NOT_IN_CHANNEL, "slack"): "I can't post in {ch}: invite me with `/invite @StudyBot` in that channel.",
    (Problem.NOT_IN_CHANNEL, "discord"): "I can't see {ch}: give my role *View Channel* there "
                                         "(channel settings → Permissions).",
    (Problem.MISSING_PERMISSIONS, "discord"): "I need *View Channel*, *Send Messages*, *Embed Links* and "
                                              "*Read Message History* in {ch}.",
    (Problem.MISSING_PERMISSIONS, "slack"): "I'm not allowed to post in {ch}: let apps post there "
                                            "(channel settings → Posting permissions).",
}
_FIX = {
    Problem.NOT_IN_CHANNEL: "I can't post in {ch}: add me to that channel.",
    Problem.MISSING_PERMISSIONS: "I'm not allowed to post in {ch}.",
    Problem.NO_CHANNEL: "I can't find the channel {ch}: run setup again with a channel that exists.",
    Problem.ARCHIVED: "{ch} is archived: unarchive it, or run setup in another channel.",
    Problem.NO_MESSAGE: "the quiz post in {ch} was deleted, so I could not add its results.",
    Problem.BAD_AUTH: "my token was revoked or the app was removed: reinstall StudyBot and update its token.",
    Problem.REJECTED: "the platform refused the post ({detail}); please report this StudyBot bug.",
    Problem.RATE_LIMITED: "the platform is rate-limiting me ({detail}); I retry on my own.",
    Problem.UNAVAILABLE: "the platform did not answer ({detail}); I retry on my own.",
}


def where(channel: str) -> str:
    """A channel as a mention when it is an id, else as the name it was given."""
    if channel.isdigit() or (channel[:1] in "CG" and channel.isalnum() and channel.isupper()):
        return channel_label(channel)
    return f"#{channel.lstrip('#')}"


def problem_text(platform: str, channel: str, problem: Problem, detail: str = "") -> str:
    """What failed and how to fix it, in one sentence for an admin."""
    text = _PLATFORM_FIX.get((problem, platform), _FIX[problem])
    return text.format(ch=where(channel), detail=detail or problem.value)


def post_now_failed(group: Group, error: DeliveryError, retry_at: datetime | None, tz: ZoneInfo) -> Reply:
    then = (f" I'll try again {when(retry_at, tz)}." if retry_at else
            " Once that is fixed, run `/studybot post-now` again (or wait for the next post).")
    return say(f"I couldn't post today's quiz: {problem_text(group.platform, group.channel, error.problem, error.detail)}"
               + then)


def setup_notice(post_time: str, timezone: str) -> Reply:
    """What setup posts in the group's channel: it proves the bot may post (and embed) there."""
    return show(Card(title="StudyBot is set up here",
                     body=f"I'll post here daily at {post_time} {timezone}: an exam objective and a quiz.",
                     tone=Tone.INFO))


def setup_refused(platform: str, channel: str, error: DeliveryError) -> Reply:
    fix = problem_text(platform, channel, error.problem, error.detail)
    return say(f"I can't set up {where(channel)} yet: {fix} Then run setup again.")


def delivery_fields(group: Group, retry_at: datetime | None, tz: ZoneInfo) -> tuple[Field, ...]:
    """Status lines about the last delivery failure and when posting resumes (none when all is well)."""
    if group.problem is None:
        return ()
    problem = Problem(group.problem)
    failure = problem_text(group.platform, group.channel, problem, group.problem_detail or "")
    since = f" (since {when(group.problem_since, tz)})" if group.problem_since else ""
    if retry_at is not None:
        resumes = f"by itself: next try {when(retry_at, tz)}"
    elif group.paused or group.next_post_at is None:
        resumes = "once fixed, with `/studybot post-now` or `/studybot resume`"
    else:
        resumes = f"once fixed: at the next post, {when(group.next_post_at, tz)}, or at once with `/studybot post-now`"
    return (Field("Last failure", failure + since), Field("Posting resumes", resumes))
