"""A deterministic content pack for the Discord e2e tests and the burst benchmark: the real
``objectives.yaml`` (with ``aliases.yaml`` and ``descriptions.yaml``) and one generated question per objective."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.config import DEFAULT_CONTENT


def build_pack(root: Path, variant: str = "single") -> Path:
    """A content pack: the real objectives with one generated question each."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("objectives.yaml", "aliases.yaml", "descriptions.yaml"):
        if (DEFAULT_CONTENT / name).is_file():
            shutil.copy(DEFAULT_CONTENT / name, root / name)
    objectives = yaml.safe_load((root / "objectives.yaml").read_text())
    ids = [o["id"] for d in objectives["domains"] for s in d["sections"] for o in s["objectives"]]
    questions = []
    for oid in ids:
        q: dict = {"id": f"{oid}-t", "objective": oid, "difficulty": 2}
        if variant == "multiple":
            q.update(kind="multiple", stem=f"Which two statements about objective {oid} are true?",
                     options={"a": f"True statement one ({oid})", "b": f"False statement ({oid})",
                              "c": f"True statement two ({oid})", "d": f"Another false one ({oid})"},
                     answer=["a", "c"], explanation="A and C are the true statements.")
        elif variant == "huge":
            # every part over a Discord limit: stem > 4096, options > 80 (buttons) and
            # together > 2048, code and explanation long enough to overflow 6000 in total
            q.update(kind="code", stem=("A very long scenario. " * 190).strip() + f" ({oid})",
                     code="\n".join(f"step_{i} = run_experiment(ws, name='exp-{i}', config=cfg)  # {'x' * 30}"
                                    for i in range(40)),
                     options={k: f"Option {k.upper()} " + ("with much detail " * 30) + oid for k in "abcdef"},
                     answer="d", explanation=("Because of a long explanation. " * 70).strip())
        else:
            q.update(kind="single", stem=f"For objective {oid}, which option is right?",
                     options={"a": "Alpha", "b": "Bravo", "c": "Charlie", "d": "Delta"},
                     answer="b", explanation="Bravo is right because the test pack says so.")
        questions.append(q)
    (root / "questions").mkdir(exist_ok=True)
    (root / "questions" / "generated.yaml").write_text(yaml.safe_dump(
        {"review": [{"pass": "written", "by": "e2e-tests"}], "questions": questions},
        sort_keys=False, allow_unicode=True, width=10_000))
    return root
