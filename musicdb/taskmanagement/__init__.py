"""Long jobs as tasks: an ID, a state, progress, persisted in ``<data>/tasks``.

:mod:`.task` (the record, states, the task type base), :mod:`.store` (the
files), :mod:`.manager` (the loop and the one funnel of changes),
:mod:`.tasktypes` (the table of types: :mod:`.artwork`, :mod:`.libraryimport`)
and :mod:`.managementthread` (the server's start/stop functions).
"""
