"""What the CLI prints: two consoles, and entity text made safe for a terminal.

Names and ids come from registries and are untrusted: a name may hold escape
sequences that would recolour, move the cursor or retitle the terminal, or
rich markup such as ``[link=...]``. Every such text goes through ``plain``
and is printed as ``rich.text.Text``, never as markup.
"""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.table import Table
from rich.text import Text

# soft_wrap: URLs and paths stay on one line, so they can be copied
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def plain(value: object) -> Text:
    """``value`` as inert text: control characters shown as ``\\xNN``, no markup read.

    >>> plain("Acme\\x1b]0;pwned\\x07 [bold]Ltd[/bold]").plain
    'Acme\\\\x1b]0;pwned\\\\x07 [bold]Ltd[/bold]'
    >>> plain(None).plain
    ''
    """
    text = "" if value is None else str(value)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        text = "".join(f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return Text(text)


def table(*columns: str) -> Table:
    """A plain table with these column headers."""
    grid = Table(*columns, show_edge=False, pad_edge=False, header_style="bold")
    return grid


def percent(value: float | None) -> str:
    """A fraction as a percentage with two decimals; ``-`` for none.

    >>> percent(0.5), percent(None)
    ('50.00%', '-')
    """
    return "-" if value is None else f"{value:.2%}"
