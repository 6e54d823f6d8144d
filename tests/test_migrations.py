"""The run order of the migrations is written down beside them, and stays true."""

from __future__ import annotations

import re

from alembic.script import ScriptDirectory

from bot.storage.database import MIGRATIONS, alembic_config, make_engine


def test_the_readme_lists_the_migrations_in_the_order_they_run():
    engine = make_engine("sqlite://")
    script = ScriptDirectory.from_config(alembic_config(engine))
    run_order = [r.revision for r in reversed(list(script.walk_revisions()))]
    readme = (MIGRATIONS / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \d+ \| `(\w+)` \|", readme, flags=re.MULTILINE)
    assert listed == run_order
    assert f"`{script.get_current_head()}` is the head" in readme
