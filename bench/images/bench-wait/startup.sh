#!/bin/sh
# Waits until the init forwards SIGTERM.
exec sleep infinity
