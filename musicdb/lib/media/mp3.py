"""MPEG audio frames: header parsing, an incremental frame parser and silence.

Why our own parser: the audio stream sends songs frame by frame, so a song can
be paused, skipped or followed by the next one exactly at a frame boundary,
and the played time is the sum of the frame durations.  Nothing here touches
files or sockets: bytes go in, frames come out (like ``websockets``' protocol
objects), so the parser is tested with a few crafted bytes.

What :class:`FrameParser` removes from a file so that only audio frames reach
the listeners:

* ID3v2 tags (at the start, or anywhere between frames; footer flag honoured),
* ID3v1 (``TAG``, 128 bytes), ID3v1 enhanced (``TAG+``, 227 bytes) and APEv2
  tags (``APETAGEX`` header) between or after the frames,
* the Xing/Info/VBRI frame LAME writes first: a silent frame of metadata that
  would confuse a player in the middle of a stream,
* garbage: after a lost sync a candidate header counts only when the next
  header agrees with it; frames of another MPEG version, layer or sample
  rate than the first frame are treated as garbage.

Frame layout (ISO 11172-3 / 13818-3): 4 header bytes ``AAAAAAAA AAABBCCD
EEEEFFGH IIJJKLMM`` - sync, version, layer, no-CRC flag, bitrate index, sample
rate index, padding, private, channel mode, mode extension, copyright,
original, emphasis.
"""

from dataclasses import dataclass

from musicdb.lib.media.errors import MediaError

MPEG1, MPEG2, MPEG25 = 1, 2, 25
MODE_STEREO, MODE_JOINT_STEREO, MODE_DUAL_CHANNEL, MODE_MONO = 0, 1, 2, 3

_VERSIONS = {0b11: MPEG1, 0b10: MPEG2, 0b00: MPEG25}
_LAYERS = {0b11: 1, 0b10: 2, 0b01: 3}
_SAMPLERATES = {MPEG1: (44100, 48000, 32000), MPEG2: (22050, 24000, 16000),
                MPEG25: (11025, 12000, 8000)}
# kbit/s by bitrate index 1..14 (0 = "free format" is not supported, 15 is invalid).
_BITRATES = {
    (MPEG1, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (MPEG1, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (MPEG1, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (MPEG2, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (MPEG2, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_BITRATES[(MPEG2, 3)] = _BITRATES[(MPEG2, 2)]
for _layer in (1, 2, 3):
    _BITRATES[(MPEG25, _layer)] = _BITRATES[(MPEG2, _layer)]

LAYER3_BITRATES = _BITRATES[(MPEG1, 3)]
HEADER_SIZE = 4
ID3V2_HEADER = 10
ID3V1_SIZE = 128
ID3V1_ENHANCED_SIZE = 227
APE_HEADER = 32


class MP3Error(MediaError):
    """Bytes that are no MPEG audio, or a format we cannot build."""


@dataclass(frozen=True)
class FrameHeader:
    """The decoded 4 header bytes of one frame."""

    version: int        # MPEG1, MPEG2 or MPEG25
    layer: int          # 1, 2 or 3
    bitrate: int        # kbit/s
    samplerate: int     # Hz
    padding: bool
    mode: int           # MODE_*
    protected: bool     # a 16-bit CRC follows the header

    @property
    def samples(self):
        if self.layer == 1:
            return 384
        if self.layer == 3 and self.version != MPEG1:
            return 576
        return 1152

    @property
    def length(self):
        """Bytes of the whole frame, header included."""
        if self.layer == 1:
            return (12 * self.bitrate * 1000 // self.samplerate + self.padding) * 4
        return self.samples // 8 * self.bitrate * 1000 // self.samplerate + self.padding

    @property
    def duration(self):
        """Seconds of audio in this frame."""
        return self.samples / self.samplerate

    @property
    def channels(self):
        return 1 if self.mode == MODE_MONO else 2

    def same_stream(self, other):
        """True if ``other`` can follow this frame in one stream (version, layer, rate)."""
        return (self.version, self.layer, self.samplerate) == \
            (other.version, other.layer, other.samplerate)


@dataclass(frozen=True)
class Frame:
    """One complete frame: its bytes and its header."""

    data: bytes
    header: FrameHeader

    @property
    def duration(self):
        return self.header.duration


def parse_header(data, offset=0):
    """The :class:`FrameHeader` at ``data[offset:offset+4]``, or None if it is no valid header."""
    if len(data) < offset + HEADER_SIZE:
        return None
    b1, b2, b3 = data[offset + 1], data[offset + 2], data[offset + 3]
    if data[offset] != 0xFF or (b1 & 0xE0) != 0xE0:
        return None
    version = _VERSIONS.get((b1 >> 3) & 0b11)
    layer = _LAYERS.get((b1 >> 1) & 0b11)
    bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 0b11
    if version is None or layer is None or bitrate_index in (0, 15) or rate_index == 3:
        return None
    if (b3 & 0b11) == 0b10:  # reserved emphasis
        return None
    return FrameHeader(version=version, layer=layer,
                       bitrate=_BITRATES[(version, layer)][bitrate_index - 1],
                       samplerate=_SAMPLERATES[version][rate_index],
                       padding=bool(b2 & 0b10), mode=b3 >> 6, protected=not (b1 & 1))


def build_header(bitrate, samplerate=44100, mode=MODE_JOINT_STEREO, padding=False):
    """The 4 header bytes of an MPEG-1 Layer III frame without CRC.

    Raises:
        MP3Error: the bitrate or sample rate does not exist for MPEG-1 Layer III.
    """
    if bitrate not in LAYER3_BITRATES or samplerate not in _SAMPLERATES[MPEG1]:
        raise MP3Error(f"MPEG-1 Layer III has no {bitrate} kbit/s at {samplerate} Hz")
    bitrate_index = LAYER3_BITRATES.index(bitrate) + 1
    rate_index = _SAMPLERATES[MPEG1].index(samplerate)
    return bytes((0xFF, 0xFB, bitrate_index << 4 | rate_index << 2 | padding << 1, mode << 6))


def silent_frame(bitrate, samplerate=44100, mode=MODE_JOINT_STEREO):
    """One valid MPEG-1 Layer III frame that decodes to silence.

    All side information is zero: no main data (``part2_3_length`` 0), global
    gain 0, so every sample of both granules is 0.  Mixed with song frames of
    the same format it keeps a listener's decoder running while paused.

    Raises:
        MP3Error: see :func:`build_header`.
    """
    header = build_header(bitrate, samplerate, mode)
    frame = parse_header(header)
    return header + bytes(frame.length - HEADER_SIZE)


def _side_info_size(header):
    if header.version == MPEG1:
        return 17 if header.mode == MODE_MONO else 32
    return 9 if header.mode == MODE_MONO else 17


def is_info_frame(data, header):
    """True for LAME's Xing/Info frame or Fraunhofer's VBRI frame (metadata, no audio)."""
    if header.layer != 3:
        return False
    at = HEADER_SIZE + (2 if header.protected else 0) + _side_info_size(header)
    return data[at:at + 4] in (b"Xing", b"Info") or data[36:40] == b"VBRI"


def id3v2_size(data, offset=0):
    """Total bytes of the ID3v2 tag starting at ``offset``, 0 if there is none, None if unsure.

    None means ``data`` ends before the 10 header bytes are complete.
    """
    head = data[offset:offset + ID3V2_HEADER]
    if len(head) < 3:
        return None if b"ID3".startswith(bytes(head)) else 0
    if head[:3] != b"ID3":
        return 0
    if len(head) < ID3V2_HEADER:
        return None
    size_bytes = head[6:10]
    if head[3] == 0xFF or head[4] == 0xFF or any(b & 0x80 for b in size_bytes):
        return 0
    size = 0
    for byte in size_bytes:
        size = size << 7 | byte
    footer = ID3V2_HEADER if head[5] & 0x10 else 0
    return ID3V2_HEADER + size + footer


def ape_size(data, offset=0):
    """Total bytes of an APEv2 tag whose *header* starts at ``offset``; 0 if none, None if unsure."""
    head = data[offset:offset + APE_HEADER]
    if len(head) < 8:
        return None if b"APETAGEX".startswith(bytes(head)) else 0
    if head[:8] != b"APETAGEX":
        return 0
    if len(head) < APE_HEADER:
        return None
    size = int.from_bytes(head[12:16], "little")
    flags = int.from_bytes(head[20:24], "little")
    is_header = bool(flags & (1 << 29))
    return size + APE_HEADER if is_header else APE_HEADER


def tag_size(data, offset=0):
    """Bytes of the tag (ID3v2, ID3v1, ID3v1+, APEv2) at ``offset``; 0 if none; None if unsure."""
    sizes = (id3v2_size(data, offset), ape_size(data, offset))
    if any(size for size in sizes):
        return max(size for size in sizes if size)
    head = data[offset:offset + 4]
    if head[:3] == b"TAG":
        if len(head) < 4:
            return None
        return ID3V1_ENHANCED_SIZE if head == b"TAG+" else ID3V1_SIZE
    if None in sizes or (len(head) < 3 and b"TAG".startswith(bytes(head))):
        return None
    return 0


class FrameParser:
    """Turns a byte stream into :class:`Frame` objects, skipping tags and garbage.

    ``feed(data)`` returns the frames that are complete; ``finish()`` returns
    the last ones once the stream ended.  The first frame fixes the format
    (MPEG version, layer, sample rate); :attr:`first` is its header,
    :attr:`skipped` counts the bytes dropped as tags or garbage, and
    :attr:`garbage_run` the garbage since the last frame (a file damaged in
    the middle shows as a long run).
    """

    def __init__(self):
        self._buffer = bytearray()
        self._skip = 0          # bytes of a tag still to drop
        self._synced = False    # the previous frame ended where the buffer starts
        self.first = None
        self._info_checked = False
        self.skipped = 0
        self.garbage_run = 0    # bytes of garbage (not tags) since the last frame

    def feed(self, data):
        """Add bytes; returns the list of frames completed by them."""
        if self._skip:
            dropped = min(self._skip, len(data))
            self._skip -= dropped
            self.skipped += dropped
            data = data[dropped:]
        self._buffer += data
        return self._frames(final=False)

    def finish(self):
        """The stream ended: return the frames still in the buffer."""
        frames = self._frames(final=True)
        self.skipped += len(self._buffer)
        self._buffer.clear()
        return frames

    def _frames(self, final):
        frames, pos, buf = [], 0, self._buffer
        while True:
            step = self._step(buf, pos, final)
            if step is None:
                break
            kind, size, header = step
            if kind == "frame":
                self.garbage_run = 0
                frame = self._accept(bytes(buf[pos:pos + size]), header)
                if frame is not None:
                    frames.append(frame)
            else:
                if kind == "garbage":
                    self.garbage_run += min(size, len(buf) - pos)
                self.skipped += min(size, len(buf) - pos)
                self._skip = max(0, pos + size - len(buf))
            pos = min(pos + size, len(buf))
        del buf[:pos]
        return frames

    def _step(self, buf, pos, final):
        """What comes at ``pos``: ("frame"|"skip"|"garbage", size, header), or None to wait for data."""
        if pos >= len(buf):
            return None
        size = tag_size(buf, pos)
        if size is None:
            return ("skip", len(buf) - pos, None) if final else None
        if size:
            self._synced = False
            return "skip", size, None
        header = parse_header(buf, pos)
        if header is not None and self._plausible(buf, pos, header, final):
            if pos + header.length > len(buf):
                return ("skip", len(buf) - pos, None) if final else None
            self._synced = True
            return "frame", header.length, header
        if header is None and len(buf) - pos < HEADER_SIZE and not final:
            return None
        if header is not None and not final and self._undecided(buf, pos, header):
            return None
        self._synced = False
        return "garbage", self._garbage(buf, pos + 1), None

    def _plausible(self, buf, pos, header, final):
        """A header counts if it fits the stream and, after a lost sync, the next one agrees."""
        if self.first is not None and not self.first.same_stream(header):
            return False
        if self._synced and self.first is not None:
            return True
        after = pos + header.length
        if after + HEADER_SIZE > len(buf):
            return final
        if tag_size(buf, after):
            return True
        following = parse_header(buf, after)
        return following is not None and header.same_stream(following)

    def _undecided(self, buf, pos, header):
        """True while the bytes needed to confirm a candidate header are still missing."""
        if self.first is not None and not self.first.same_stream(header):
            return False
        return pos + header.length + HEADER_SIZE > len(buf)

    @staticmethod
    def _garbage(buf, start):
        """Bytes from the garbage at ``start - 1`` up to the next 0xFF or tag marker."""
        candidates = [buf.find(marker, start) for marker in (b"\xff", b"ID3", b"TAG", b"APETAGEX")]
        found = [index for index in candidates if index >= 0]
        end = min(found) if found else len(buf)
        return end - start + 1

    def _accept(self, data, header):
        if self.first is None:
            self.first = header
        if not self._info_checked:
            self._info_checked = True
            if is_info_frame(data, header):
                return None
        return Frame(data, header)


def parse_frames(data):
    """All frames of a complete file's bytes (convenience for tests and tools)."""
    parser = FrameParser()
    return parser.feed(data) + parser.finish()
