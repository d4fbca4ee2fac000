"""The table of task types: name -> :class:`~musicdb.taskmanagement.task.TaskType` instance.

The manager gets this table and never imports a type itself; a new kind of
task is a module with its type class and one line here.
"""


def default_types():
    """The task types of the server and the command line, by name."""
    from musicdb.taskmanagement import (
        artwork, artworkimport, fsscan, libraryimport, musicimport, uploads)
    types = (artwork.CompleteArtworkScales(), libraryimport.LibraryImport(), uploads.Upload(),
             musicimport.MusicImport(), artworkimport.ArtworkImport(),
             fsscan.FilesystemScan())
    return {tasktype.name: tasktype for tasktype in types}
