"""Typed SQLAlchemy models. Scores are maintained aggregates: leaderboards never sum answers."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))


class Group(Base):
    """A study group: one channel on one platform, with its daily schedule."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("platform", "workspace", "channel"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    post_time: Mapped[str] = mapped_column(String(5))  # "HH:MM", local to timezone
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    open_hours: Mapped[int | None] = mapped_column(Integer)  # None: open until the next daily post
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # why the bot paused it on its own ("uninstalled": the platform revoked access); None = an admin
    paused_reason: Mapped[str | None] = mapped_column(String(16))
    admins: Mapped[list[str]] = mapped_column(JSON, default=list)
    seed: Mapped[int] = mapped_column(Integer)  # decides this group's rotation order
    posts_made: Mapped[int] = mapped_column(Integer, default=0)  # position in the objective rotation
    next_post_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # the last delivery failure (a bot.posting.Problem value), shown in status; None: all well
    problem: Mapped[str | None] = mapped_column(String(32))
    problem_detail: Mapped[str | None] = mapped_column(String(200))
    problem_since: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Quiz(Base):
    """A question put to a group (daily) or to one member (practice).

    ``option_order`` holds the option keys in displayed order, so buttons carry positions
    and reveal nothing; ``closes_at`` rows are the timers the scheduler fires, after restarts too.
    """

    __tablename__ = "quizzes"
    __table_args__ = (
        UniqueConstraint("group_id", "post_date", name="uq_daily_post_per_group_day"),
        Index("ix_quizzes_due", "closed_at", "closes_at"),
        Index("ix_quizzes_owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "daily" | "practice" | "review" | "exam"
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    objective_id: Mapped[str] = mapped_column(String(32))
    option_order: Mapped[str] = mapped_column(String(6))
    seq: Mapped[int | None] = mapped_column(Integer)  # the group's daily post number, for streaks
    post_date: Mapped[date | None] = mapped_column(Date)  # the group's local date
    week: Mapped[str | None] = mapped_column(String(10))  # Monday of post_date's week, ISO
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    message_ref: Mapped[str | None] = mapped_column(String(64))
    results_sent: Mapped[bool] = mapped_column(Boolean, default=False)  # the close was edited into the post
    # delivery of the post, then of its results: attempts begun (recorded before each send, so a
    # send with no recorded answer is looked up before sending again), when to try next, and
    # whether a permanent platform error stopped it; the lease says which worker is sending now
    tries: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("quiz_id", "member_id", name="uq_one_answer_per_member"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    picks: Mapped[str] = mapped_column(String(6))  # the displayed positions chosen, as digits
    correct: Mapped[bool] = mapped_column(Boolean)
    points: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Score(Base):
    """Points per member per group per period ("all" or the ISO date of a week's Monday)."""

    __tablename__ = "scores"
    # serves the top-N read straight from the index, ties in the order they first scored
    __table_args__ = (Index("ix_scores_board", "group_id", "period", text("points DESC"), "first_scored_at", "member_id"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    first_scored_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ScoreBucket(Base):
    """How many members of a board hold each point total: a rank is one small sum."""

    __tablename__ = "score_buckets"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered on the key: a board's buckets are adjacent

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, primary_key=True)
    members: Mapped[int] = mapped_column(Integer, default=0)


class Standing(Base):
    """A member's streak in a group, counted in the group's daily posts."""

    __tablename__ = "standings"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    streak: Mapped[int] = mapped_column(Integer, default=0)
    best_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_seq: Mapped[int] = mapped_column(Integer, default=-1)  # the last daily post answered correctly


class Progress(Base):
    """Answers per member per exam domain, daily and practice together."""

    __tablename__ = "progress"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    domain_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)


class RequestReceipt(Base):
    """A signed platform request already handled, kept for the platform's replay window: a
    replayed request (same signature) is recognised by any worker sharing the store."""

    __tablename__ = "request_receipts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the request's signature
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class ReviewCard(Base):
    """A member's FSRS card for one question: every answer they give to it reschedules it."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_due", "member_id", "due"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    objective_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[int] = mapped_column(Integer)  # fsrs.State
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UtcDateTime())
    last_review: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)  # wrong answers


class Exam(Base):
    """A timed mock exam. ``running_member_id`` is the member while it runs and NULL after,
    so a unique constraint allows one running exam per member on every backend."""

    __tablename__ = "exams"
    __table_args__ = (Index("ix_exams_member", "member_id", "started_at"), Index("ix_exams_ends", "finished_at", "ends_at"))

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    running_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    questions: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    correct: Mapped[int | None] = mapped_column(Integer)
    scaled: Mapped[int | None] = mapped_column(Integer)  # out of 1,000
    seconds_used: Mapped[int | None] = mapped_column(Integer)
    domains: Mapped[dict[str, list[int]] | None] = mapped_column(JSON)  # domain id -> [correct, asked]


class ExamItem(Base):
    """The exam's questions in order; each is a quiz row (kind "exam") owned by the member."""

    __tablename__ = "exam_items"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), unique=True)


class QuestionReport(Base):
    """A member's report that a question is wrong, unclear, outdated or has a typo: one per
    member per question, whichever quiz it came from."""

    __tablename__ = "question_reports"
    __table_args__ = (UniqueConstraint("question_id", "member_id", name="uq_one_report_per_member"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # a key of bot.commands.REPORT_REASONS
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime())



class SlackInstallation(Base):
    """A Slack workspace that installed the app through "Add to Slack" (its bot token)."""

    __tablename__ = "slack_installations"

    #: team id, or "E:<enterprise id>" for an org-wide install
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    team_id: Mapped[str | None] = mapped_column(String(32))
    team_name: Mapped[str | None] = mapped_column(String(200))
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False)
    app_id: Mapped[str | None] = mapped_column(String(32))
    bot_token: Mapped[str] = mapped_column(String(255))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    bot_scopes: Mapped[str] = mapped_column(String(1000), default="")
    installer_user_id: Mapped[str | None] = mapped_column(String(32))
    installed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SlackOrgTeam(Base):
    """A workspace served through its Enterprise Grid org's org-wide install: its groups are keyed
    by the workspace (team id) while the bot token belongs to the org, so posting for a group, and
    pausing or resuming an org's groups, go through this row."""

    __tablename__ = "slack_org_teams"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(32), index=True)


class OAuthState(Base):
    """An OAuth ``state`` handed out by "Add to Slack", consumed once by the redirect."""

    __tablename__ = "oauth_states"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
