"""The task management loop: uploads, integration and imports run as tasks here."""

import logging

log = logging.getLogger(__name__)

_running = False


def StartTaskManagementThread(ctx):
    global _running
    _running = True
    log.debug("Task management started")


def StopTaskManagementThread():
    global _running
    _running = False
    log.debug("Task management stopped")
