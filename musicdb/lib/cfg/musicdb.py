"""The server configuration: MusicDB 8's ``musicdb.ini`` read with configobj.

A config written for MusicDB 8 loads unchanged.  Every key has a type and a
default in :data:`CONFIGSPEC`; a value of the wrong type is a
:class:`ConfigError` naming the file, the section and the key.  Keys we do not
use are accepted and logged once.

Sections are exposed as attributes with lower-case names, so
``cfg.websocket.port`` or ``cfg.icecast.mountname``.  Paths that MusicDB 8
derives from the data directory (certificate, key) are filled in here, so the
rest of the server never repeats that rule.
"""

import configparser
import logging
import os
from types import SimpleNamespace

from configobj import ConfigObj, flatten_errors, get_extra_values
from configobj.validate import ValidateError, Validator, force_list

from musicdb.lib import netaccess

log = logging.getLogger(__name__)

# Types and defaults per foundations.md §1; "ours" where MusicDB 8's fallback
# is unusable.  Sections and keys after the MusicDB 8 ones are our additions.
CONFIGSPEC = """
[meta]
version = integer(default=1)
[musicdb]
username = string(default="musicdb")
groupname = string(default="musicdb")
[directories]
music = string(default="/var/music")
data = string(default="/var/lib/musicdb")
[log]
logfile = string(default="journal")
loglevel = option("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "debug", "info", "warning", "error", "critical", "Debug", "Info", "Warning", "Error", "Critical", default="WARNING")
debugfile = string(default="/dev/null")
ignore = force_list(default=list())
[debug]
disablestats = boolean(default=False)
disabletracker = boolean(default=False)
disabletagging = boolean(default=False)
disableicecast = boolean(default=False)
disablevideos = boolean(default=False)
disableai = boolean(default=True)
[websocket]
bind = string(default="127.0.0.1")
port = integer(min=0, max=65535, default=9000)
opentimeout = integer(min=1, default=10)
closetimeout = integer(min=1, default=5)
cert = string(default="")
key = string(default="")
tls = boolean(default=True)
maxmessagesize = integer(min=1048576, default=8388608)
trustedproxies = ip_network_list(default=list())
maxconnections = integer(min=1, default=512)
maxconnectionsperip = integer(min=1, default=64)
authtimeout = integer(min=1, default=10)
maxunauthmessagesize = integer(min=1024, default=65536)
maxunreadbytes = integer(min=1048576, default=33554432)
[uploads]
allow = force_list(default=list("artwork", "albumfile"))
maxfilesize = integer(min=1, default=2147483648)
maxtotalsize = integer(min=1, default=10737418240)
archiveentries = integer(min=1, default=1000)
archivesize = integer(min=1, default=4294967296)
archiveratio = integer(min=1, default=100)
[tracker]
cuttime = integer(min=0, default=30)
trackrandom = boolean(default=False)
[Icecast]
port = integer(default=6666)
user = string(default="source")
password = string(default="")
mountname = string(default="/stream")
maxlisteners = integer(min=0, default=100)
maxlistenersperip = integer(min=1, default=8)
allow = ip_network_list(default=list())
bitrate = option("32", "40", "48", "56", "64", "80", "96", "112", "128", "160", "192", "224", "256", "320", default="320")
transcodeall = boolean(default=False)
[icecastsource]
enable = boolean(default=False)
host = string(default="127.0.0.1")
port = integer(min=1, max=65535, default=8000)
mount = string(default="/stream")
user = string(default="source")
password = string(default="")
tls = boolean(default=False)
verifytls = boolean(default=True)
cafile = string(default="")
protocol = option("put", "source", default="put")
name = string(default="MusicDB Stream")
description = string(default="")
genre = string(default="")
url = string(default="")
public = boolean(default=False)
buffer = float(min=1, default=10)
retrymax = float(min=1, default=60)
timeout = float(min=1, default=10)
[music]
ignoreartists = string(default="lost+found")
ignorealbums = string(default="")
ignoresongs = string(default=".directory / desktop.ini / Desktop.ini / .DS_Store / Thumbs.db")
[albumcover]
scales = int_list(default=list(150, 200, 500, 1000))
[videoframes]
frames = integer(min=1, default=5)
previewlength = integer(min=1, default=3)
scales = force_list(default=list("50x27", "150x83"))
[extern]
configtemplate = string(default="")
statedir = string(default=".mdbstate")
configfile = string(default="config.ini")
songmap = string(default="songmap.csv")
[webui]
directory = string(default="")
[subsonic]
maxtranscodes = integer(min=0, default=2)
tokenauth = boolean(default=True)
passwordauth = boolean(default=True)
[security]
sessionidle = integer(min=1, default=604800)
sessionlifetime = integer(min=1, default=2592000)
origins = force_list(default=list())
allowplain = boolean(default=False)
hashcost = integer(min=4, max=20, default=15)
maxloginfailures = integer(min=1, default=10)
loginblocktime = integer(min=1, default=300)
"""

_SPEC = ConfigObj(CONFIGSPEC.splitlines(), list_values=False, _inspec=True)

# "/"-separated lists in MusicDB 8's format.
SLASH_LISTS = {("music", "ignoreartists"), ("music", "ignorealbums"), ("music", "ignoresongs")}


class ConfigError(Exception):
    """The configuration file is missing, unreadable or has a bad value."""


class MusicDBConfig:
    """The parsed configuration of one server.

    Raises:
        ConfigError: the file cannot be read or parsed, or a value is invalid.
    """

    def __init__(self, path):
        self.path = os.path.abspath(path)
        raw = _read(self.path)
        _validate(raw, self.path)
        for section, values in raw.items():
            setattr(self, section.lower(), SimpleNamespace(**_convert(section, values)))
        self._derive_paths()
        _log_extra(raw)

    def _derive_paths(self):
        data = self.directories.data
        self.websocket.cert = self.websocket.cert or os.path.join(data, "websocket.cert")
        self.websocket.key = self.websocket.key or os.path.join(data, "websocket.key")
        self.webui.directory = self.webui.directory or default_webui_directory()
        if not self.icecast.mountname.startswith("/"):
            self.icecast.mountname = "/" + self.icecast.mountname

    @property
    def loglevel(self):
        """The configured log level as a :mod:`logging` number."""
        return getattr(logging, self.log.loglevel.upper())


SYSTEM_WEBUI = "/usr/share/musicdb/webui"


def default_webui_directory():
    """The legacy WebUI when ``[webui] directory`` is not set: ``$MUSICDB_WEBUI``, else
    the system copy.  Resolved at every start, so setting the variable later works."""
    return os.path.abspath(os.environ.get("MUSICDB_WEBUI") or SYSTEM_WEBUI)


def _read(path):
    """Parse the file as MusicDB 8 did (configparser: ``;`` and ``#`` comments, no
    interpolation, ``#`` allowed inside values) and hand it to configobj for validation."""
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: configuration file does not exist")
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, configparser.Error, UnicodeDecodeError) as error:
        reason = str(error).splitlines()[0]
        raise ConfigError(f"{path}: cannot read configuration: {reason}") from None
    sections = {name: _split_lists(name, dict(parser[name])) for name in parser.sections()}
    return ConfigObj(sections, configspec=CONFIGSPEC.splitlines())


def _split_lists(section, values):
    """Comma lists become Python lists where the spec expects a list."""
    spec = _SPEC.get(section, {})
    for key, value in values.items():
        if "list(" in spec.get(key, "").split("default")[0]:
            values[key] = [part.strip() for part in value.split(",") if part.strip()]
    return values


def _validate(raw, path):
    result = raw.validate(Validator({"ip_network_list": _ip_network_list}), preserve_errors=True)
    if result is True:
        return
    for sections, key, error in flatten_errors(raw, result):
        where = "/".join(sections)
        reason = error if error else "missing"
        raise ConfigError(f"{path}: [{where}] {key}: {reason}")


def _ip_network_list(value):
    """A list of IP addresses and networks (``[Icecast] allow``, ``[websocket] trustedproxies``)."""
    entries = force_list(value)
    try:
        netaccess.parse_networks(entries)
    except netaccess.RuleError as error:
        raise ValidateError(str(error)) from None
    return entries


def _convert(section, values):
    converted = {}
    for key, value in values.items():
        if (section, key) in SLASH_LISTS:
            value = [part.strip() for part in value.split("/") if part.strip()]
        converted[key] = value
    return converted


def _log_extra(raw):
    for sections, name in get_extra_values(raw):
        where = "/".join(sections) or "top level"
        log.info("Configuration: [%s] %s is not used by this server and is ignored", where, name)
