"""The `cchc` command line: a thin click group; library errors become exit codes only here.

Exit codes: 0 ran clean, 1 ran and found failures, 2 could not run (bad input, usage, a
failed write, even to stderr), 3 could not reach the data (a records database down,
refusing the login, timing out: try again later), 130 interrupted (Ctrl-C), 128+N killed
by signal N (SIGTERM, SIGHUP: a running server query is cancelled and the temporary output
file removed first).
Each command lives in `cchc_rules/commands/<name>.py` as `command` and is imported
only when it runs, so `cchc validate` does not pay for polars or WeasyPrint.
"""
from __future__ import annotations

import atexit
import errno
import gc
import importlib
import json
import logging
import os
import re
import signal
import sys
import threading
import time

import click

from .errors import CchcError, Position, Problem, Unreachable, did_you_mean, escape_controls
from .messages import LANGS, N_, _, set_language, translate
from .output import WRITE_NOTE, cancel_running, remove_pending
from .version import __version__

EXIT_OK, EXIT_FAIL, EXIT_ERROR, EXIT_UNREACHABLE = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}

COMMANDS: dict[str, str] = {
    "validate": "Check rulesets: schema, formulas, cycles, ids.",
    "schema": "Print the JSON Schema of the ruleset format.",
    "evaluate": "Evaluate reported figures against a ruleset.",
    "explain": "Show why one target has its status for one unit and period.",
    "figures": "Write every figure an evaluation used, with its origin and source.",
    "rank": "Rank units by the points of a ruleset's scoring.",
    "report": "Render a compliance report (HTML or PDF).",
    "test": "Run ruleset tests (*.test.yaml).",
    "form": "Write an Excel data-entry form for a ruleset's metrics, or scoring workbooks.",
    "collect": "Collect returned self-assessment and appraisal workbooks into figures.",
    "publish": "Publish a scored index: the decision's annex as HTML, PDF or xlsx.",
    "init": "Start a ruleset: write starter files into a folder.",
    "lint": "Point out what validates in a ruleset but is probably a mistake.",
    "serve": "Serve the results as a live local web app that follows file changes.",
    "draft": "Draft a ruleset from a plan document (.docx, .pdf, .txt).",
    "diff": "Show what changed between two results files (evaluate --format json).",
}


def _use_language(ctx: click.Context, param: click.Parameter, value: str | None):
    """`--lang vi|en`: the language of every message from here on (given on a command that
    renders, also of its tables and reports). Eager, so it holds before anything is read."""
    source = ctx.get_parameter_source(param.name) if param.name else None
    if value is not None and source is not click.core.ParameterSource.DEFAULT:
        set_language(value)
    return value


def lang_option() -> click.Option:
    return click.Option(["--lang"], type=click.Choice(LANGS), default=None, is_eager=True,
                        expose_value=False, callback=_use_language,
                        help="Language of messages: vi (the default) or en; also set by "
                        "CCHC_LANG or an English locale (LANG=en_US.UTF-8).")


def with_language(command: click.Command) -> click.Command:
    """Every command takes --lang: its own (report words, kept) or the messages' one; and
    --problems-format, --problems-file, --verbose and --quiet (also given before it)."""
    own = next((p for p in command.params if p.name == "lang"), None)
    if own is None:
        command.params.append(lang_option())
    elif own.callback is not _use_language:
        own.is_eager, own.callback = True, _use_language
    names = {p.name for p in command.params}
    command.params += [o for o in problem_options() if o.name not in names]
    return command


class _Problems:
    """Where this run's errors and warnings go: `text` lines or `json` lines (one object
    per problem, errors.Problem.record), on stderr or, with --problems-file, in that file
    (written when the run ends, atomically). `verbosity`: -1 quiet, 0 normal, 1 verbose."""

    def __init__(self) -> None:
        self.fmt, self.file, self.verbosity = "text", None, 0
        self.lines: list[str] = []

    def line(self, problem: Problem) -> str:
        if self.fmt == "json":
            return json.dumps(problem.record(), ensure_ascii=False, sort_keys=True)
        return problem.format()


PROBLEMS = _Problems()


def say(problem: Problem) -> None:
    """One error or warning, as --problems-format and --problems-file say (--quiet drops
    warnings, never errors)."""
    if problem.severity == "warning" and PROBLEMS.verbosity < 0:
        return
    line = PROBLEMS.line(problem)
    if PROBLEMS.file is not None:
        PROBLEMS.lines.append(line)
    else:
        click.echo(line, err=True)


class _StderrLines(logging.Handler):
    """The library's `cchc` log records as plain lines on stderr (--verbose), whatever
    stderr is: `cchc: 21:04:05 records 'dossiers': 421,443 rows (postgres)`."""

    def emit(self, record: logging.LogRecord) -> None:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        click.echo(escape_controls(f"cchc: {stamp} {record.getMessage()}"), err=True)


_LOG_LINES = _StderrLines()


def _log_lines(on: bool) -> None:
    logger = logging.getLogger("cchc")
    if on and _LOG_LINES not in logger.handlers:
        logger.addHandler(_LOG_LINES)
        logger.setLevel(logging.INFO)
    elif not on and _LOG_LINES in logger.handlers:
        logger.removeHandler(_LOG_LINES)
        logger.setLevel(logging.NOTSET)


def print_problems(err: CchcError) -> None:
    for problem in err.problems:
        say(problem)


def _set(field: str):
    def callback(ctx: click.Context, param: click.Parameter, value):
        source = ctx.get_parameter_source(param.name) if param.name else None
        if value is not None and source is not click.core.ParameterSource.DEFAULT \
                and value is not False:
            setattr(PROBLEMS, field, value)
            _log_lines(PROBLEMS.verbosity > 0)
        return value
    return callback


def problem_options() -> list[click.Option]:
    """The diagnostics options, taken by the group and by every command."""
    return [
        click.Option(["--problems-format"], type=click.Choice(["text", "json"]),
                     default=None, is_eager=True, expose_value=False,
                     callback=_set("fmt"),
                     help="Errors and warnings as text lines (default) or JSON lines: "
                     "code, severity, message, hint, file, line, col, fields."),
        click.Option(["--problems-file"], type=click.Path(dir_okay=False), default=None,
                     is_eager=True, expose_value=False, callback=_set("file"),
                     metavar="FILE", help="Write errors and warnings here instead of "
                     "stderr (when the run ends)."),
        click.Option(["--verbose", "-v", "verbosity"], flag_value=1, type=int,
                     default=None, is_eager=True, expose_value=False,
                     callback=_set("verbosity"),
                     help="Progress and log lines on stderr (plain text)."),
        click.Option(["--quiet", "-q", "verbosity"], flag_value=-1, type=int,
                     default=None, is_eager=True, expose_value=False,
                     callback=_set("verbosity"),
                     help="No warnings, no progress: errors only."),
    ]


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"cchc_rules.commands.{name}")
        return with_language(module.command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl(list(COMMANDS.items()))

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-"):
            raise UnknownCommand(name, ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CchcError as err:
            if _stopping:   # the query failed because a signal cancelled it: that exit wins
                _stopped()
            print_problems(err)
            ctx.exit(EXIT_UNREACHABLE if isinstance(err, Unreachable) else EXIT_ERROR)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except OSError as err:
            if err.errno == errno.EPIPE or not _flushes(sys.stderr):
                raise
            name = getattr(err, "filename", None)
            write = WRITE_NOTE in getattr(err, "__notes__", ())
            if name is None and err.errno in _FULL:  # output.py names its files: stdout
                name, write = "<stdout>", True
            message = (_("cannot write: {reason}") if write else "{reason}").format(
                reason=err.strerror or err)
            say(Problem("IO04" if write else "IO01", message,
                        Position(str(name)) if name else None))
            ctx.exit(EXIT_ERROR)
        except Exception as err:  # the last line of defence: never a traceback
            say(Problem("INT01", _("internal error: {kind}: {err}").format(
                                   kind=type(err).__name__, err=err), None,
                        _("please report this with the input that caused it")))
            ctx.exit(EXIT_ERROR)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        """Every outcome becomes an exit code here: click's usage errors one `USG` line
        (exit 2), Ctrl-C 130, and a stdout or stderr that cannot be written 2."""
        set_language(None)  # the environment's choice until a --lang says otherwise
        PROBLEMS.__init__()
        _log_lines(False)
        try:
            code = _run(lambda: super(LazyGroup, self).main(
                args, prog_name, complete_var, standalone_mode=False, **extra))
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
        code = _write_problems(code)
        if not standalone_mode:
            return code
        sys.exit(code)


class UnknownCommand(click.UsageError):
    def __init__(self, name: str, ctx: click.Context) -> None:
        super().__init__(_("No such command '{name}'").format(name=name), ctx)
        self.name = name


def usage_problem(err: click.UsageError) -> Problem:
    """A click usage error as one coded line: USG01 unknown option, command or argument,
    USG02 missing argument or option, USG03 invalid value, USG04 any other misuse."""
    command = err.ctx.command_path if err.ctx else "cchc"
    hint = _("see '{command} --help'").format(command=command)
    if isinstance(err, click.NoSuchOption):
        code, message = "USG01", err.message
        hint = (_("did you mean '{name}'?").format(name=err.possibilities[0])
                if err.possibilities else hint)
    elif isinstance(err, UnknownCommand):
        code, message = "USG01", err.message
        hint = did_you_mean(err.name, COMMANDS) or _("commands: {names}").format(
            names=", ".join(COMMANDS))
    elif isinstance(err, click.MissingParameter):
        code, message = "USG02", err.format_message()
    elif isinstance(err, click.BadParameter):
        code, message = "USG03", err.format_message()
    elif "unexpected extra argument" in err.message:
        code, message = "USG01", err.message
    else:
        code, message = "USG04", err.format_message()
    return Problem(code, _click_words(" ".join(message.split()).rstrip(".")), None, hint)


# click's own usage sentences, matched in English and said in the message language; the
# details inside them (a choice list, an argument) stay as click wrote them.
_CLICK_SENTENCES = (
    (re.compile(r"No such option:? (?P<name>.+)"), N_("No such option: {name}")),
    (re.compile(r"Missing argument (?P<name>.+)"), N_("Missing argument {name}")),
    (re.compile(r"Missing option (?P<name>.+)"), N_("Missing option {name}")),
    (re.compile(r"Invalid value for (?P<name>'[^']*'): (?P<detail>.+)"),
     N_("Invalid value for {name}: {detail}")),
    (re.compile(r"Got unexpected extra arguments? \((?P<args>.*)\)"),
     N_("Got unexpected extra argument(s) ({args})")),
)


def _click_words(message: str) -> str:
    for pattern, template in _CLICK_SENTENCES:
        if (found := pattern.fullmatch(message)) and translate(template) != template:
            return translate(template).format(**found.groupdict())
    return message


def _run(main) -> int:
    try:
        try:
            code = main()
        except click.exceptions.NoArgsIsHelpError as err:
            err.show()
            code = err.exit_code
        except click.UsageError as err:
            say(usage_problem(err))
            code = EXIT_ERROR
        except click.ClickException as err:
            say(Problem("USG04", err.format_message()))
            code = EXIT_ERROR
        except click.Abort:  # click's own name for Ctrl-C
            code = EXIT_INTERRUPTED
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # stdout closed early (EPIPE) or stderr full: nothing more can be said
        _silence()
        return EXIT_ERROR
    return code if isinstance(code, int) else EXIT_OK


def _write_problems(code: int) -> int:
    """The --problems-file, when one was asked for: every line, or IO04 (exit 2)."""
    if PROBLEMS.file is None:
        return code
    from .output import write_atomic
    text = "".join(line + "\n" for line in PROBLEMS.lines)
    try:
        write_atomic(PROBLEMS.file, text.encode("utf-8"))
    except OSError as err:
        name, PROBLEMS.file = PROBLEMS.file, None
        say(Problem("IO04", _("cannot write: {reason}").format(reason=err.strerror or err),
                    Position(str(name))))
        return EXIT_ERROR
    return code


def _flushes(stream) -> bool:
    try:
        stream.flush()
    except OSError:
        return False
    return True


def _silence() -> None:
    """Point the broken standard streams at /dev/null, so the interpreter's last flush does
    not fail again (a message and exit 120)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue  # not a real file (e.g. a test runner's buffer)
    os.close(devnull)


_stopping: list[int] = []   # the signal being handled, if any


def _on_signal(signum: int, frame) -> None:
    """SIGTERM, SIGHUP: cancel the server's running query (as Ctrl-C does), remove the
    temporary output file and exit 128 + the signal. Noted first: the main thread, whose
    query the cancel makes fail, must not exit with that failure's code meanwhile."""
    _stopping.append(signum)
    cancel_running()
    remove_pending()
    os._exit(128 + signum)


def _stopped() -> None:
    """On the main thread while a signal is being handled: wait for its exit (a second at
    most), then take it."""
    time.sleep(1)
    os._exit(128 + _stopping[0])


_ENDING = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))
_released = threading.Event()
_watching = threading.Event()


def _watch_signals() -> None:
    """SIGTERM and SIGHUP are awaited on a thread of their own (sigwait), blocked everywhere
    else: a Python handler runs only between two bytecodes of the main thread, so a polars
    or DuckDB query running seconds in native code would hold the exit back. Threads started
    later (polars', DuckDB's) inherit the block, so this runs before anything starts one: a
    thread started earlier could take the signal itself. Without pthread_sigmask (Windows)
    the handler is all there is. Once per process."""
    if _watching.is_set():
        return
    _watching.set()
    for signum in _ENDING:
        signal.signal(signum, _on_signal)  # also what `serve` keeps after release_signals
    if not hasattr(signal, "pthread_sigmask"):
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING)
    threading.Thread(target=_await_signal, name="cchc-signals", daemon=True).start()


def _await_signal() -> None:
    signum = signal.sigwait(_ENDING)
    if not _released.is_set():
        _on_signal(signum, None)


def release_signals() -> None:
    """Back to handlers on the main thread, for a server that installs its own (uvicorn's
    graceful stop): the waiting thread is woken and told to step aside, then the signals
    are unblocked here."""
    if not hasattr(signal, "pthread_sigmask") or _released.is_set():
        return
    _released.set()
    waiter = next((t for t in threading.enumerate() if t.name == "cchc-signals"), None)
    if waiter is not None and waiter.ident is not None:
        signal.pthread_kill(waiter.ident, _ENDING[0])
        waiter.join(5)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _ENDING)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             params=[lang_option(), *problem_options()])
@click.version_option(__version__, prog_name="cchc")
def main() -> None:
    """cchc — check administrative-reform (CCHC) targets against reported figures."""


def run() -> None:
    """Console entry point: signals that end the run clean up after it first."""
    # Reading figures creates millions of small objects that all stay alive; the cyclic
    # collector would rescan them again and again (3-4x the reading time). A one-shot
    # process can skip it; the library itself never touches gc (threads share it).
    gc.disable()
    # polars' default engine spends a fixed ~0.1–0.3 s starting each deep query: on a
    # province's few thousand rows that was half the run (the demo 1.4 → 0.9 s CPU), and at
    # national size the in-memory engine is as fast (bench/FINDINGS.md). A user's own
    # setting wins.
    os.environ.setdefault("POLARS_ENGINE_AFFINITY", "in-memory")
    # pydantic looks for plugins (entry points of every installed distribution) when the
    # first model class is built: 8–12 ms of each start, for plugins the ruleset's schema
    # never uses (bench/FINDINGS.md, issue 28). A user's own setting wins here too.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _watch_signals()
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as done:
        _leave(done)
        raise


def _leave(done: SystemExit) -> None:
    """Exit with `done`'s code without taking the interpreter apart, once the run is over: a
    national run holds millions of objects and a gigabyte of polars memory, and the teardown
    (a last garbage collection, every module's objects freed one by one) took 0.09–0.15 s
    after the output was written (issue 28: 0.03–0.05 s left, the kernel's). What exit
    would do still happens: the exit functions run (logging's flush, temporary folders'
    finalizers), then the streams are flushed. Returns, for the usual exit, when a thread
    other than a daemon still runs or a stream cannot be flushed."""
    code = 0 if done.code is None else done.code
    if not isinstance(code, int) or any(
            not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    atexit._run_exitfuncs()   # what the interpreter runs first on exit (and then forgets)
    if not (_flushes(sys.stdout) and _flushes(sys.stderr)):
        return
    os._exit(code)
