"""Shell commands split into words the way POSIX sh does, keeping what `shlex.split` loses.

`shlex.split("pip install torch>=2.0")` gives the word `torch>=2.0`, and so does
`shlex.split('pip install "torch>=2.0"')`. The shell does not agree: unquoted, `>` starts an output
redirection, so the first command installs any torch and writes pip's output to a file named
`=2.0`. A rule that reads install commands needs to know the difference, so each `Word` carries
the redirection characters the shell would act on (unquoted, inside the word).

Unquoted `;`, `|`, `&&`, `||` and `&` separate commands even without spaces around them
(`pip install x;pip install y`) and come out as words of their own; `&` next to `>` (`2>&1`, `&>`)
stays part of its redirection. Quotes and backslashes are removed as the shell removes them; a
`#` that starts a word starts a comment. Unbalanced quotes give plain whitespace splitting, as a
best effort on a command the shell would refuse anyway.
"""

from __future__ import annotations

SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_SEPARATOR_CHARS = ";|&"


class Word(str):
    """A word with its quotes removed. `redirects` are the `<`/`>` that the shell reads as
    redirections after the word's first character, in order; `redirect_at` is where the first
    one is in the word (-1 when there is none)."""

    redirects: str = ""
    redirect_at: int = -1


def _word(text: list[str], redirects: str, redirect_at: int) -> Word:
    word = Word("".join(text))
    word.redirects, word.redirect_at = redirects, redirect_at
    return word


def shell_words(command: str) -> list[Word]:
    """The words of one command line (see the module docstring)."""
    words: list[Word] = []
    text: list[str] = []
    quote, started, redirects, redirect_at = "", False, "", -1

    def flush() -> None:
        nonlocal text, started, redirects, redirect_at
        if started:
            words.append(_word(text, redirects, redirect_at))
        text, started, redirects, redirect_at = [], False, "", -1

    i, n = 0, len(command)
    while i < n:
        char = command[i]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"' and i + 1 < n and command[i + 1] in '"\\$`':
                i += 1
                text.append(command[i])
            else:
                text.append(char)
        elif char in "'\"":
            quote, started = char, True
        elif char == "\\":
            i += 1
            text.append(command[i] if i < n else "")
            started = True
        elif char.isspace():
            flush()
        elif char == "#" and not started:
            break
        elif char in _SEPARATOR_CHARS and not (char == "&" and ">" in command[i - 1 : i] + command[i + 1 : i + 2]):
            flush()
            end = i + 1
            while end < n and command[end] == char and end - i < 2:
                end += 1
            words.append(Word(command[i:end]))
            i = end
            continue
        else:
            if char in "<>" and text:
                redirect_at = len(text) if redirect_at < 0 else redirect_at
                redirects += char
            text.append(char)
            started = True
        i += 1
    if quote:
        return [Word(part) for part in command.split()]
    flush()
    return words
