"""The built wheel runs on its own: installed into a fresh environment, `confbot console`
works from any folder with no other file (data, vocabulary, catalogues, migrations inside)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from bot import PROJECT_ROOT


@pytest.mark.slow
def test_the_wheel_runs_from_any_folder(tmp_path: Path):
    compiled = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile",
                               "-d", "locales", "-D", "messages"], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)
    assert compiled.returncode == 0, compiled.stderr
    source, wheels = tmp_path / "source", tmp_path / "wheels"
    for part in ("bot", "handlers", "data", "locales", "setup.py", "pyproject.toml",
                 "README.md"):  # a clean copy: no build/ left from an earlier build
        copy = shutil.copytree if (PROJECT_ROOT / part).is_dir() else shutil.copy
        copy(PROJECT_ROOT / part, source / part)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("confbot-*.whl")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DATABASE_URL") and not k.startswith(("CONFBOT_",
                                                                           "TELEGRAM_"))}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                                "-q", "--no-deps", str(wheel)], capture_output=True, text=True,
                               timeout=300, env=env, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # the dependencies (not what is tested) come from this environment, the bot from the wheel
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"], capture_output=True,
                             text=True, check=True).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import bot; print(bot.__file__)"], env=env,
                           cwd=elsewhere, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(purelib)
    chat = subprocess.run([str(venv / "bin" / "confbot"), "console", "--lang", "uk",
                           "--now", "2023-11-30T10:05"], input="/help\nщо зараз?\n",
                          env=env, cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert chat.returncode == 0, chat.stderr
    assert "/now" in chat.stdout and "Зараз (10:05)" in chat.stdout
    # the organisers' console: every page's template and every static file came with the wheel
    shipped = subprocess.run(
        [str(python), "-c", "from bot.web.console.render import HERE, _env; "
         "print(sorted(_env.list_templates())); "
         "print(sorted(p.name for p in (HERE / 'static').iterdir()))"],
        env=env, cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert shipped.returncode == 0, shipped.stderr
    templates, static = shipped.stdout.splitlines()
    console = PROJECT_ROOT / "bot" / "web" / "console"
    assert templates == str(sorted(p.name for p in (console / "templates").glob("*.html")))
    assert static == str(sorted(p.name for p in (console / "static").iterdir()))
    assert chat.stderr == ""
    assert (elsewhere / "confbot.sqlite3").is_file()
