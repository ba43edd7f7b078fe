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


def test_help_and_a_command_import_no_web_layer_weasyprint_or_llm_client() -> None:
    probe = (
        "import sys; from service.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "first = sorted(m for m in ('flask', 'sqlalchemy', 'service.app') if m in sys.modules)\n"
        "try:\n    main(['assess', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('weasyprint', 'openai', 'flask_smorest', 'service.web', 'service.api')\n"
        "print(first, sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "Evaluate the transfer in FILE" in "\n".join(out)
    assert out[-1] == "[] []", out
