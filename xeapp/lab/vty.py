"""One interactive IOS-XE CLI session: prompts, modes, output filters and session faults."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from xeapp.lab.clierror import IncompleteCommand, InvalidInput
from xeapp.lab.commandtree import AmbiguousCommand, Tree, resolve
from xeapp.lab.state import DeviceState
from xeapp.lab.terminal import ChannelClosed, Terminal

log = logging.getLogger(__name__)

_INVALID = "% Invalid input detected at '^' marker.\n"
_YES_NO_ATTEMPTS = 3


class SessionDropped(Exception):
    """Raised inside a handler when the device drops the session (reload, reset fault)."""


class Vty:
    """State of one CLI session: its mode, terminal settings and the device it talks to."""

    def __init__(
        self,
        device: DeviceState,
        terminal: Terminal,
        drop_sessions: Callable[[], None],
        peer: str = "127.0.0.1",
        address: str = "127.0.0.1",
    ) -> None:
        self.device = device
        self.terminal = terminal
        self.drop_sessions = drop_sessions
        self.peer = peer
        # The device's own address, the source address of its outgoing HTTP copies.
        self.address = address
        self.config_mode = False
        self.commands_run = 0
        # The connection_reset fault's parameters while the command it names runs.
        self.armed_reset: dict[str, object] | None = None
        # Set once a reset dropped the session but the command runs on unseen.
        self.detached = False

    @property
    def prompt(self) -> str:
        with self.device.lock:
            hostname = self.device.hostname
        return f"{hostname}(config)#" if self.config_mode else f"{hostname}#"

    def write(self, text: str) -> None:
        if not self.detached:
            self.terminal.write(text)

    def ask(self, question: str) -> str:
        """Print a question such as `Destination filename [x]?` and read the typed answer."""
        if self.detached:
            raise SessionDropped
        self.terminal.write(question)
        return self.terminal.read_line()

    def confirm(self, question: str) -> bool:
        """Print a `[confirm]` question and read one key: Enter, `y` or `Y` confirm.

        Any other key cancels, as IOS does. The keys after it stay typed ahead, so netmiko's
        `exit` on disconnect cancels with its `e` and never deletes or reloads anything.
        NOTE: the recorded transcripts only show Enter at `[confirm]`; the rule for other keys
        follows the commonly documented IOS behaviour, not a capture.
        """
        self.terminal.write(question)
        key = self.terminal.read_key()
        self.terminal.write("\n")
        return key in ("\n", "y", "Y")

    def ask_yes_no(self, question: str) -> bool:
        """Print a `[y/n]` question until the answer is y, yes, n or no; return True for yes.

        A repeated question shows only its last line. After `_YES_NO_ATTEMPTS` other answers
        the question counts as answered no.
        NOTE: the recorded transcripts only show `y` typed at `[y/n]`; asking again on other
        input is assumed.
        """
        for attempt in range(_YES_NO_ATTEMPTS):
            text = question if attempt == 0 else question.rsplit("\n", 1)[-1]
            answer = self.ask(text).strip().lower()
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
        return False

    def pause(self, seconds: float) -> None:
        """Wait `seconds` like a slow device; raise SessionDropped if the session closes first."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.terminal.channel.closed:
                raise SessionDropped
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def run(self) -> None:
        """Serve the session until the client leaves or the device drops it."""
        try:
            self.write("\n" + self.prompt)
            while True:
                line = self.terminal.read_line()
                if not self.execute(line):
                    return
                self.write(self.prompt)
                self._syslog_fault()
        except (ChannelClosed, SessionDropped):
            return

    def execute(self, line: str) -> bool:
        """Run one typed line and print its output; return False when the session ends."""
        from xeapp.lab.commands import CONFIG_TREE, EXEC_TREE, SessionEnd

        command, pipe = _split_pipe(line)
        if not command.strip() or command.lstrip().startswith("!"):
            return True
        self.commands_run += 1
        tree: Tree = CONFIG_TREE if self.config_mode else EXEC_TREE
        self.armed_reset = self._matching_reset(command)
        try:
            handler, args = resolve(tree, command)
            output = handler(self, args)
        except InvalidInput as exc:
            self.write(" " * (len(self.prompt) + exc.column) + "^\n" + _INVALID)
            return True
        except AmbiguousCommand as exc:
            self.write(f'% Ambiguous command:  "{exc.command}"\n')
            return True
        except IncompleteCommand:
            self.write("% Incomplete command.\n\n")
            return True
        except SessionEnd:
            return False
        if pipe:
            try:
                output = _apply_pipe(output, pipe)
            except InvalidInput as exc:
                self.write(" " * (len(self.prompt) + len(command) + exc.column) + "^\n" + _INVALID)
                return True
        if self.armed_reset is not None:
            self.armed_reset = None
            log.info("%s: fault connection_reset drops the session during %r", self.peer, command)
            self.write(output[: len(output) // 2])
            self.drop_sessions()
            raise SessionDropped
        self.terminal.write_paged(output)
        return True

    def _matching_reset(self, command: str) -> dict[str, object] | None:
        with self.device.lock:
            fault = self.device.faults.get("connection_reset")
        if fault is None or not command.strip().startswith(str(fault["command"])):
            return None
        return dict(fault)

    def reset_point(self) -> None:
        """Fire an armed connection_reset fault here, in the middle of a command's output.

        Activation calls this between its progress lines, so the reset comes before the
        SUCCESS or FAILED line. Without `install_continues` the command ends with the session
        and the install is aborted. With it, the command runs on unseen to its reload.

        Raises:
            SessionDropped: the fault fired and the command stops here.
        """
        fault, self.armed_reset = self.armed_reset, None
        if fault is None:
            return
        continues = bool(fault.get("install_continues"))
        log.info(
            "%s: fault connection_reset drops the session mid-output; command %s",
            self.peer,
            "continues" if continues else "aborted",
        )
        self.drop_sessions()
        if not continues:
            raise SessionDropped
        self.detached = True

    def _syslog_fault(self) -> None:
        with self.device.lock:
            fault = self.device.faults.get("syslog_after_prompt")
        if fault is not None and self.commands_run == int(str(fault["after"])):
            self.write(f"\n*Mar  4 10:15:01.123: {fault['message']}\n")


def _split_pipe(line: str) -> tuple[str, str]:
    command, sep, pipe = line.partition("|")
    return (command.rstrip(), pipe.strip()) if sep else (line, "")


def _apply_pipe(output: str, pipe: str) -> str:
    keyword, _, pattern = pipe.partition(" ")
    pattern = pattern.strip()
    modes = ["include", "exclude", "begin", "section"]
    matches = [mode for mode in modes if mode.startswith(keyword.lower())] if keyword else []
    if len(matches) != 1 or not pattern:
        raise InvalidInput(3)
    regex = re.compile(pattern)
    lines = output.split("\n")
    mode = matches[0]
    if mode == "include":
        kept = [line for line in lines if regex.search(line)]
    elif mode == "exclude":
        kept = [line for line in lines if not regex.search(line)]
    elif mode == "begin":
        starts = [i for i, line in enumerate(lines) if regex.search(line)]
        kept = lines[starts[0] :] if starts else []
    else:
        kept = _section(lines, regex)
    return "\n".join(kept) + ("\n" if kept else "")


def _section(lines: list[str], regex: re.Pattern[str]) -> list[str]:
    kept: list[str] = []
    inside = False
    for line in lines:
        if not line.startswith(" "):
            inside = bool(regex.search(line))
        if inside:
            kept.append(line)
    return kept
