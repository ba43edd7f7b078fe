"""The `xborder` group: its listing, lazy commands, and a start that imports only what it needs."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from service import cli


def test_help_lists_every_command_as_the_imported_commands_describe_themselves() -> None:
    lazy = CliRunner().invoke(cli.main, ["--help"])
    assert lazy.exit_code == 0, lazy.output
    for name in cli.COMMANDS:  # import every command, then list again
        cli.main.add_command(cli.load_command(name), name)
    loaded = CliRunner().invoke(cli.main, ["--help"])
    assert loaded.output == lazy.output
    for name in [*cli.COMMANDS, "serve", "db"]:
        assert f"\n  {name} " in lazy.output


def test_help_and_every_command_import_no_web_layer_weasyprint_or_llm_client() -> None:
    """`xborder --help` imports nothing of the app, and no command group imports the API, the
    web UI, weasyprint or the LLM client to start (each is checked as it loads, in turn)."""
    probe = (
        "import sys; from service.cli import COMMANDS, main\n"
        "def run(*args):\n"
        "    try:\n        main([*args, '--help'])\n    except SystemExit:\n        pass\n"
        "run()\n"
        "first = sorted(m for m in ('flask', 'sqlalchemy', 'service.app') if m in sys.modules)\n"
        "print(first)\n"
        "heavy = ('weasyprint', 'openai', 'flask_smorest', 'service.web', 'service.api')\n"
        "for name in COMMANDS:\n"
        "    run(name)\n"
        "    print(name, sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "Evaluate the transfer in FILE" in "\n".join(out)
    assert "[]" in out, out  # --help alone
    loaded = [line for line in out if line.split(" ", 1)[0] in cli.COMMANDS]
    assert loaded == [f"{name} []" for name in cli.COMMANDS], "\n".join(out)
