"""API area: the Randy configuration ``randy.ini`` (api-library.md §3.2, §4).

Saved values reach Randy's very next pick (Randy re-reads the file when it
changed), unlike MusicDB 8 where they needed new connections or a restart.
"""

from musicdb.lib.cfg.randy import SPEC

from . import handler


def _complete_config(value):
    """The whole configuration structure, validated before anything is written."""
    if not isinstance(value, dict):
        raise ValueError("must be an object")
    for section, key, _, _, _ in SPEC:
        if not isinstance(value.get(section), dict) or key not in value[section]:
            raise ValueError(f"lacks {section}.{key}")
    return value


@handler("LoadRandyConfiguration")
def load_randy_configuration(args, app):
    return app.randy.config.load()


@handler("SaveRandyConfiguration", args={"config": _complete_config})
def save_randy_configuration(args, app):
    """Store the values as given (the WebUI sends numbers as strings) and return what reads back."""
    return app.randy.config.save(args["config"])
