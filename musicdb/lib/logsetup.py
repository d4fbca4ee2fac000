"""Logging as ``[log]`` configures it: one main handler at the configured level, an
optional full-detail debug file, and quieter third-party loggers."""

import logging
import sys

FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


def configure(cfg, verbose=False, quiet=False):
    """Install the handlers; ``verbose``/``quiet`` override the configured level."""
    level = logging.DEBUG if verbose else logging.ERROR if quiet else cfg.loglevel
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    main = _main_handler(cfg.log.logfile)
    main.setLevel(level)
    main.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(main)
    root.setLevel(level)
    debugfile = cfg.log.debugfile
    if debugfile and debugfile != "/dev/null":
        try:
            debug = logging.FileHandler(debugfile, encoding="utf-8")
        except OSError as error:
            logging.getLogger(__name__).warning("Cannot open debug log %s: %s", debugfile, error)
        else:
            debug.setLevel(logging.DEBUG)
            debug.setFormatter(logging.Formatter(FORMAT))
            root.addHandler(debug)
            root.setLevel(logging.DEBUG)
    for name in cfg.log.ignore:
        logging.getLogger(name.strip()).setLevel(logging.WARNING)


def _main_handler(target):
    # "journal" has no Python binding here; the init system collects stderr instead.
    if target in ("journal", "stderr", ""):
        return logging.StreamHandler(sys.stderr)
    if target == "stdout":
        return logging.StreamHandler(sys.stdout)
    return logging.FileHandler(target, encoding="utf-8")
